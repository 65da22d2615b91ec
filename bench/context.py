"""What the scenarios share: settings, processes, databases, users, and the results so far."""

import statistics
from dataclasses import dataclass, field

from bench.common import Settings, log, ratio
from bench.database import Database, User, create, create_users, migrate
from bench.procs import Processes
from bench.profiling import Profile
from bench.seeding import Seed, check_totals, create_crowd, seed
from bench.wrk import Series

LIST_PATH = "/tasks?status=todo&sort=-priority&limit=20"

# Users on every database, and how many tasks each is seeded with.
CRUD, WRITER, SMALL, LARGE, AGENT = "crud", "writer", "scale_small", "scale_large", "agent"
MAXIMAL = "agent_maximal"  # makes maximal agent runs (50 tool calls each)
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


SERVICE, FLOOR, BASELINE = "taskservice", "floor", "baseline"


@dataclass(frozen=True)
class SideBySide:
    """One request at one concurrency, on each server (figure 1)."""

    what: str
    connections: int
    series: dict[str, Series]

    @property
    def service(self) -> Series:
        return self.series[SERVICE]

    @property
    def floor(self) -> Series:
        return self.series[FLOOR]

    @property
    def ratio(self) -> float:
        """The service's req/s over the floor's (medians)."""
        return ratio(self.service.rps.median, self.floor.rps.median)

    @property
    def cpu_ratio(self) -> float:
        """The floor's CPU per request over the service's: the same ratio, from CPU time."""
        return ratio(self.floor.cpu_ms or 0.0, self.service.cpu_ms or 0.0)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.series.values())


@dataclass(frozen=True)
class MaximalRun:
    """Another user's reads while one maximal agent run follows another (issue 10)."""

    idle: Series
    loaded: Series
    tool_calls: int  # in the run checked before measuring
    runs: int  # runs that finished while the reads were measured
    statuses: dict[str, int]
    mean_run_ms: float

    @property
    def ratio(self) -> float:
        return ratio(self.loaded.p99.median, self.idle.p99.median)


@dataclass(frozen=True)
class CountCost:
    """What a list page and its ``total`` cost on the database, for one filter and size."""

    what: str
    size: int
    matching: int
    page_ms: float
    total_ms: float  # as served: the counters, or the count bounded at EXACT_TOTAL_MAX
    unbounded_ms: float  # count(*) of every match, what the total cost before the bound
    plan: str


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
    versus: list[SideBySide] = field(default_factory=list)
    totals: list[str] = field(default_factory=list)  # seeded totals, as the API gives them
    scale: list[tuple[str, dict[str, Series]]] = field(default_factory=list)
    count_costs: list[CountCost] = field(default_factory=list)
    maximal: MaximalRun | None = None
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
    seeded: dict[str, dict[str, int]] = field(default_factory=dict)  # tasks seeded, by user
    results: Results = field(default_factory=Results)

    def user(self, db: Database, name: str) -> User:
        return self.users[db.kind][name]


def ids_env(ctx: Context, db: Database) -> dict[str, str]:
    """What get_task.lua and patch_task.lua read: the CRUD user's key and task ids."""
    low, high = ctx.crud_ids[db.kind]
    return {
        "BENCH_KEY": ctx.user(db, CRUD).key,
        "BENCH_ID_MIN": str(low),
        "BENCH_ID_MAX": str(high),
    }


def prepare(ctx: Context) -> None:
    """Fresh databases, migrated by the CLI, with users and seeded tasks whose totals
    (rows and counters) are checked. The scale of data (the 1,000,000-task user among
    10,000 others) is on PostgreSQL only."""
    for db in ctx.dbs:
        create(db)
    migrate(ctx.dbs)
    s = ctx.settings
    for db in ctx.dbs:
        pg = db.kind == "postgresql"
        names = [CRUD, WRITER, SMALL, AGENT]
        if pg:
            names += [LARGE, MAXIMAL, *LOAD_USERS, MEM_TASKS, MEM_AGENT]
        ctx.users[db.kind] = users = create_users(db, names)
        plan = [
            Seed(users[CRUD].id, 1_000, 1),
            Seed(users[SMALL].id, s.seed_small, 2),
            Seed(users[AGENT].id, 20, 4),
        ]
        if pg:
            plan.append(Seed(users[LARGE].id, s.seed_large, 3))
            plan += [Seed(users[name].id, 50, 10 + n) for n, name in enumerate(LOAD_USERS)]
            crowd = create_crowd(db, s.crowd_users)
            plan += [Seed(owner, s.crowd_tasks, 100 + n) for n, owner in enumerate(crowd)]
        ranges = seed(db, plan)
        check_totals(db, plan)
        ctx.crud_ids[db.kind] = ranges[users[CRUD].id]
        ctx.seeded[db.kind] = {
            name: n.count for name in names for n in plan if n.owner_id == users[name].id
        }
        log(
            f"{db.label}: {len(names) + (s.crowd_users if pg else 0):,} users, "
            f"{sum(n.count for n in plan):,} tasks seeded; rows and counters checked"
        )
