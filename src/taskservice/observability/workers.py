"""The directory where the workers of ``taskservice serve`` keep their metric values
(prometheus-client's multiprocess mode), made and emptied by ``serve``.

The variable must be set before ``prometheus_client`` is first imported in a worker:
``serve`` sets it before it starts uvicorn, and nothing that ``serve`` imports itself
imports ``prometheus_client`` (``taskservice.app`` does, in each worker).

A worker that stops (or dies, and is replaced by uvicorn) leaves its counters, which
stay in the sums as they should, and its live gauges, which must not: a worker's own
are removed when it shuts down, those of a worker that died at the next scrape.
"""

import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
_LIVE_GAUGE_FILE = re.compile(r"^gauge_live\w+?_(\d+)\.db$")


@contextlib.contextmanager
def multiprocess_directory() -> Iterator[Path]:
    """For the life of ``serve``: the operator's directory (``PROMETHEUS_MULTIPROC_DIR``),
    emptied of a previous run's files, or a new temporary one, removed at the end."""
    given = os.environ.get(MULTIPROC_DIR_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
        yield path
        return
    path = Path(tempfile.mkdtemp(prefix="taskservice-metrics-"))
    os.environ[MULTIPROC_DIR_ENV] = str(path)
    try:
        with _on_sigterm(lambda: shutil.rmtree(path, ignore_errors=True)):
            yield path
    finally:
        os.environ.pop(MULTIPROC_DIR_ENV, None)
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _on_sigterm(cleanup: Callable[[], None]) -> Iterator[None]:
    """Run ``cleanup`` if SIGTERM ends the process, then end it as SIGTERM would have.

    A single uvicorn server re-raises the SIGTERM it shut down for once it has restored
    the handlers it found, so the process dies of it and no ``finally`` or ``atexit``
    runs: this handler is what it finds.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)

    def handle(sig: int, frame: FrameType | None) -> None:
        cleanup()
        if callable(previous):
            previous(sig, frame)
        elif previous == signal.SIG_DFL:
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)

    signal.signal(signal.SIGTERM, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def worker_stopped() -> None:
    """This worker's live gauges leave the sums (called as its app shuts down)."""
    if os.environ.get(MULTIPROC_DIR_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def forget_dead_workers(directory: str) -> list[int]:
    """Remove the live gauges of workers that are gone (killed, crashed); their pids."""
    from prometheus_client import multiprocess

    dead = set()
    for name in os.listdir(directory):
        found = _LIVE_GAUGE_FILE.match(name)
        if found and not _alive(int(found.group(1))):
            dead.add(int(found.group(1)))
    for pid in dead:
        multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
    return sorted(dead)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
