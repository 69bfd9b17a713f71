"""A ClamAV daemon (clamd) client of our own, over its socket protocol (clamd(8), "INSTREAM").

``zINSTREAM`` sends the file in chunks, each prefixed with its length as 4 bytes big-endian, ended by a zero
length; clamd answers ``stream: OK`` or ``stream: <signature> FOUND``. ``zVERSION`` names the engine and its
database for the scan result we keep with each version. Addresses: ``unix:/run/clamav/clamd.ctl`` or
``tcp:host:port``. Anything but a clear OK or FOUND — no answer, a timeout, an ERROR (e.g. the stream is larger
than clamd's StreamMaxLength) — raises ScannerUnavailable: a file is never stored unscanned.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

CHUNK = 64 * 1024
MAX_REPLY = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not give a verdict."""


@dataclass(frozen=True)
class ScanVerdict:
    clean: bool
    signature: str | None  # the virus's name when not clean
    engine: str            # e.g. "ClamAV 1.0.9"

    @property
    def text(self) -> str:
        """What we keep with the document version, e.g. "ClamAV 1.0.9: OK" (at most 120 characters)."""
        outcome = "OK" if self.clean else f"{self.signature} FOUND"
        return f"{self.engine}: {outcome}"[:120]


class ClamdClient:
    def __init__(self, address: str, timeout: float) -> None:
        self.address = address
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        kind, _, target = self.address.partition(":")
        try:
            if kind == "unix":
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                sock.connect(target)
                return sock
            if kind == "tcp":
                host, _, port = target.rpartition(":")
                return socket.create_connection((host.strip("[]"), int(port)), timeout=self.timeout)
        except (OSError, ValueError) as exc:
            raise ScannerUnavailable(f"cannot connect to clamd: {type(exc).__name__}") from exc
        raise ScannerUnavailable("clamd address must start with unix: or tcp:")

    def _command(self, command: bytes, payload: bytes | None = None) -> str:
        """Send one z-command (NUL-terminated), optionally followed by a stream; the reply without its NUL."""
        try:
            with self._connect() as sock:
                sock.sendall(b"z" + command + b"\0")
                if payload is not None:
                    for start in range(0, len(payload), CHUNK):
                        chunk = payload[start:start + CHUNK]
                        sock.sendall(struct.pack(">I", len(chunk)) + chunk)
                    sock.sendall(struct.pack(">I", 0))
                return _read_reply(sock)
        except OSError as exc:
            raise ScannerUnavailable(f"clamd did not answer: {type(exc).__name__}") from exc

    def ping(self) -> bool:
        try:
            return self._command(b"PING") == "PONG"
        except ScannerUnavailable:
            return False

    def version(self) -> str:
        """The engine without its database details: "ClamAV 1.0.9" of "ClamAV 1.0.9/27000/Sun Dec 6 ..."."""
        return self._command(b"VERSION").split("/", 1)[0].strip()

    def scan(self, data: bytes) -> ScanVerdict:
        engine = self.version()
        reply = self._command(b"INSTREAM", data)
        _, _, result = reply.rpartition("stream: ") if "stream: " in reply else ("", "", reply)
        if result == "OK":
            return ScanVerdict(True, None, engine)
        if result.endswith(" FOUND"):
            return ScanVerdict(False, result.removesuffix(" FOUND").strip()[:100], engine)
        raise ScannerUnavailable(f"clamd gave no verdict: {result[:200]}")


def _read_reply(sock: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0") and len(reply) < MAX_REPLY:
        chunk = sock.recv(MAX_REPLY)
        if not chunk:
            break
        reply += chunk
    if not reply:
        raise ScannerUnavailable("clamd closed the connection without a reply")
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()
