"""The runs of this worker, from admission to their recorded end.

``AgentRuns.start`` (a new message) and ``AgentRuns.resume`` (approval decisions)
admit a run in one transaction, then hand it to :meth:`AgentRuns._owning`, the one
lifecycle every run goes through, whichever endpoint asked for it: a lease renewed
while it runs (so a run whose worker died is ended as ``lost`` by anyone within the
lease), a stop when it is asked for (``POST /agent/runs/{id}/cancel``, on any worker
sharing the database) or when its deadline passes, and, whatever happened, its end
recorded exactly once, shielded from cancellation.
"""

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from agents import ModelSettings, RunConfig, RunContextWrapper, RunState
from agents.models.interface import Model
from agents.run_config import ToolExecutionConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import col

from taskservice.agent.context import AgentContext
from taskservice.agent.errors import (
    ApprovalsPending,
    RunNotFound,
    RunNotRunning,
    SessionBusy,
    TooManyRuns,
    UnknownApproval,
)
from taskservice.agent.history import TurnHistory, append, attach
from taskservice.agent.runs import records
from taskservice.agent.runs.control import RunControl
from taskservice.agent.runs.records import AgentRun, AgentToolCall, Outcome, RunStatus, StopMode
from taskservice.agent.runs.run import Run, RunSettings, history_of_incomplete_run
from taskservice.agent.schemas import Decision
from taskservice.agent.sessions import AgentSession, SessionStore, new_session_id, set_pending
from taskservice.agent.tools.approvals import REJECTED
from taskservice.agent.triage import triage
from taskservice.auth.models import User
from taskservice.config import Settings
from taskservice.db import DbSessionMaker, database_unavailable, run_to_completion, utcnow
from taskservice.tasks.repository import TaskRepository

logger = logging.getLogger("taskservice.agent")

WORKER = f"{socket.gethostname()}:{os.getpid()}"[:80]


class AgentRuns:
    def __init__(
        self, settings: Settings, engine: AsyncEngine, db_sessions: DbSessionMaker, model: Model
    ) -> None:
        self.settings = settings
        self.engine = engine
        attach(engine, settings.sqlite_busy_timeout_ms)
        self.db_sessions = db_sessions
        self.model = model
        self.session_ttl = timedelta(hours=settings.agent_session_ttl_hours)
        self.lease = timedelta(seconds=settings.agent_run_lease_s)
        self.active: dict[str, Run] = {}
        self.run_settings = RunSettings(
            db_sessions=db_sessions,
            run_config=RunConfig(
                model=model,
                # Responses are not kept by the provider: task data stays in our database.
                model_settings=ModelSettings(store=False)
                if settings.openai_api == "responses"
                else None,
                tracing_disabled=not settings.tracing,
                workflow_name="taskservice agent",
                tool_execution=ToolExecutionConfig(
                    max_function_tool_concurrency=settings.agent_max_parallel_tools
                ),
            ),
            max_turns=settings.agent_max_turns,
            timeout_s=settings.agent_timeout_s,
        )

    def sessions(self, db: AsyncSession, owner_id: int) -> SessionStore:
        return SessionStore(db, owner_id, self.session_ttl)

    # -- admission --------------------------------------------------------------------

    @asynccontextmanager
    async def start(
        self, owner_id: int, *, session_id: str | None, message: str, task_id: int | None
    ) -> AsyncIterator[Run]:
        """Admit a run of ``message`` (404, 409, 429 refuse it, changing nothing)."""
        async with self.db_sessions() as db, db.begin():
            store = self.sessions(db, owner_id)
            if task_id is not None:
                await TaskRepository(db, owner_id).get(task_id)
            existing = await store.get(session_id) if session_id is not None else None
            await self._lock_owner(db, owner_id)
            if existing is None:
                session = await store.create(new_session_id(), message, task_id)
            else:
                session = existing
                await db.refresh(session)  # as it is now that we hold the owner's lock
                if session.pending_approvals:
                    raise ApprovalsPending(session.id)
                if task_id is not None:
                    session.focus_task_id = task_id
            run_id = await self._admit(db, owner_id, session.id, message)
        run = self._make_run(run_id, session, message, fresh=existing is None, used=0)
        async with self._owning(run):
            yield run

    @asynccontextmanager
    async def resume(
        self, owner_id: int, session_id: str, decisions: list[Decision]
    ) -> AsyncIterator[tuple[Run, RunState[Any, Any]]]:
        """Admit the paused run of a session again, with these decisions applied."""
        async with self.db_sessions() as db, db.begin():
            session = await self.sessions(db, owner_id).get(session_id)
            await self._lock_owner(db, owner_id)
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
            await self._admit(db, owner_id, session_id, None, resuming=paused)
            used = len(await records.tool_calls_of(db, paused.id))
            state_json = session.pending_state
        run = self._make_run(paused.id, session, None, fresh=False, used=used)
        async with self._owning(run):
            state: RunState[Any, Any] = await RunState.from_json(
                triage, json.loads(state_json), context_override=RunContextWrapper(run.context)
            )
            by_id = {str(_call_id(item)): item for item in state.get_interruptions()}
            for decision in decisions:
                item = by_id.get(decision.id)
                if item is None:
                    raise UnknownApproval(decision.id)
                if decision.approve:
                    state.approve(item)
                else:
                    state.reject(item, rejection_message=REJECTED)
            yield run, state

    async def _lock_owner(self, db: AsyncSession, owner_id: int) -> None:
        """Serialise admissions per user: concurrent ones queue on the user's row. (On
        SQLite the first write of the transaction takes the database's write lock, which
        serialises them just the same.)"""
        if db.get_bind().dialect.name == "postgresql":
            await db.execute(select(col(User.id)).where(col(User.id) == owner_id).with_for_update())

    async def _admit(
        self,
        db: AsyncSession,
        owner_id: int,
        session_id: str,
        message: str | None,
        *,
        resuming: AgentRun | None = None,
    ) -> str:
        """Write the run as running, then check the limits in the same transaction: if
        it rolls back (409, 429), the admission goes with it."""
        await reap_lost(db, owner_id=owner_id)
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
                lease_expires_at=now + self.lease,
            )
            db.add(run)
        else:
            run = resuming
            run.status = RunStatus.running
            run.outcome = None
            run.detail = None
            run.stop_requested = None
            run.worker = WORKER
            run.lease_expires_at = now + self.lease
        await db.flush()
        running, on_session = await records.live_runs(db, owner_id, session_id)
        if on_session > 1:
            raise SessionBusy()
        if running > self.settings.agent_max_concurrent:
            raise TooManyRuns(self.settings.agent_max_concurrent)
        return run.id

    def _make_run(
        self, run_id: str, session: AgentSession, message: str | None, *, fresh: bool, used: int
    ) -> Run:
        context = AgentContext(
            user_id=session.owner_id,
            session_id=session.id,
            run_id=run_id,
            today=datetime.now(UTC).date(),
            tool_calls=_unset_tool_calls,
            focus_task_id=session.focus_task_id,
        )
        return Run(
            run_id=run_id,
            owner_id=session.owner_id,
            session_id=session.id,
            message=message,
            context=context,
            history=TurnHistory(self.engine, session.id, fresh=fresh),
            control=RunControl(
                max_tool_calls=self.settings.agent_max_tool_calls,
                max_parallel=self.settings.agent_max_parallel_tools,
                used=used,
            ),
            settings=self.run_settings,
            deadline=asyncio.get_running_loop().time() + self.settings.agent_timeout_s,
        )

    # -- the one lifecycle --------------------------------------------------------------

    @asynccontextmanager
    async def _owning(self, run: Run) -> AsyncIterator[None]:
        self.active[run.id] = run
        loop = asyncio.get_running_loop()
        timer = loop.call_at(
            run.deadline,
            run.request_stop,
            StopMode.immediate,
            Outcome.timed_out,
            f"The agent did not finish within {self.settings.agent_timeout_s:g} s.",
        )
        watcher = asyncio.create_task(self._watch(run))
        try:
            yield
        except asyncio.CancelledError:
            logger.info("client went away; run %s stops", run.id)
            run.request_stop(StopMode.immediate, Outcome.cancelled, "The client went away.")
            raise
        except BaseException:
            if not run.ended.is_set():
                run.request_stop(StopMode.immediate, Outcome.error, "An unexpected error occurred.")
            raise
        finally:
            timer.cancel()
            with anyio.CancelScope(shield=True):
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
                if not run.ended.is_set():
                    await run.halt()
                    stop = run.stop
                    assert stop is not None
                    try:
                        await run.finish(stop.outcome, stop.detail)
                    except Exception as exc:
                        # The lease runs out and anyone then ends the run as lost.
                        if database_unavailable(exc) is None:
                            logger.exception("could not record the end of run %s", run.id)
                        else:
                            logger.warning("run %s: could not record its end: %s", run.id, exc)
                self.active.pop(run.id, None)

    async def _watch(self, run: Run) -> None:
        """Renew the run's lease and notice a stop asked for on another worker."""
        interval = self.settings.agent_cancel_poll_s
        while True:
            await asyncio.sleep(interval)
            try:
                seen = await run_to_completion(self._renew(run.id))
            except Exception as exc:
                logger.warning("run %s: renewing its lease failed: %s", run.id, exc)
                continue
            if seen is None or seen[0] != RunStatus.running:
                run.request_stop(StopMode.immediate, Outcome.lost, "The run was ended elsewhere.")
            elif seen[1] is not None:
                run.request_stop(StopMode(seen[1]), Outcome.cancelled, CANCELLED, requested=True)

    async def _renew(self, run_id: str) -> tuple[str, str | None] | None:
        async with self.db_sessions() as db, db.begin():
            return await records.renew(db, run_id, self.lease)

    # -- runs as resources ---------------------------------------------------------------

    async def get(self, owner_id: int, run_id: str) -> tuple[AgentRun, list[AgentToolCall]]:
        async with self.db_sessions() as db:
            run = await db.scalar(
                select(AgentRun).where(
                    col(AgentRun.id) == run_id, col(AgentRun.owner_id) == owner_id
                )
            )
            if run is None:
                raise RunNotFound(run_id)
            return run, await records.tool_calls_of(db, run_id)

    async def cancel(self, owner_id: int, run_id: str, mode: StopMode) -> None:
        """Ask a run to stop, and wait (briefly) until it has.

        A run of this worker is stopped at once, in memory (on SQLite a tool call may
        hold the write lock this very moment); one of another worker gets the request
        through its row, and notices it within ``agent_cancel_poll_s``.
        """
        local = self.active.get(run_id)
        if local is not None and local.owner_id == owner_id:
            local.request_stop(mode, Outcome.cancelled, CANCELLED, requested=True)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CANCEL_WAIT_S):
                    await local.ended.wait()
            return
        async with self.db_sessions() as db, db.begin():
            stmt = select(AgentRun).where(
                col(AgentRun.id) == run_id, col(AgentRun.owner_id) == owner_id
            )
            if db.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update()
            run = await db.scalar(stmt)
            if run is None:
                raise RunNotFound(run_id)
            if run.status == RunStatus.waiting_approval:
                run.stop_requested = mode
                await _end_paused(db, run)
                return
            if run.status != RunStatus.running:
                raise RunNotRunning(run_id, run.status)
            run.stop_requested = mode
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CANCEL_WAIT_S):
                while True:
                    await asyncio.sleep(self.settings.agent_cancel_poll_s / 4)
                    async with self.db_sessions() as db:
                        status = await db.scalar(
                            select(col(AgentRun.status)).where(col(AgentRun.id) == run_id)
                        )
                    if status != RunStatus.running:
                        return

    async def busy(self, session_id: str) -> bool:
        async with self.db_sessions() as db:
            status = await db.scalar(
                select(col(AgentRun.id)).where(
                    col(AgentRun.session_id) == session_id,
                    col(AgentRun.status) == RunStatus.running,
                    col(AgentRun.lease_expires_at) > utcnow(),
                )
            )
        return status is not None

    async def reap_forever(self) -> None:
        """End lost runs (their worker died) soon after their lease runs out."""
        interval = min(self.lease.total_seconds() / 2, 5.0)
        while True:
            await asyncio.sleep(interval)
            try:
                reaped = await run_to_completion(self._reap())
                if reaped:
                    logger.warning("ended %d lost agent run(s) of a worker that died", reaped)
            except Exception as exc:
                logger.warning("reaping lost agent runs failed: %s", exc)

    async def _reap(self) -> int:
        async with self.db_sessions() as db, db.begin():
            return await reap_lost(db)

    def stop_all_now(self, detail: str) -> None:
        """Ask every run of this worker to stop at once (the server is shutting down)."""
        for run in list(self.active.values()):
            run.request_stop(StopMode.immediate, Outcome.cancelled, detail)

    async def stop_all(self, detail: str) -> None:
        """At shutdown: stop every run of this worker and wait for their ends."""
        self.stop_all_now(detail)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CANCEL_WAIT_S):
                for run in list(self.active.values()):
                    await run.ended.wait()


CANCELLED = "The run was cancelled at your request."
CANCEL_WAIT_S = 5.0


class _UnsetToolCalls:
    async def execute(self, tool: Any, work: Any) -> str:
        raise RuntimeError("the run has not started")


_unset_tool_calls = _UnsetToolCalls()


def _call_id(item: Any) -> Any:
    raw = item.raw_item
    return raw.get("call_id") if isinstance(raw, dict) else getattr(raw, "call_id", None)


async def _end_paused(db: AsyncSession, run: AgentRun) -> None:
    """Cancel a run that waits for approvals: nothing it waits for is done."""
    await records.record_end(
        db, run.id, Outcome.cancelled, CANCELLED, ending=RunStatus.waiting_approval
    )
    note = {"role": "assistant", "content": PAUSED_CANCELLED}
    await append(db, run.session_id, [note])
    await set_pending(db, run.session_id)


PAUSED_CANCELLED = "(The calls waiting for your approval were cancelled; nothing was done.)"


async def reap_lost(db: AsyncSession, *, owner_id: int | None = None) -> int:
    """End the runs whose worker died (their lease ran out) as ``lost``, noting in their
    sessions what they had done. Runs in the caller's transaction."""
    lost = await records.expired_runs(db, owner_id=owner_id)
    for run in lost:
        await records.record_end(
            db, run.id, Outcome.lost, "The server running it stopped before it finished."
        )
        calls = await records.tool_calls_of(db, run.id)
        unsaved = calls[run.calls_in_history :]
        await append(
            db, run.session_id, history_of_incomplete_run(run.message, unsaved, Outcome.lost)
        )
        await set_pending(db, run.session_id)
    return len(lost)
