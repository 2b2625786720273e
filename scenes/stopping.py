"""SIGTERM handled like Ctrl-C: what a CI timeout or a process manager sends stops a render cleanly.

Inside :func:`stop_on_sigterm`, SIGTERM raises :class:`Terminated` (a ``KeyboardInterrupt``) in the main
thread, so every ``with`` and ``finally`` on the way out runs: temporary folders are removed, nothing
half-written is renamed into place, a batch stops its worker processes.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator

__all__ = ["Terminated", "stop_on_sigterm"]


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM); handled like Ctrl-C."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(f"signal {signum}")


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Within the block SIGTERM raises :class:`Terminated` (main thread only; elsewhere nothing changes).

    >>> with stop_on_sigterm():
    ...     pass  # a `kill <pid>` here unwinds like Ctrl-C
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
