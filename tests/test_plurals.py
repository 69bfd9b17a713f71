"""Counts in Dutch (and English) text agree with their number: ngettext, never "actie(s)", "melding(en)" or
"week/weken"; and no label carries a colon that a sentence would double ("urgentie: hoog: binnen twee weken")."""

from __future__ import annotations

import ast
import gettext
import io
import re
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "casus" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# "actie(s)", "melding(en)", "week/weken", "zegel(s)": one text for every number.
BOTH_NUMBERS = re.compile(r"\w\((?:s|en)\)(?!\w)|\bweek/weken\b")


def python_texts(path: Path):
    """Every string in a module except docstrings (which may quote the wrong form to explain the rule)."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_text_counts_with_both_numbers_at_once():
    found = []
    for path in sorted((ROOT / "casus").rglob("*.py")):  # the UI; workflow/ speaks English to developers
        found += [f"{path.relative_to(ROOT)}:{line}: {text}" for line, text in python_texts(path)
                  if BOTH_NUMBERS.search(text) and "://" not in text and "http(s)" not in text]
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if BOTH_NUMBERS.search(re.sub(r"\{#.*?#\}", "", line)):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_no_enum_label_ends_in_a_sentence_of_its_own_after_a_colon():
    """A label is put into sentences after a colon ("urgentie: %(urgency)s"); one with its own colon reads
    "urgentie: hoog: binnen twee weken"."""
    from casus.voordrachten.models import Urgency

    for member in Urgency:
        assert ":" not in str(member.label_nl), member


def test_the_review_date_message_and_the_audit_chain_count_in_the_right_number():
    from casus.audit.verify import counted

    assert counted(1, "schakel", "schakels") == "1 schakel"
    assert counted(2, "schakel", "schakels") == "2 schakels"
    assert counted(0, "bevinding", "bevindingen") == "0 bevindingen"


def english() -> gettext.GNUTranslations:
    """The English catalogue as it stands in messages.po (compiled here, so the test needs no compile step)."""
    with PO.open("rb") as source:
        catalog = read_po(source, locale="en")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def test_the_plural_texts_have_both_english_forms():
    en = english()
    cases = {
        ("Het overleg is afgesloten. %(num)d besproken casus heeft een nieuwe herbeoordelingsdatum.",
         "Het overleg is afgesloten. %(num)d besproken casussen hebben een nieuwe herbeoordelingsdatum."):
            ("The meeting is closed. 1 discussed case has a new review date.",
             "The meeting is closed. 2 discussed cases have a new review date."),
        ("keten van %(num)d schakel", "keten van %(num)d schakels"): ("chain of 1 link", "chain of 2 links"),
        ("%(num)d melding als gelezen gemarkeerd.", "%(num)d meldingen als gelezen gemarkeerd."):
            ("1 notification marked as read.", "2 notifications marked as read."),
    }
    for (singular, plural), (one, two) in cases.items():
        assert en.ngettext(singular, plural, 1) % {"num": 1} == one
        assert en.ngettext(singular, plural, 2) % {"num": 2} == two
    weeks = ("elke week op %(day)s om %(time)s, %(minutes)s minuten",
             "elke %(num)d weken op %(day)s om %(time)s, %(minutes)s minuten")
    values = {"day": "dinsdag", "time": "10:00", "minutes": 90}
    assert en.ngettext(*weeks, 1) % {"num": 1, **values} == "every week on dinsdag at 10:00, 90 minutes"
    assert en.ngettext(*weeks, 3) % {"num": 3, **values} == "every 3 weeks on dinsdag at 10:00, 90 minutes"
    assert en.gettext("Hoog (binnen twee weken)") == "High (within two weeks)"
