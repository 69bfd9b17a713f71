"""A real ClamAV daemon for the tests: ``clamd`` in the foreground with a configuration and a signature database
of its own, built at test time with ``sigtool`` for the EICAR test file (the industry's harmless test "virus").

Use the fixture by importing it into a test module (``from clamd_support import clamd_address``); it yields the
address for ``Config.clamd_address`` (``unix:/.../clamd.sock``). Skipped, with the reason, only when clamd or
sigtool is not installed (Debian: ``apt-get install clamav-daemon``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

CLAMD = "/usr/sbin/clamd"
# Split so that no scanner flags this source file itself.
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode("ascii")
STARTUP_SECONDS = 120


def _ping(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(str(path))
            sock.sendall(b"zPING\0")
            return sock.recv(64).rstrip(b"\0") == b"PONG"
    except OSError:
        return False


@pytest.fixture(scope="session")
def clamd_address(tmp_path_factory):
    sigtool = shutil.which("sigtool")
    if not Path(CLAMD).exists() or sigtool is None:
        pytest.skip("ClamAV is not installed (clamd and sigtool; Debian package clamav-daemon)")
    home = tmp_path_factory.mktemp("clamd")
    database = home / "db"
    database.mkdir()
    (home / "eicar.com").write_bytes(EICAR)
    signature = subprocess.run([sigtool, "--md5", str(home / "eicar.com")], capture_output=True, text=True,
                               check=True).stdout
    (database / "eicar.hdb").write_text(signature.replace("eicar.com", "Casus-Test-EICAR"), encoding="ascii")
    sock = home / "clamd.sock"
    config = home / "clamd.conf"
    config.write_text("\n".join([
        "Foreground yes", f"LocalSocket {sock}", f"DatabaseDirectory {database}", f"TemporaryDirectory {home}",
        f"LogFile {home / 'clamd.log'}", "LogTime yes", "StreamMaxLength 50M", "Bytecode no", ""]), encoding="ascii")
    process = subprocess.Popen([CLAMD, f"--config-file={config}"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _ping(sock):
            if process.poll() is not None:
                raise RuntimeError(f"clamd stopped: {process.stderr.read().decode(errors='replace')}")
            if time.monotonic() > deadline:
                raise RuntimeError("clamd did not answer PING in time")
            time.sleep(0.2)
        yield f"unix:{sock}"
    finally:
        process.kill()
        process.wait(timeout=30)
