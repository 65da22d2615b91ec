"""The figure tables of RESULTS.md, one function per figure."""

from collections.abc import Sequence

from bench.agent_phases import PHASES
from bench.common import Settings, Stat, ratio
from bench.context import FLOOR, SERVICE, Results
from bench.wrk import Series
from taskservice.tasks.schemas import EXACT_TOTAL_MAX


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def crud(results: Results) -> str:
    rows = [
        [
            m.db,
            str(m.workers),
            f"`{m.what}`",
            m.series.rps.fmt(),
            m.series.p50.fmt(1),
            m.series.p99.fmt(1),
            m.series.cpu_text,
            m.errors_text,
        ]
        for m in results.crud
    ]
    header = ["Database", "Workers", "Request", "req/s", "p50 ms", "p99 ms", "CPU ms/req"]
    header.append("Errors")
    return table(header, rows)


def versus(results: Results) -> str:
    rows = []
    for pair in results.versus:
        floor = pair.floor
        for name, series in pair.series.items():
            vs = ratio(series.rps.median, floor.rps.median)
            cpu = ratio(floor.cpu_ms or 0.0, series.cpu_ms or 0.0)
            rows.append(
                [
                    f"`{pair.what}`",
                    str(pair.connections),
                    f"**{name}**" if name == SERVICE else name,
                    series.rps.fmt(),
                    series.p50.fmt(1),
                    series.p99.fmt(1),
                    series.cpu_text,
                    "" if name == FLOOR else f"**{vs:.2f}** (CPU {cpu:.2f})",
                    series.errors_text,
                ]
            )
    header = ["Request", "Connections", "Server", "req/s", "p50 ms", "p99 ms", "CPU ms/req"]
    header += ["against the floor: req/s (CPU per request)", "Errors"]
    return table(header, rows) + (
        "\n\nThe ratio is the server's median req/s over the floor's, and in parentheses "
        "the floor's CPU per request over the server's: above 1, faster than the floor."
    )


def scale(results: Results, settings: Settings) -> str:
    small, large = f"{settings.seed_small:,}", f"{settings.seed_large:,}"
    rows = []
    for label, series in results.scale:
        s, big = series[small], series[large]
        rows.append(
            [
                label,
                s.rps.fmt(),
                big.rps.fmt(),
                f"**{ratio(s.rps.median, big.rps.median):.2f}**",
                s.p50.fmt(1),
                big.p50.fmt(1),
                big.p99.fmt(1),
                f"{s.cpu_text} / {big.cpu_text}",
                _errors(s, big),
            ]
        )
    header = ["Request", f"{small} tasks req/s", f"{large} tasks req/s", "slowdown"]
    header += [f"p50 ms {small}", f"p50 ms {large}", f"p99 ms {large}", "CPU ms/req"]
    header.append("Errors")
    text = (
        f"PostgreSQL, 1 worker, -c{settings.connections}: one user with {small} tasks, one "
        f"with {large}, among {settings.crowd_users:,} other users with "
        f"{settings.crowd_tasks} tasks each; the two take turns run by run. Deep page: "
        f"reached by following `next_cursor` from page 1 (up to {settings.deep_pages} "
        "pages; the smaller user has fewer).\n\n"
    )
    text += table(header, rows)
    if results.count_costs:
        text += (
            "\n\nWhat a page and its `total` cost on the database, for each kind of filter "
            "(EXPLAIN ANALYZE, median of 3, the statements the service runs): `total` as "
            "served is the counters' sum for status and priority, else a count that stops "
            f"after {EXACT_TOTAL_MAX + 1:,} matches; `count(*)` is what counting every "
            "match costs (the total before the bound).\n\n"
        )
        cost_rows = [
            [
                f"`{c.what}`",
                f"{c.size:,}",
                f"{c.matching:,}",
                f"{c.page_ms:.2f}",
                f"{c.total_ms:.2f}",
                f"{c.unbounded_ms:.2f}",
                c.plan,
            ]
            for c in results.count_costs
        ]
        cost_header = ["Filter", "Tasks", "Matching", "Page ms", "`total` as served ms"]
        cost_header += ["`count(*)` ms", "Page plan"]
        text += table(cost_header, cost_rows)
    if results.totals:
        text += "\n\nSeeded totals, as `GET /tasks` gives them (checked equal, exact): "
        text += "; ".join(results.totals) + "."
    return text


def _errors(*series: Series) -> str:
    bad = [s.errors_text for s in series if not s.ok]
    return "; ".join(bad) or "0"


def maximal(results: Results, settings: Settings) -> str:
    m = results.maximal
    if m is None:
        return "_one maximal run: not measured_"
    rows = [
        [name, x.rps.fmt(), x.p50.fmt(1), x.p99.fmt(1), x.errors_text]
        for name, x in (("idle", m.idle), ("one maximal agent run after another", m.loaded))
    ]
    header = ["`GET /tasks/{id}` (another user)", "req/s", "p50 ms", "p99 ms", "Errors"]
    bad = {k: v for k, v in m.statuses.items() if k != "200"}
    return table(header, rows) + (
        f"\n\nPostgreSQL, 1 worker, -c{settings.connections}, offline model. p99 loaded / "
        f"idle: **{m.ratio:.2f}**. Each run: `add tasks: ...` with {m.tool_calls} items, "
        f"{m.tool_calls} tool calls (the TASKSERVICE_AGENT_MAX_TOOL_CALLS default, at most "
        f"4 at once), a new run as soon as one ends; {m.runs} runs finished while the reads "
        f"were measured, {m.mean_run_ms:,.0f} ms each on average; failed runs: "
        f"{bad or 'none'}."
    )


def agent(results: Results) -> str:
    a = results.agent
    if a is None:
        return "_not measured_"
    http = a.http
    rows = [
        ["`POST /agent` over HTTP (1 worker, one request at a time)", _fmt_ms(a.http_ms)],
        ["`Runner.run` in a bare loop (no HTTP, auth, session store)", _fmt_ms(a.bare_ms)],
        ["ratio", f"{a.ratio:.2f}"],
    ]
    text = table(["Path", "ms per turn"], rows)
    text += (
        f"\n\n{a.db}, offline model, message `{a.message}` (triage -> planner -> "
        f"create_task -> reply); every request a new session. HTTP errors: {http.errors_text}. "
        f"Server CPU per HTTP turn: {http.cpu_text} ms; the bare loop's CPU per turn: "
        f"{Stat.of(a.bare_cpu_ms).fmt(1)} ms."
    )
    if a.phases:
        rows = [
            [label.replace("  of which", "&nbsp;&nbsp;of which"), f"{a.phases[label]:.1f}"]
            for *_, label in PHASES
            if label in a.phases
        ]
        rows.append(["whole request (incl. HTTP, FastAPI, the rest)", f"{a.phases_total_ms:.1f}"])
        text += (
            "\n\nWhere the CPU of one `POST /agent` goes (`bench/agent_phases.py`: the app "
            "in-process, timers around each step, 100 requests one at a time):\n\n"
            + table(["Step", "CPU ms per request"], rows)
        )
        if a.phases_missing:
            text += "\n\nNot instrumented (renamed?): " + ", ".join(a.phases_missing)
    return text


def _fmt_ms(values: list[float]) -> str:
    return Stat.of(values).fmt(1)


def blocking(results: Results, settings: Settings) -> str:
    b = results.blocking
    if b is None:
        return "_not measured_"
    rows = [
        [name, m.rps.fmt(), m.p50.fmt(1), m.p99.fmt(1), m.errors_text]
        for name, m in (
            ("idle", b.idle),
            (f"{settings.agent_conversations} agent conversations", b.loaded),
        )
    ]
    text = table(["`GET /tasks/{id}`", "req/s", "p50 ms", "p99 ms", "Errors"], rows)
    bad = {k: v for k, v in b.statuses.items() if k != "200"}
    return text + (
        f"\n\n{b.db}, {b.workers} workers, -c64. p99 loaded / idle: **{b.ratio:.2f}**. "
        "Agent load: "
        f"{settings.agent_conversations} conversations over 8 users (5 turns per session), "
        f"model answering after {settings.model_delay_s * 1000:.0f} ms; {b.turns} turns "
        f"finished while it ran, {b.calls_per_turn:.1f} model calls per turn, mean turn "
        f"{b.mean_turn_ms:.0f} ms; failed turns: {bad or 'none'}."
    )


def memory(results: Results) -> str:
    m = results.memory
    if m is None:
        return "_not measured_"
    rows, previous = [], None
    for label, mib in m.points:
        delta = "" if previous is None else f"{mib - previous:+.1f}"
        rows.append([label, f"{mib:.1f}", delta])
        previous = mib
    text = table(["Point (1 worker, offline model)", "RSS MiB", "change"], rows)
    if m.errors:
        text += (
            "\n\nRequests that failed while loading (the counts above are what was created): "
            + "; ".join(m.errors)
        )
    return text
