"""What every benchmark module shares: paths, settings, progress on stderr, statistics."""

import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
LUA = BENCH / "lua"
RESULTS = BENCH / "RESULTS.md"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

_STARTED = time.monotonic()


@dataclass(frozen=True)
class Settings:
    """How hard and how long to measure; `BENCH_*` environment variables override."""

    duration_s: int = 3
    warmup_s: int = 1
    runs: int = 3
    threads: int = 2
    connections: int = 8  # as in issue 16's table; the p99 figures add p99_connections
    p99_connections: str = "64,256"
    seed_small: int = 1_000
    seed_large: int = 1_000_000
    crowd_users: int = 10_000  # other users in the table, with crowd_tasks tasks each
    crowd_tasks: int = 10
    deep_pages: int = 50
    memory_tasks: int = 10_000
    memory_sessions: int = 1_000
    agent_conversations: int = 64
    model_delay_s: float = 0.2
    agent_max_concurrent: int = 100
    profile_s: int = 4

    @property
    def high_connections(self) -> tuple[int, ...]:
        return tuple(int(c) for c in self.p99_connections.split(",") if c.strip())

    @classmethod
    def from_env(cls) -> "Settings":
        defaults = cls()
        changes: dict[str, object] = {}
        for spec in fields(cls):
            raw = os.environ.get(f"BENCH_{spec.name.upper()}")
            if raw is not None:
                changes[spec.name] = type(getattr(defaults, spec.name))(raw)
        return replace(defaults, **changes)  # type: ignore[arg-type]


def elapsed() -> float:
    return time.monotonic() - _STARTED


def log(message: str) -> None:
    """Progress, on stderr (stdout carries the results table)."""
    print(f"[bench {elapsed():6.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Stat:
    """The median of several runs, with their min and max."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> "Stat":
        if not values:
            return cls(float("nan"), float("nan"), float("nan"))
        return cls(statistics.median(values), min(values), max(values))

    def fmt(self, digits: int = 0) -> str:
        return f"{self.median:,.{digits}f} ({self.low:,.{digits}f}-{self.high:,.{digits}f})"


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")
