"""py-spy on a server worker while load runs: where its CPU time goes.

``py-spy record --format raw`` writes one line per distinct stack with its sample
count; idle samples (the event loop waiting in epoll, idle pool threads) are left
out, so shares are of the time the worker was busy running Python. A speedscope
file of the same recording is kept in ``bench/out/`` for a closer look.
"""

import subprocess
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.common import BIN, OUT, Settings, log
from bench.procs import Process
from bench.wrk import run_once

# Frames every request passes through whatever it does: left out of "inclusive" lists.
_PLUMBING = (
    "typer/",
    "click/",
    "uvicorn/",
    "asyncio/",
    "<module>",
    "taskservice/cli.py",
    "taskservice/middleware.py",
    "multiprocessing/",
    "starlette/",
    "fastapi/routing.py",
    "fastapi/applications.py",
    "fastapi/middleware/",
    "fastapi/_body_limit.py",
    "fastapi/telemetry/",
    "anyio/",
    "threading.py",
    "contextlib.py",
    "bench/",
)
# A thread blocked here is waiting, not working (py-spy does not always see it as idle):
# idle thread-pool workers (anyio's, asyncio's executor), uvicorn's supervisor pipe.
_WAITING = (
    "Condition.wait (threading.py",
    "_worker (concurrent/futures/thread.py",
    "Connection._recv (multiprocessing/",
)


@dataclass(frozen=True)
class Profile:
    label: str
    samples: int
    by_package: list[tuple[str, float]]
    top_self: list[tuple[str, float]]
    top_inclusive: list[tuple[str, float]]
    speedscope: Path | None

    def markdown(self) -> str:
        lines = [f"**{self.label}** ({self.samples} busy samples at 100 Hz)", ""]
        lines.append(
            "- CPU by package (self time): "
            + ", ".join(f"{name} {share:.0%}" for name, share in self.by_package)
        )
        lines.append("- Top frames, self time:")
        lines += [f"  - {share:5.1%} `{frame}`" for frame, share in self.top_self]
        lines.append("- Top frames, inclusive (time in the frame and what it calls):")
        lines += [f"  - {share:5.1%} `{frame}`" for frame, share in self.top_inclusive]
        if self.speedscope is not None:
            lines.append(f"- Speedscope profile: `{self.speedscope.relative_to(OUT.parent)}`")
        return "\n".join(lines)


class Recording:
    """Starts py-spy on ``pid`` at once; :meth:`finish` waits and summarises."""

    def __init__(self, label: str, pid: int, seconds: int, slug: str) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        self.label = label
        self.raw = OUT / f"profile-{slug}.txt"
        self.speedscope = OUT / f"profile-{slug}.speedscope.json"
        common = ["record", "--pid", str(pid), "--duration", str(seconds), "--rate", "100"]
        self.procs = [
            subprocess.Popen(
                [str(BIN / "py-spy"), *common, "--format", fmt, "-o", str(path)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for fmt, path in (("raw", self.raw), ("speedscope", self.speedscope))
        ]

    def finish(self) -> Profile | None:
        for proc in self.procs:
            try:
                _, err = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                err = b"timed out"
            if proc.returncode != 0:
                log(f"py-spy failed for {self.label}: {err.decode(errors='replace')[-300:]}")
                return None
        return summarize(self.label, self.raw, self.speedscope)


def _package(frame: str) -> str:
    """``func (pkg/mod.py:12)`` -> ``pkg``; the standard library's top modules as such."""
    if "(" not in frame:
        return "(native)"
    where = frame.rsplit("(", 1)[1].rstrip(")").split(":")[0]
    head = where.split("/")[0]
    return head.removesuffix(".py") or "(unknown)"


def summarize(label: str, raw: Path, speedscope: Path | None = None, top: int = 12) -> Profile:
    total = 0
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if f]
        if not frames or frames[-1].startswith(_WAITING):
            continue
        total += count
        leaf = frames[-1]
        self_time[leaf] += count
        packages[_package(leaf)] += count
        for frame in set(frames):
            if not any(p in frame for p in _PLUMBING):
                inclusive[frame] += count
    total = max(total, 1)

    def shares(counter: Counter[str], n: int) -> list[tuple[str, float]]:
        return [(name, count / total) for name, count in counter.most_common(n)]

    interesting = Counter(
        {
            frame: count
            for frame, count in inclusive.items()
            if count / total < 0.9  # drop the frames that (nearly) every sample passes through
        }
    )
    return Profile(
        label,
        total,
        shares(packages, 8),
        shares(self_time, top),
        shares(interesting, top),
        speedscope if speedscope is not None and speedscope.exists() else None,
    )


def profile_wrk(
    label: str,
    slug: str,
    server: Process,
    script: str,
    env: Mapping[str, str],
    settings: Settings,
    *,
    connections: int | None = None,
    threads: int | None = None,
) -> Profile | None:
    """Profile the server's first worker during an extra wrk run of ``script``."""
    connections = connections or settings.connections
    recording = Recording(label, server.worker_pids()[0], settings.profile_s, slug)
    run_once(
        server.url,
        script,
        env,
        duration_s=settings.profile_s + 1,
        threads=min(threads or settings.threads, connections),
        connections=connections,
    )
    profile = recording.finish()
    if profile is not None:
        log(f"profiled {label}: {profile.samples} samples")
    return profile
