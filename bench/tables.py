"""The figure tables of RESULTS.md, one function per figure."""

from collections.abc import Sequence

from bench.agent_phases import PHASES
from bench.common import Settings, Stat, ratio
from bench.context import Measured, Results
from bench.wrk import Series


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


def baseline(results: Results) -> str:
    rows = []
    for ours, theirs in results.baseline:
        r = ratio(ours.series.rps.median, theirs.series.rps.median)
        cpu = ratio(ours.series.cpu_ms or 0.0, theirs.series.cpu_ms or 0.0)
        rows.append(
            [
                ours.db,
                str(ours.workers),
                ours.series.rps.fmt(),
                theirs.series.rps.fmt(),
                f"**{r:.2f}**",
                ours.series.p99.fmt(1),
                theirs.series.p99.fmt(1),
                f"{ours.series.cpu_text} / {theirs.series.cpu_text} ({cpu:.1f}x)",
                theirs.series.errors_text,
            ]
        )
    header = ["Database", "Workers", "taskservice req/s", "baseline req/s", "ours / baseline"]
    header += ["taskservice p99 ms", "baseline p99 ms", "server CPU ms/req, ours / baseline"]
    header.append("baseline errors")
    return table(header, rows)


def scale_pairs(results: Results) -> list[tuple[Measured, Measured]]:
    """(1,000 tasks, 100,000 tasks) for each database and page kind."""
    pairs = []
    for small in results.scale:
        kind, size = small.note.split(":")
        for large in results.scale:
            other_kind, other_size = large.note.split(":")
            same = large.db == small.db and other_kind == kind
            if same and int(other_size) > int(size):
                pairs.append((small, large))
    return pairs


def scale(results: Results, settings: Settings) -> str:
    rows = []
    for small, large in scale_pairs(results):
        r = ratio(small.series.rps.median, large.series.rps.median)
        rows.append(
            [
                small.db,
                str(small.workers),
                f"{small.what} / {large.what}",
                small.series.rps.fmt(),
                large.series.rps.fmt(),
                f"{r:.2f}",
                small.series.p50.fmt(1),
                large.series.p50.fmt(1),
                large.series.p99.fmt(1),
                _errors(small.series, large.series),
            ]
        )
    header = ["Database", "Workers", "Page (1k / 100k)", f"{settings.seed_small:,} req/s"]
    header += [f"{settings.seed_large:,} req/s", "slowdown", "p50 ms 1k", "p50 ms 100k"]
    header += ["p99 ms 100k", "Errors"]
    text = table(header, rows)
    if results.scale_queries:
        text += "\n\nThe two statements behind a page, timed on the database (median of 5):\n\n"
        text += "\n".join(f"- {line}" for line in results.scale_queries)
    return text


def _errors(*series: Series) -> str:
    bad = [s.errors_text for s in series if not s.ok]
    return "; ".join(bad) or "0"


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
        f"\n\n{b.db}, {b.workers} workers. p99 loaded / idle: **{b.ratio:.2f}**. Agent load: "
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
