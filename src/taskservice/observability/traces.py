"""Stored agent traces: each run's spans, written once at its end, read back as a tree.

A run that paused for approvals and resumed has one trace per round (each its own SDK
trace). The spans belong to the run's row, which belongs to its session: they expire
and are deleted with the conversation (the foreign keys cascade).
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Column, ForeignKey, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from taskservice.agent.errors import RunNotFound
from taskservice.agent.runs.records import AgentRun
from taskservice.db import DbSessionMaker, UTCDateTime
from taskservice.observability.tracing import SpanRecord


class AgentTraceSpan(SQLModel, table=True):
    __tablename__ = "agent_trace_spans"

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(
        sa_column=Column(
            String(32),
            ForeignKey("agent_runs.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    trace_id: str = Field(sa_column=Column(String(64), nullable=False))
    span_id: str = Field(sa_column=Column(String(64), nullable=False))
    parent_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


async def store_trace(
    db_sessions: DbSessionMaker, run_id: str, trace_id: str, spans: list[SpanRecord]
) -> None:
    """One transaction: the spans of one round of a run."""
    if not spans:
        return
    async with db_sessions() as db, db.begin():
        db.add_all(
            AgentTraceSpan(
                run_id=run_id,
                trace_id=trace_id,
                span_id=span.span_id,
                parent_id=span.parent_id,
                kind=span.kind,
                name=span.name,
                started_at=span.started_at,
                ended_at=span.ended_at,
                error=span.error,
                data=span.data,
            )
            for span in spans
        )


async def spans_of(db: AsyncSession, run_id: str) -> list[AgentTraceSpan]:
    stmt = select(AgentTraceSpan).where(col(AgentTraceSpan.run_id) == run_id)
    return list((await db.execute(stmt.order_by(col(AgentTraceSpan.id)))).scalars())


def _ms(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() * 1000, 3)


class TraceSpan(BaseModel):
    id: str
    kind: str = Field(
        description="agent, handoff, guardrail, generation or response (a model call), "
        "function (a tool call), task (the run), turn, custom."
    )
    name: str = Field(description="The agent, tool or model; `from → to` for a handoff.")
    started_at: datetime
    ended_at: datetime | None = Field(description="null: the run stopped while it was open.")
    duration_ms: float | None
    error: str | None
    data: dict[str, Any] = Field(
        description="By kind: a model call's model, input_tokens and output_tokens; a tool "
        "call's arguments and output (cut at 500 characters) and outcome (ok, error, pending: "
        "it waits for approval); a "
        "handoff's from and to; a guardrail's triggered."
    )
    children: list["TraceSpan"]


class TraceRound(BaseModel):
    trace_id: str
    started_at: datetime
    ended_at: datetime | None
    duration_ms: float | None
    spans: list[TraceSpan] = Field(description="The round's top spans, each with its children.")


class RunTrace(BaseModel):
    run_id: str
    rounds: list[TraceRound] = Field(
        description="One per round of the run, oldest first: a run that paused for "
        "approvals and resumed has two. Empty with tracing off."
    )


def as_trace(run_id: str, spans: list[AgentTraceSpan]) -> RunTrace:
    """The rounds of a run, oldest first, each with its spans as a tree (children in the
    order they started; a span whose parent was not kept is a root)."""
    by_round: dict[str, list[AgentTraceSpan]] = {}
    for span in sorted(spans, key=lambda s: s.started_at):
        by_round.setdefault(span.trace_id, []).append(span)
    rounds = []
    for trace_id, members in by_round.items():
        nodes = {
            span.span_id: TraceSpan(
                id=span.span_id,
                kind=span.kind,
                name=span.name,
                started_at=span.started_at,
                ended_at=span.ended_at,
                duration_ms=_ms(span.started_at, span.ended_at),
                error=span.error,
                data=span.data,
                children=[],
            )
            for span in members
        }
        roots: list[TraceSpan] = []
        for span in members:
            parent = nodes.get(span.parent_id) if span.parent_id else None
            (parent.children if parent is not None else roots).append(nodes[span.span_id])
        started = members[0].started_at
        ended = max((s.ended_at for s in members if s.ended_at is not None), default=None)
        rounds.append(
            TraceRound(
                trace_id=trace_id,
                started_at=started,
                ended_at=ended,
                duration_ms=_ms(started, ended),
                spans=roots,
            )
        )
    return RunTrace(run_id=run_id, rounds=sorted(rounds, key=lambda r: r.started_at))


async def trace_of(db: AsyncSession, owner_id: int, run_id: str) -> RunTrace:
    """The owner's run's trace; another user's run is as missing as one that never was."""
    owned = await db.scalar(
        select(col(AgentRun.id)).where(
            col(AgentRun.id) == run_id, col(AgentRun.owner_id) == owner_id
        )
    )
    if owned is None:
        raise RunNotFound(run_id)
    return as_trace(run_id, await spans_of(db, run_id))
