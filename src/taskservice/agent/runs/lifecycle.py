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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import anyio
from agents import ModelSettings, RunConfig, RunContextWrapper, RunState
from agents.memory import SessionSettings
from agents.models.interface import Model
from agents.run_config import ToolExecutionConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import col

from taskservice.agent.context import AgentContext
from taskservice.agent.errors import (
    RunNotFound,
    RunNotRunning,
    UnknownApproval,
)
from taskservice.agent.guardrails import own_titles, task_guardrail
from taskservice.agent.guardrails.relevance import RelevanceJudge
from taskservice.agent.history import TurnHistory, append, attach
from taskservice.agent.history_window import bounded_input
from taskservice.agent.runs import records
from taskservice.agent.runs.admission import Admitted, Limits, admit_decisions, admit_message
from taskservice.agent.runs.control import RunControl
from taskservice.agent.runs.leases import CANCELLED, reap_forever, watch
from taskservice.agent.runs.records import AgentRun, AgentToolCall, Outcome, RunStatus, StopMode
from taskservice.agent.runs.run import Run, RunSettings
from taskservice.agent.schemas import Decision
from taskservice.agent.sessions import SessionStore, set_pending
from taskservice.agent.tools.approvals import REJECTED
from taskservice.agent.triage import triage
from taskservice.config import Settings
from taskservice.db import (
    DbSessionMaker,
    database_unavailable,
    utcnow,
    without_waiting_for_the_disk,
)
from taskservice.observability.agent import AgentMeter, MeteredModel, traces_itself
from taskservice.observability.tracing import configure_tracing
from taskservice.tasks.calendar import DEFAULT_TIMEZONE, Clock, today_for, utc_now

logger = logging.getLogger("taskservice.agent")


class AgentRuns:
    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        db_sessions: DbSessionMaker,
        model: Model,
        guardrail_model: Model | None = None,
        *,
        clock: Clock = utc_now,
    ) -> None:
        """``guardrail_model``: the model guardrail's model (None: the pre-filter only);
        ``clock``: what each run's today is counted from, in its user's time zone."""
        self.clock = clock
        self.settings = settings
        self.engine = engine
        attach(engine, settings.sqlite_busy_timeout_ms)
        self.db_sessions = db_sessions
        self.meter = AgentMeter(enabled=settings.metrics, model=settings.resolved_agent_model)
        self.model = MeteredModel(model, self.meter, traces_itself=traces_itself(model))
        self.session_ttl = timedelta(hours=settings.agent_session_ttl_hours)
        self.lease = timedelta(seconds=settings.agent_run_lease_s)
        self.limits = Limits(per_user=settings.agent_max_concurrent, lease=self.lease)
        self.active: dict[str, Run] = {}
        # Responses are not kept by the provider: task data stays in our database. A
        # streamed chat completion counts its tokens only if asked (the SDK asks only
        # OpenAI itself), and the token metrics need them.
        model_settings = (
            ModelSettings(store=False)
            if settings.openai_api == "responses"
            else ModelSettings(include_usage=True)
        )
        judge = (
            None
            if guardrail_model is None
            else RelevanceJudge(
                MeteredModel(
                    guardrail_model,
                    AgentMeter(
                        enabled=settings.metrics,
                        model=settings.resolved_guardrail_model or "guardrail",
                    ),
                    traces_itself=traces_itself(guardrail_model),
                ),
                model_settings,
                tracing=settings.tracing != "off",
            )
        )
        self.run_settings = RunSettings(
            db_sessions=db_sessions,
            run_config=RunConfig(
                model=self.model,
                model_settings=model_settings,
                input_guardrails=[task_guardrail(judge, own_titles(db_sessions))],
                session_settings=SessionSettings(limit=settings.agent_history_items),
                session_input_callback=bounded_input(settings.agent_history_items),
                tracing_disabled=settings.tracing == "off",
                workflow_name="taskservice agent",
                tool_execution=ToolExecutionConfig(
                    max_function_tool_concurrency=settings.agent_max_parallel_tools
                ),
            ),
            max_turns=settings.agent_max_turns,
            timeout_s=settings.agent_timeout_s,
            meter=self.meter,
            traces=configure_tracing(settings),
        )

    def sessions(self, db: AsyncSession, owner_id: int) -> SessionStore:
        return SessionStore(db, owner_id, self.session_ttl)

    # -- admission ----------------------------------------------------------------------

    @asynccontextmanager
    async def start(
        self,
        owner_id: int,
        *,
        session_id: str | None,
        message: str,
        task_id: int | None,
        timezone: str = DEFAULT_TIMEZONE,
    ) -> AsyncIterator[Run]:
        """Admit a run of ``message`` (404, 409, 429 refuse it, changing nothing).

        The admission commits without waiting for the disk (a sync is ~3.5 ms of a turn
        of ~30): lost in a database crash, it loses a run that had done nothing yet, and
        whose client gets an error; each tool call and the run's end commit as usual and
        make it durable first.
        """
        async with self.db_sessions() as db, db.begin():
            await without_waiting_for_the_disk(db)
            admitted = await admit_message(
                db,
                self.sessions(db, owner_id),
                session_id=session_id,
                message=message,
                task_id=task_id,
                limits=self.limits,
            )
        run = self._make_run(admitted, message, timezone)
        async with self._owning(run):
            yield run

    @asynccontextmanager
    async def resume(
        self,
        owner_id: int,
        session_id: str,
        decisions: list[Decision],
        *,
        timezone: str = DEFAULT_TIMEZONE,
    ) -> AsyncIterator[tuple[Run, RunState[Any, Any]]]:
        """Admit the paused run of a session again, with these decisions applied."""
        async with self.db_sessions() as db, db.begin():
            await without_waiting_for_the_disk(db)  # as in start()
            store = self.sessions(db, owner_id)
            admitted = await admit_decisions(db, store, session_id, decisions, self.limits)
        run = self._make_run(admitted, None, timezone)
        async with self._owning(run):
            assert admitted.paused_state is not None
            state: RunState[Any, Any] = await RunState.from_json(
                triage,
                json.loads(admitted.paused_state),
                context_override=RunContextWrapper(run.context),
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
            self.meter.approvals(decision.approve for decision in decisions)
            yield run, state

    def _make_run(self, admitted: Admitted, message: str | None, timezone: str) -> Run:
        run_id, session = admitted.run_id, admitted.session
        self.meter.run_ended(Outcome.lost, count=admitted.lost)
        context = AgentContext(
            user_id=session.owner_id,
            session_id=session.id,
            run_id=run_id,
            today=today_for(timezone, self.clock()),
            tool_calls=_unset_tool_calls,
            focus_task_id=session.focus_task_id,
            timezone=timezone,
        )
        return Run(
            run_id=run_id,
            owner_id=session.owner_id,
            session_id=session.id,
            message=message,
            context=context,
            history=TurnHistory(self.engine, session.id, fresh=admitted.fresh),
            control=RunControl(
                max_tool_calls=self.settings.agent_max_tool_calls,
                max_parallel=self.settings.agent_max_parallel_tools,
                used=admitted.calls_made,
            ),
            settings=self.run_settings,
            deadline=asyncio.get_running_loop().time() + self.settings.agent_timeout_s,
        )

    # -- the one lifecycle --------------------------------------------------------------

    @asynccontextmanager
    async def _owning(self, run: Run) -> AsyncIterator[None]:
        self.active[run.id] = run
        self.meter.run_started()
        loop = asyncio.get_running_loop()
        timer = loop.call_at(
            run.deadline,
            run.request_stop,
            StopMode.immediate,
            Outcome.timed_out,
            f"The agent did not finish within {self.settings.agent_timeout_s:g} s.",
        )
        watcher = asyncio.create_task(
            watch(run, self.db_sessions, self.lease, self.settings.agent_cancel_poll_s)
        )
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
                self.meter.run_left()

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
            paused = run.status == RunStatus.waiting_approval
            if paused:
                run.stop_requested = mode
                await _end_paused(db, run)
            elif run.status != RunStatus.running:
                raise RunNotRunning(run_id, run.status)
            else:
                run.stop_requested = mode
        if paused:
            self.meter.run_ended(Outcome.cancelled)
            return
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
        await reap_forever(
            self.db_sessions,
            min(self.lease.total_seconds() / 2, 5.0),
            on_reaped=lambda count: self.meter.run_ended(Outcome.lost, count=count),
        )

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


CANCEL_WAIT_S = 5.0


class _UnsetToolCalls:
    async def execute(self, tool: Any, work: Any) -> str:
        raise RuntimeError("the run has not started")

    async def read(self, work: Any) -> Any:
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
