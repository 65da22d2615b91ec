"""What the scenarios share: settings, processes, databases, users, and the results so far."""

import statistics
from dataclasses import dataclass, field

from bench.common import Settings, log, ratio
from bench.database import Database, User, analyze, create, create_users, migrate, seed_tasks
from bench.procs import Processes
from bench.profiling import Profile
from bench.wrk import Series

LIST_PATH = "/tasks?status=todo&sort=-priority&limit=20"

# Users on every database, and how many tasks each is seeded with.
CRUD, WRITER, SMALL, LARGE, AGENT = "crud", "writer", "scale_small", "scale_large", "agent"
LOAD_USERS = tuple(f"load{n}" for n in range(1, 9))
MEM_TASKS, MEM_AGENT = "mem_tasks", "mem_agent"


@dataclass(frozen=True)
class Measured:
    """One figure: where it was measured and its runs."""

    db: str
    workers: int
    what: str
    series: Series
    note: str = ""
    problem: str = ""  # what makes this figure a failure besides wrk's own error counts

    @property
    def ok(self) -> bool:
        return self.series.ok and not self.problem

    @property
    def errors_text(self) -> str:
        if not self.problem:
            return self.series.errors_text
        return f"{self.series.errors_text if not self.series.ok else ''} {self.problem}".strip()


@dataclass(frozen=True)
class AgentResult:
    db: str
    message: str
    http: Series
    http_ms: list[float]
    bare_ms: list[float]
    bare_cpu_ms: list[float]
    phases: dict[str, float]
    phases_total_ms: float
    phases_missing: list[str]

    @property
    def ratio(self) -> float:
        return ratio(statistics.median(self.http_ms), statistics.median(self.bare_ms))


@dataclass(frozen=True)
class BlockingResult:
    db: str
    workers: int
    idle: Series
    loaded: Series
    turns: int
    statuses: dict[str, int]
    mean_turn_ms: float
    calls_per_turn: float

    @property
    def ratio(self) -> float:
        return ratio(self.loaded.p99.median, self.idle.p99.median)


@dataclass(frozen=True)
class MemoryResult:
    db: str
    points: list[tuple[str, float]]
    errors: list[str]
    stable_mib: float

    def growth(self, first: int, last: int) -> float:
        return self.points[last][1] - self.points[first][1]

    @property
    def stable(self) -> bool:
        """The second 5,000 tasks and the second 500 sessions add (almost) nothing."""
        return self.growth(1, 2) <= self.stable_mib and self.growth(3, 4) <= self.stable_mib


@dataclass
class Results:
    crud: list[Measured] = field(default_factory=list)
    baseline: list[tuple[Measured, Measured]] = field(default_factory=list)
    scale: list[Measured] = field(default_factory=list)
    scale_queries: list[str] = field(default_factory=list)
    agent: AgentResult | None = None
    blocking: BlockingResult | None = None
    memory: MemoryResult | None = None
    profiles: list[Profile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@dataclass
class Context:
    settings: Settings
    procs: Processes
    dbs: tuple[Database, ...]
    users: dict[str, dict[str, User]] = field(default_factory=dict)
    crud_ids: dict[str, tuple[int, int]] = field(default_factory=dict)
    results: Results = field(default_factory=Results)

    def user(self, db: Database, name: str) -> User:
        return self.users[db.kind][name]


def prepare(ctx: Context) -> None:
    """Fresh databases, migrated by the CLI, with users and seeded tasks."""
    for db in ctx.dbs:
        create(db)
    migrate(ctx.dbs)
    s = ctx.settings
    for db in ctx.dbs:
        names = [CRUD, WRITER, SMALL, LARGE, AGENT]
        if db.kind == "postgresql":
            names += [*LOAD_USERS, MEM_TASKS, MEM_AGENT]
        ctx.users[db.kind] = users = create_users(db, names)
        ctx.crud_ids[db.kind] = seed_tasks(db, users[CRUD].id, 1_000, seed=1)
        seed_tasks(db, users[SMALL].id, s.seed_small, seed=2)
        seed_tasks(db, users[LARGE].id, s.seed_large, seed=3)
        seed_tasks(db, users[AGENT].id, 20, seed=4)
        for n, name in enumerate(LOAD_USERS):
            if name in users:
                seed_tasks(db, users[name].id, 50, seed=10 + n)
        analyze(db)
        log(
            f"{db.label}: {len(names)} users, {s.seed_small + s.seed_large + 1_020:,}+ tasks seeded"
        )
