"""Admitting a run: one transaction that checks the session and the limits and writes the
run as running; a refusal (404, 409, 429) rolls all of it back, changing nothing."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from taskservice.agent.errors import ApprovalsPending, SessionBusy, TooManyRuns, UnknownApproval
from taskservice.agent.runs import records
from taskservice.agent.runs.leases import WORKER, reap_lost
from taskservice.agent.runs.records import AgentRun, RunStatus
from taskservice.agent.schemas import Decision
from taskservice.agent.sessions import AgentSession, SessionStore, new_session_id
from taskservice.auth.models import User
from taskservice.db import utcnow
from taskservice.tasks.repository import TaskRepository


@dataclass(frozen=True)
class Limits:
    per_user: int
    lease: timedelta


@dataclass(frozen=True)
class Admitted:
    run_id: str
    session: AgentSession
    fresh: bool  # a session made for this run: it has no history yet
    calls_made: int = 0  # by a paused run, before it waited
    paused_state: str | None = None  # the paused run's RunState, as JSON
    lost: int = 0  # runs of dead workers this admission ended as lost


async def admit_message(
    db: AsyncSession,
    store: SessionStore,
    *,
    session_id: str | None,
    message: str,
    task_id: int | None,
    limits: Limits,
) -> Admitted:
    """A new run of ``message``, on a new session or one of the owner's."""
    if task_id is not None:
        await TaskRepository(db, store.owner_id).get(task_id)
    existing = await store.get(session_id) if session_id is not None else None
    await _lock_owner(db, store.owner_id)
    if existing is None:
        session = await store.create(new_session_id(), message, task_id)
    else:
        session = existing
        await db.refresh(session)  # as it is now that we hold the owner's lock
        if session.pending_approvals:
            raise ApprovalsPending(session.id)
        if task_id is not None:
            session.focus_task_id = task_id
    run_id, lost = await _admit(db, store.owner_id, session.id, message, limits)
    return Admitted(run_id, session, fresh=existing is None, lost=lost)


async def admit_decisions(
    db: AsyncSession,
    store: SessionStore,
    session_id: str,
    decisions: list[Decision],
    limits: Limits,
) -> Admitted:
    """The paused run of a session, running again to apply these decisions."""
    session = await store.get(session_id)
    await _lock_owner(db, store.owner_id)
    await db.refresh(session)
    pending = {a["id"] for a in session.pending_approvals or []}
    unknown = next((d.id for d in decisions if d.id not in pending), None)
    if unknown is not None or not session.pending_state:
        raise UnknownApproval(unknown or decisions[0].id)
    paused = await db.scalar(
        select(AgentRun).where(
            col(AgentRun.session_id) == session_id,
            col(AgentRun.status) == RunStatus.waiting_approval,
        )
    )
    if paused is None:
        raise UnknownApproval(decisions[0].id)
    _, lost = await _admit(db, store.owner_id, session_id, None, limits, resuming=paused)
    calls = await records.tool_calls_of(db, paused.id)
    return Admitted(paused.id, session, False, len(calls), session.pending_state, lost)


async def _lock_owner(db: AsyncSession, owner_id: int) -> None:
    """Serialise admissions per user: concurrent ones queue on the user's row. (On SQLite
    the first write of the transaction takes the database's write lock, which serialises
    them just the same.)"""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(select(col(User.id)).where(col(User.id) == owner_id).with_for_update())


async def _admit(
    db: AsyncSession,
    owner_id: int,
    session_id: str,
    message: str | None,
    limits: Limits,
    *,
    resuming: AgentRun | None = None,
) -> tuple[str, int]:
    """Write the run as running, then check the limits in the same transaction; the run's
    id, and how many of the owner's runs of dead workers were ended meanwhile."""
    lost = await reap_lost(db, owner_id=owner_id)
    now = utcnow()
    if resuming is None:
        run = AgentRun(
            id=secrets.token_hex(16),
            owner_id=owner_id,
            session_id=session_id,
            status=RunStatus.running,
            message=message,
            worker=WORKER,
            started_at=now,
            lease_expires_at=now + limits.lease,
        )
        db.add(run)
    else:
        run = resuming
        run.status = RunStatus.running
        run.outcome = None
        run.detail = None
        run.stop_requested = None
        run.worker = WORKER
        run.lease_expires_at = now + limits.lease
    await db.flush()
    running, on_session = await records.live_runs(db, owner_id, session_id)
    if on_session > 1:
        raise SessionBusy()
    if running > limits.per_user:
        raise TooManyRuns(limits.per_user)
    return run.id, lost
