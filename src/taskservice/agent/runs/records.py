"""What the database keeps of a run: its row, and one row per tool call it made.

A run's row is written at admission and at its end; while it runs, its owner renews a
lease on it about once a second and reads back whether someone asked it to stop. A
``running`` row whose lease ran out belongs to a worker that died: anyone may end it
as ``lost``. Each tool call's row is written in the same transaction as the call's own
work, so a call's effect is in the database if and only if its record is.
"""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from taskservice.db import UTCDateTime, utcnow


class RunStatus(StrEnum):
    running = "running"
    waiting_approval = "waiting_approval"
    completed = "completed"
    cancelled = "cancelled"
    timed_out = "timed_out"
    failed = "failed"


class Outcome(StrEnum):
    """How a run ended, finer than its status (and the label its metrics carry)."""

    completed = "completed"
    guardrail = "guardrail"
    waiting_approval = "waiting_approval"
    cancelled = "cancelled"
    timed_out = "timed_out"
    provider_error = "provider_error"
    max_turns = "max_turns"
    tool_limit = "tool_limit"
    lost = "lost"
    error = "error"

    @property
    def status(self) -> RunStatus:
        return _STATUS.get(self, RunStatus.failed)


_STATUS = {
    Outcome.completed: RunStatus.completed,
    Outcome.guardrail: RunStatus.completed,
    Outcome.waiting_approval: RunStatus.waiting_approval,
    Outcome.cancelled: RunStatus.cancelled,
    Outcome.timed_out: RunStatus.timed_out,
}


class StopMode(StrEnum):
    """``after_tool_call``: no new tool call starts, the ones running finish;
    ``immediate``: the ones running are cancelled and rolled back too."""

    after_tool_call = "after_tool_call"
    immediate = "immediate"


class AgentRun(SQLModel, table=True):
    __tablename__ = "agent_runs"
    __table_args__ = (
        Index("ix_agent_runs_owner_status", "owner_id", "status"),
        Index("ix_agent_runs_session", "session_id", "status"),
        Index("ix_agent_runs_status_lease", "status", "lease_expires_at"),
    )

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    owner_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    session_id: str = Field(
        sa_column=Column(
            String(32), ForeignKey("agent_sessions.id", ondelete="CASCADE"), nullable=False
        )
    )
    status: str = Field(sa_column=Column(String(16), nullable=False))
    outcome: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    stop_requested: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    # What the session's history does not hold yet: the request (until the run first
    # pauses or ends) and the tool calls past the first ``calls_in_history``.
    message: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    calls_in_history: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    worker: str = Field(sa_column=Column(String(80), nullable=False))
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    lease_expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class AgentToolCall(SQLModel, table=True):
    __tablename__ = "agent_tool_calls"

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(
        sa_column=Column(
            String(32),
            ForeignKey("agent_runs.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    call_id: str = Field(sa_column=Column(String(200), nullable=False))
    agent: str = Field(sa_column=Column(String(64), nullable=False))
    name: str = Field(sa_column=Column(String(64), nullable=False))
    arguments: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    output: Any = Field(sa_column=Column(JSON, nullable=True))
    ok: bool = Field(sa_column=Column(Boolean, nullable=False))
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class RunEnded(Exception):
    """The run this unit of work belongs to is no longer running (its end is recorded)."""


async def live_runs(db: AsyncSession, owner_id: int, session_id: str) -> tuple[int, int]:
    """(the owner's running runs, those on ``session_id``), counting only live leases."""
    row = (
        await db.execute(
            select(
                func.count(),
                func.count().filter(col(AgentRun.session_id) == session_id),
            ).where(
                col(AgentRun.owner_id) == owner_id,
                col(AgentRun.status) == RunStatus.running,
                col(AgentRun.lease_expires_at) > utcnow(),
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def renew(db: AsyncSession, run_id: str, lease: timedelta) -> tuple[str, str | None] | None:
    """Extend a running run's lease; (status, stop requested), or None if it is gone."""
    row = (
        await db.execute(
            update(AgentRun)
            .where(col(AgentRun.id) == run_id)
            .where(col(AgentRun.status) == RunStatus.running)
            .values(lease_expires_at=utcnow() + lease)
            .returning(col(AgentRun.status), col(AgentRun.stop_requested))
        )
    ).first()
    if row is not None:
        return str(row[0]), row[1]
    current = (
        await db.execute(
            select(col(AgentRun.status), col(AgentRun.stop_requested)).where(
                col(AgentRun.id) == run_id
            )
        )
    ).first()
    return None if current is None else (str(current[0]), current[1])


async def assert_running(db: AsyncSession, run_id: str) -> None:
    """Raise :class:`RunEnded` unless the run is still running, as the last step of a
    tool call's transaction. On PostgreSQL the row is share-locked until that commit,
    so a concurrent end (a reaper marking the run lost) waits for the call or is seen
    by it: no work of a run commits after its end."""
    stmt = select(col(AgentRun.status)).where(col(AgentRun.id) == run_id)
    if db.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(read=True)
    status = await db.scalar(stmt)
    if status != RunStatus.running:
        raise RunEnded(run_id)


async def tool_calls_of(db: AsyncSession, run_id: str) -> list[AgentToolCall]:
    stmt = select(AgentToolCall).where(col(AgentToolCall.run_id) == run_id)
    return list((await db.execute(stmt.order_by(col(AgentToolCall.id)))).scalars())


async def record_end(
    db: AsyncSession,
    run_id: str,
    outcome: Outcome,
    detail: str | None,
    *,
    ending: RunStatus = RunStatus.running,
    calls_in_history: int | None = None,
    stop_requested: StopMode | None = None,
) -> bool:
    """Mark a run that is ``ending`` (running, or waiting for approvals) as ended; False
    if it was not in that state any more (e.g. reaped as lost meanwhile). A run that
    pauses keeps no request and counts the calls its saved history now holds."""
    values: dict[str, Any] = {"status": outcome.status, "outcome": outcome, "detail": detail}
    if stop_requested is not None:
        values["stop_requested"] = stop_requested
    if outcome is Outcome.waiting_approval:
        values.update(message=None, calls_in_history=calls_in_history or 0)
    else:
        values["ended_at"] = utcnow()
    result = await db.execute(
        update(AgentRun)
        .where(col(AgentRun.id) == run_id, col(AgentRun.status) == ending)
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def expired_runs(db: AsyncSession, *, owner_id: int | None = None) -> list[AgentRun]:
    """Running runs whose lease ran out: their worker died. Locked for the caller."""
    stmt = select(AgentRun).where(
        col(AgentRun.status) == RunStatus.running, col(AgentRun.lease_expires_at) <= utcnow()
    )
    if owner_id is not None:
        stmt = stmt.where(col(AgentRun.owner_id) == owner_id)
    if db.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list((await db.execute(stmt.limit(100))).scalars())
