"""Processes the benchmark starts (servers, load drivers), on loopback only, always stopped.

Each process gets its own session (process group), so stopping it also stops the
workers it forked; only groups started here are ever signalled, by their id.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from bench.common import HOST, OUT, ROOT, log


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This environment without any TASKSERVICE_/OPENAI_ setting of the caller's, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TASKSERVICE_", "OPENAI_", "BENCH_"))
    }
    env.update(extra)
    return env


def rss_kib(pid: int) -> int:
    """Resident memory (VmRSS) of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (their threads included)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    return total


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # the command name is in parentheses and may hold spaces: split after it
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return sorted(found)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class ServerDied(RuntimeError):
    """A server the benchmark started is no longer there."""


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes (its spawned children), or the process itself."""
        workers = [
            child
            for child in children(self.pid)
            if "multiprocessing" in (cmd := _cmdline(child)) and "resource_tracker" not in cmd
        ]
        return workers or [self.pid]

    def running(self) -> bool:
        return self.popen.poll() is None

    def check_alive(self, workers: int = 1) -> None:
        """Raise if the process, or one of its ``workers``, has gone (crashed or killed)."""
        alive = len(self.worker_pids()) if workers > 1 else int(self.running())
        if not self.running() or alive < workers:
            raise ServerDied(
                f"{self.name} (pid {self.pid}) lost its process or workers "
                f"({alive} of {workers} alive):\n{self.log_tail()}"
            )

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout_s: float = 15.0) -> None:
        if not self.running():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)
        # workers left behind by a supervisor that died first
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)


@dataclass
class Processes:
    """Every process started through it is stopped on exit, failure or not."""

    started: list[Process] = field(default_factory=list)

    def __enter__(self) -> "Processes":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for process in reversed(self.started):
            process.stop()
        self.started.clear()

    def start(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        *,
        port: int | None = None,
        ready_path: str | None = None,
        workers: int = 1,
        timeout_s: float = 90.0,
    ) -> Process:
        OUT.mkdir(parents=True, exist_ok=True)
        log_path = OUT / f"{name}.log"
        with log_path.open("wb") as log_file:
            popen = subprocess.Popen(
                list(argv),
                env=dict(env),
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log_path, port)
        self.started.append(process)
        if ready_path is not None:
            _wait_ready(process, ready_path, workers, timeout_s)
        return process

    def stop(self, process: Process, timeout_s: float = 15.0) -> None:
        process.stop(timeout_s)
        if process in self.started:
            self.started.remove(process)


def _wait_ready(process: Process, path: str, workers: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not process.running():
            raise RuntimeError(f"{process.name} exited early:\n{process.log_tail()}")
        if (workers == 1 or len(process.worker_pids()) >= workers) and _answers(process.url + path):
            if workers > 1:  # every worker past its lifespan startup, not just the first
                time.sleep(1.0)
            log(f"{process.name} ready on port {process.port} (pid {process.pid})")
            return
        time.sleep(0.2)
    raise RuntimeError(f"{process.name} not ready after {timeout_s:.0f} s:\n{process.log_tail()}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def started(processes: Processes, process: Process) -> Iterator[Process]:
    """Stop ``process`` when the block ends (the Processes keep it for failures too)."""
    try:
        yield process
    finally:
        processes.stop(process)
