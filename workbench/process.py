"""Child processes that end with the process that started them.

A process killed outright (SIGKILL, the OOM killer, a crashed terminal) runs no cleanup, so
nothing it does on the way out can stop its children: an ingest's extraction workers would
wait forever on a queue no one writes to, each holding its copy of the extractor (some
125 MB) and the database file open; a `workbench serve` stopped that way would leave Streamlit
answering on the port. So the child itself has to notice:

- on Linux the kernel tells it: ``prctl(PR_SET_PDEATHSIG)`` asks for a signal when the parent
  dies (strictly, when the *thread* that forked it ends: callers fork from the thread that
  lives as long as the children should);
- elsewhere, and on Linux as a second line, a daemon thread polls ``os.getppid()``: an
  orphan is adopted by init (or a subreaper), so its parent id changes.

A process that is stopped politely (SIGTERM, SIGINT) is handled where it is started: see
``run_streamlit`` in workbench/cli/serve.py, which passes the signal on to Streamlit's group.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_INTERVAL = 1.0  # seconds between two looks at the parent id: a second of orphanhood


def set_parent_death_signal(signum: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies; whether it could."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)) == 0
    except (OSError, AttributeError):  # no libc with prctl (musl builds have it; be safe)
        return False


def _watch(parent: int, interval: float) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)  # no cleanup to run: the parent that wanted our results is gone
        time.sleep(interval)


def exit_with_parent(parent: int, *, interval: float = WATCH_INTERVAL) -> None:
    """Make this process end when ``parent`` (the pid that started it) does.

    Called first thing in a child. If the parent died before the death signal was set up
    (a race the kernel leaves to us), the child exits at once.
    """
    set_parent_death_signal()
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(
        target=_watch, args=(parent, interval), name="exit-with-parent", daemon=True
    ).start()
