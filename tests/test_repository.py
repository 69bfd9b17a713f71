"""The repository stands on its own: nothing in it points outside it, and its Markdown links resolve.

A newcomer with only this repository must be able to follow every reference: the product design is
docs/DESIGN.md, not a file beside the checkout, and a comment says what a thing is rather than which ticket
asked for it. No app and no database needed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Built from parts, so that this file does not trip its own check.
OUTSIDE = ("../" + "shared", "/work/" + "shared")
TICKET = re.compile(r"\b[Ii]ss" + r"ue\s+#?\d+")

SKIPPED_DIRS = ("casus/static/vendor/", "tests/browser/vendor/")
SKIPPED_SUFFIXES = (".po", ".pot", ".mo")

LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto: ...


def tracked_files() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    output = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    return [name for name in output.decode("utf-8").split("\0") if name]


def text_of(name: str) -> str | None:
    """The file's text, or None for a binary or deleted file."""
    path = ROOT / name
    if not path.is_file():
        return None
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def checked_files() -> list[tuple[str, str]]:
    files = []
    for name in tracked_files():
        if name.startswith(SKIPPED_DIRS) or name.endswith(SKIPPED_SUFFIXES):
            continue
        text = text_of(name)
        if text is not None:
            files.append((name, text))
    return files


def markdown_files() -> list[str]:
    tracked = tracked_files()
    return [name for name in tracked if name == "README.md" or re.fullmatch(r"docs/[^/]+\.md", name)]


def test_nothing_points_outside_the_repository():
    offences = []
    for name, text in checked_files():
        for number, line in enumerate(text.splitlines(), start=1):
            if any(outside in line for outside in OUTSIDE):
                offences.append(f"{name}:{number}: refers to a directory outside the repository: {line.strip()}")
            if TICKET.search(line):
                offences.append(f"{name}:{number}: cites a ticket number; say what it is: {line.strip()}")
    assert not offences, "\n".join(offences)


def test_the_check_sees_the_files_it_should():
    names = {name for name, _text in checked_files()}
    assert {"README.md", "casus/__init__.py", "docs/ARCHITECTURE.md", "workflow/tables.py"} <= names
    assert not any(name.startswith(SKIPPED_DIRS) for name in names)


@pytest.mark.parametrize("name", ["README.md", "docs/ARCHITECTURE.md", "docs/DESIGN.md", "docs/WORKFLOW.md"])
def test_markdown_files_are_checked(name):
    assert name in markdown_files()


def relative_links(text: str) -> list[str]:
    prose = INLINE_CODE.sub("", FENCE.sub("", text))
    return [target for target in LINK.findall(prose) if not EXTERNAL.match(target) and not target.startswith("#")]


def test_relative_markdown_links_point_at_files_in_the_repository():
    broken = []
    for name in markdown_files():
        text = text_of(name) or ""
        for target in relative_links(text):
            path = target.split("#", 1)[0]
            resolved = ((ROOT / name).parent / path).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{name}: [..]({target})")
    assert not broken, "links to files that are not in the repository:\n" + "\n".join(broken)


def test_link_extraction_ignores_code_and_external_links():
    text = "See [a](docs/A.md), [b](https://example.org) and [c](#anchor).\n```\n[d](nowhere.md)\n```\n`[e](x.md)`"
    assert relative_links(text) == ["docs/A.md"]


def test_readme_and_architecture_link_the_design():
    assert "](docs/DESIGN.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](DESIGN.md" in (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
