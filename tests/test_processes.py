"""The helpers that watch the installed ``casus`` processes must not miss what those print."""
from __future__ import annotations

import subprocess
import sys

from processes import _read_until

# Both lines reach the pipe in one write: a reader that buffers the second line while reading the
# first, then waits for the pipe to become readable again, never sees the marker.
TWO_LINES_AT_ONCE = (
    "import sys, time\n"
    "sys.stdout.write('Scheduler started\\nScheduler draait (Europe/Amsterdam)\\n')\n"
    "sys.stdout.flush()\n"
    "time.sleep(30)\n"
)


def test_a_marker_written_together_with_an_earlier_line_is_seen():
    process = subprocess.Popen([sys.executable, "-c", TWO_LINES_AT_ONCE], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output = _read_until(process, "Scheduler draait", timeout=5)
    finally:
        process.kill()
        process.communicate()
    assert output.splitlines() == ["Scheduler started", "Scheduler draait (Europe/Amsterdam)"]
