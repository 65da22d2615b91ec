"""One run: its state, how it stops, and the one place its end is recorded.

A :class:`Run` is made by ``AgentRuns`` at admission and owned by its lifecycle
(``lifecycle.py``), which guarantees that :meth:`Run.finish` runs exactly once,
whatever happens: the SDK's result, a guardrail, a failure, a stop asked for (cancel,
timeout, the client gone, shutdown, a lost lease), or a crash of our own code.
``driving.py`` runs the SDK for it; ``tool_calls.py`` makes each tool call one unit of
work of its own. Its transactions: one per tool call, and one for its end here.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import anyio
from agents import RunConfig
from agents.tracing import gen_trace_id
from fastapi.sse import ServerSentEvent

from taskservice.agent.context import AgentContext
from taskservice.agent.history import TurnHistory, append
from taskservice.agent.runs import driving, records
from taskservice.agent.runs.control import RunControl
from taskservice.agent.runs.records import AgentToolCall, Outcome, StopMode
from taskservice.agent.runs.replies import describe_call, ending_note
from taskservice.agent.runs.tool_calls import RunToolCalls
from taskservice.agent.schemas import AgentReply, PendingApproval
from taskservice.agent.sessions import set_pending
from taskservice.agent.tools.approvals import describe_pending
from taskservice.agent.tools.common import to_json
from taskservice.db import DbSessionMaker, describe
from taskservice.errors import DatabaseUnavailable
from taskservice.observability.agent import AgentMeter, RunStats
from taskservice.observability.traces import store_trace
from taskservice.observability.tracing import TraceBuffer
from taskservice.tasks.events import Actor
from taskservice.tasks.repository import TaskRepository

logger = driving.logger


@dataclass(frozen=True)
class Stop:
    mode: StopMode
    outcome: Outcome
    detail: str
    requested: bool = False  # asked for through POST /agent/runs/{id}/cancel


@dataclass(frozen=True)
class RunSettings:
    """What a run needs from the service, handed over at admission."""

    db_sessions: DbSessionMaker
    run_config: RunConfig
    max_turns: int
    timeout_s: float
    meter: AgentMeter
    traces: TraceBuffer | None  # None: tracing is off


class Run:
    def __init__(
        self,
        *,
        run_id: str,
        owner_id: int,
        session_id: str,
        message: str | None,
        context: AgentContext,
        history: TurnHistory,
        control: RunControl,
        settings: RunSettings,
        deadline: float,
    ) -> None:
        self.id = run_id
        self.owner_id = owner_id
        self.session_id = session_id
        self.message = message
        self.context = context
        self.history = history
        self.control = control
        self.settings = settings
        self.deadline = deadline
        self.tool_calls_before = control.used
        self.stats = RunStats()
        self.trace_id = gen_trace_id()  # this round's trace (a resumed run has a new one)
        self.stop: Stop | None = None
        self.ended = asyncio.Event()
        self.database_failure: DatabaseUnavailable | None = None
        self._cancel_driver: Callable[[], None] | None = None
        self._stopper: asyncio.Task[None] | None = None
        context.tool_calls = RunToolCalls(self)

    async def reply(self, run_input: driving.RunInput) -> AgentReply:
        """Run to one reply (or a problem), with the end recorded before it returns."""
        return await driving.reply(self, run_input)

    def stream(self, run_input: driving.RunInput) -> AsyncIterator[ServerSentEvent]:
        """The run as events, ending with exactly one ``done`` or ``error``."""
        return driving.stream(self, run_input)

    def driven_by(self, cancel: Callable[[], None]) -> None:
        """How to stop what drives the SDK (a task, or a streamed result)."""
        self._cancel_driver = cancel

    # -- stopping ---------------------------------------------------------------------

    def request_stop(
        self, mode: StopMode, outcome: Outcome, detail: str, *, requested: bool = False
    ) -> None:
        """Stop the run: no new tool call starts; the model is not called again."""
        if self.stop is not None:
            if mode is StopMode.immediate and self.stop.mode is StopMode.after_tool_call:
                self.stop = Stop(mode, self.stop.outcome, self.stop.detail, self.stop.requested)
                self._halt_driver_now()
            return
        self.stop = Stop(mode, outcome, detail, requested)
        self.control.stopping = True
        if mode is StopMode.immediate:
            self._halt_driver_now()
        else:
            self._stopper = asyncio.create_task(self._halt_driver_after_calls())

    def _halt_driver_now(self) -> None:
        if self._cancel_driver is not None:
            self._cancel_driver()

    async def _halt_driver_after_calls(self) -> None:
        await self.control.settle()
        self._halt_driver_now()

    async def halt(self) -> None:
        """Stop the driver, and wait until every tool call in flight has settled."""
        if self.stop is None:
            self.request_stop(StopMode.immediate, Outcome.cancelled, "The client went away.")
        self._halt_driver_now()
        with anyio.CancelScope(shield=True):
            await self.control.settle()
            if self._stopper is not None:
                await self._stopper

    # -- its end --------------------------------------------------------------------

    async def finish(
        self,
        outcome: Outcome,
        detail: str | None,
        *,
        items: list[Any] | None = None,
        pending: list[PendingApproval] | None = None,
        pending_state: str | None = None,
    ) -> list[PendingApproval]:
        """Record the run's end, its history and what it waits for: one transaction.

        Runs once; every tool call has settled before (so no work of the run happens
        after its end is recorded). ``items`` is what to add to the history: by default
        the SDK's items if the run completed, else what it really did and a note.
        """
        if self.ended.is_set():
            return pending or []
        with anyio.CancelScope(shield=True):
            await self.control.settle()
            new_items = self.history.take_new_items()
            async with self.settings.db_sessions() as db, db.begin():
                ended = await records.record_end(
                    db,
                    self.id,
                    outcome,
                    detail,
                    calls_in_history=self.control.used,
                    stop_requested=self.stop.mode if self.stop and self.stop.requested else None,
                )
                if not ended:
                    logger.warning("run %s had already been ended elsewhere", self.id)
                    if self.settings.traces is not None:
                        self.settings.traces.take(self.trace_id)  # not kept: it was lost
                    self.ended.set()
                    return pending or []
                if items is None:
                    completed = outcome in (Outcome.completed, Outcome.waiting_approval)
                    items = new_items if completed else await self._what_it_did(db, outcome)
                await append(db, self.session_id, items)
                if pending:
                    tasks = TaskRepository(db, self.owner_id, Actor(session_id=self.session_id))
                    pending = [
                        p.model_copy(update={"description": await describe_pending(p, tasks)})
                        for p in pending
                    ]
                await set_pending(
                    db,
                    self.session_id,
                    state=pending_state if pending else None,
                    approvals=[p.model_dump() for p in pending] if pending else None,
                )
            self.ended.set()
            self._observe_end(outcome)
            await self._keep_trace()
        return pending or []

    async def _keep_trace(self) -> None:
        """Store the run's trace once its end is recorded, before its answer goes out (so
        the trace can be read as soon as the answer is): a transaction of its own, and a
        trace that cannot be stored costs the run nothing."""
        if self.settings.traces is None:
            return
        spans = self.settings.traces.take(self.trace_id)
        try:
            await store_trace(self.settings.db_sessions, self.id, self.trace_id, spans)
        except Exception as exc:
            logger.warning("run %s: its trace was not stored: %s", self.id, describe(exc))

    def _observe_end(self, outcome: Outcome) -> None:
        """The run's end in the metrics, and its one log line (ids and counts only)."""
        seconds = self.stats.seconds
        self.settings.meter.run_ended(outcome, seconds)
        fields = {
            "run_id": self.id,
            "session_id": self.session_id,
            "trace_id": self.trace_id,
            "outcome": outcome.value,
            "turns": self.stats.turns,
            "tool_calls": self.control.used - self.tool_calls_before,
            "input_tokens": self.stats.input_tokens,
            "output_tokens": self.stats.output_tokens,
            "duration_ms": round(seconds * 1000, 1),
        }
        logger.info(
            "run %s ended %s: %d turns, %d tool calls, %d/%d tokens in/out, %.0f ms",
            self.id,
            outcome.value,
            fields["turns"],
            fields["tool_calls"],
            fields["input_tokens"],
            fields["output_tokens"],
            fields["duration_ms"],
            extra=fields,
        )

    async def _what_it_did(self, db: Any, outcome: Outcome) -> list[Any]:
        calls = (await records.tool_calls_of(db, self.id))[self.tool_calls_before :]
        return history_of_incomplete_run(self.message, calls, outcome)


def history_of_incomplete_run(
    message: str | None, calls: list[AgentToolCall], outcome: Outcome
) -> list[Any]:
    """A run that did not complete, as history items: the request, each tool call with
    its output, and a note of how it ended, so that the user and the model on the next
    turn both know what changed."""
    items: list[Any] = []
    if message is not None:
        items.append({"role": "user", "content": message})
    for call in calls:
        items.append(
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": to_json(call.arguments),
            }
        )
        items.append(
            {
                "type": "function_call_output",
                "call_id": call.call_id,
                "output": to_json(call.output),
            }
        )
    done = [describe_call(call.name, call.output) for call in calls if call.ok]
    items.append({"role": "assistant", "content": ending_note(outcome, done)})
    return items
