"""One run: drive the SDK to a reply or a stream, stop it, and record how it ended.

A :class:`Run` is made by ``AgentRuns`` at admission and owned by its lifecycle
(``lifecycle.py``), which guarantees that :meth:`Run.finish` runs exactly once,
whatever happens: the SDK's result, a guardrail, a failure, a stop asked for (cancel,
timeout, the client gone, shutdown, a lost lease), or a crash of our own code.
Every transaction of a run is opened here: one per tool call (``execute``) and one
for its end (``finish``); admission's is in ``lifecycle.py``.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import anyio
from agents import (
    InputGuardrailTripwireTriggered,
    MaxTurnsExceeded,
    RunConfig,
    RunHooks,
    Runner,
    RunState,
)
from agents.items import ModelResponse, ToolApprovalItem
from agents.tool_context import ToolContext
from fastapi.sse import ServerSentEvent
from pydantic import ValidationError

from taskservice.agent.context import AgentContext, Work
from taskservice.agent.errors import (
    AgentTimeout,
    RunCancelled,
    RunLost,
    ToolLimitReached,
    TooManyTurns,
    provider_problem,
)
from taskservice.agent.history import TurnHistory, append
from taskservice.agent.runs import records
from taskservice.agent.runs.control import RunControl, ToolBudgetExceeded
from taskservice.agent.runs.events import EventTranslator, sse
from taskservice.agent.runs.records import AgentToolCall, Outcome, RunEnded, StopMode
from taskservice.agent.runs.replies import (
    approval,
    describe_call,
    ending_note,
    summarize,
)
from taskservice.agent.schemas import AgentReply, PendingApproval
from taskservice.agent.sessions import set_pending
from taskservice.agent.tools.approvals import describe_pending
from taskservice.agent.tools.common import (
    decode_output,
    error_output,
    to_json,
    validation_message,
)
from taskservice.agent.triage import AGENTS, triage
from taskservice.db import DbSessionMaker, database_unavailable, utcnow
from taskservice.errors import AppError, DatabaseUnavailable, app_error_body, problem_body
from taskservice.middleware import request_id_var
from taskservice.tasks.events import Actor
from taskservice.tasks.repository import TaskRepository

logger = logging.getLogger("taskservice.agent")

RunInput = str | RunState[Any, Any]
STOPPED = error_output("the run was stopped before this call could run; nothing was done")
# Tools whose calls wait for the user's approval (announced only once they run).
GATED_TOOLS = {
    tool.name for agent in AGENTS for tool in agent.tools if getattr(tool, "needs_approval", False)
}


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


class _CallFailed(Exception):
    def __init__(self, output: str) -> None:
        super().__init__(output)
        self.output = output


class _BudgetHooks(RunHooks[AgentContext]):
    """Refuses a model's batch of tool calls before any of it runs, if it does not fit
    the run's budget: a request that asks for too much changes nothing."""

    def __init__(self, control: RunControl, handoff_names: set[str]) -> None:
        self.control = control
        self.handoff_names = handoff_names

    async def on_llm_end(self, context: Any, agent: Any, response: ModelResponse) -> None:
        calls = [
            item
            for item in response.output
            if getattr(item, "type", None) == "function_call"
            and getattr(item, "name", None) not in self.handoff_names
        ]
        self.control.check_budget(len(calls))


HANDOFF_NAMES = {f"transfer_to_{agent.name}" for agent in AGENTS}


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
        self.stop: Stop | None = None
        self.ended = asyncio.Event()
        self.ended_outcome: Outcome | None = None
        self.database_failure: DatabaseUnavailable | None = None
        self._cancel_driver: Callable[[], None] | None = None
        self._stopper: asyncio.Task[None] | None = None
        context.tool_calls = self

    # -- tool calls: one unit of work each, owned by the run --------------------------

    async def execute(self, tool: ToolContext[Any], work: Work) -> str:
        agent = tool.agent.name if tool.agent is not None else "agent"
        if not self.control.admit():
            if not self.control.stopping:
                self.request_stop(
                    StopMode.after_tool_call,
                    Outcome.tool_limit,
                    f"The run reached its limit of {self.control.max_tool_calls} tool calls.",
                )
            return STOPPED
        try:
            return await self.control.run_unit(lambda: self._unit(tool, agent, work))
        except DatabaseUnavailable as exc:
            self.database_failure = exc
            self.request_stop(StopMode.immediate, Outcome.error, exc.detail)
            return STOPPED

    async def _unit(self, tool: ToolContext[Any], agent: str, work: Work) -> str:
        """The call's work, its record and a check that the run still runs: one commit.
        A call that fails (no such task, an invalid value) changes nothing and is
        recorded with its error in a second, short transaction."""
        actor = Actor(agent=agent, session_id=self.session_id)
        async with self.settings.db_sessions() as db:
            try:
                try:
                    async with db.begin():
                        tasks = TaskRepository(db, self.owner_id, actor)
                        try:
                            output = to_json(await work(tasks))
                        except DatabaseUnavailable:
                            raise
                        except AppError as exc:
                            raise _CallFailed(error_output(exc.detail)) from exc
                        except ValidationError as exc:
                            raise _CallFailed(validation_message(exc)) from exc
                        await self._record_call(db, tool, agent, output, ok=True)
                        if self.stop is not None and self.stop.mode is StopMode.immediate:
                            raise RunEnded(self.id)  # stopped at once: roll it back
                    return output
                except _CallFailed as failed:
                    async with db.begin():
                        await self._record_call(db, tool, agent, failed.output, ok=False)
                    return failed.output
            except RunEnded:
                return STOPPED
            except Exception as exc:
                unavailable = database_unavailable(exc)
                if unavailable is None:
                    raise
                raise unavailable from exc

    async def _record_call(
        self, db: Any, tool: ToolContext[Any], agent: str, output: str, *, ok: bool
    ) -> None:
        try:
            arguments = json.loads(tool.tool_arguments or "{}")
        except ValueError:
            arguments = {"_raw": tool.tool_arguments}
        db.add(
            AgentToolCall(
                run_id=self.id,
                call_id=tool.tool_call_id,
                agent=agent,
                name=tool.tool_name,
                arguments=arguments if isinstance(arguments, dict) else {"_raw": arguments},
                output=decode_output(output),
                ok=ok,
                at=utcnow(),
            )
        )
        await db.flush()
        await records.assert_running(db, self.id)

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

    def _stop_problem(self) -> AppError:
        assert self.stop is not None
        problem: AppError
        match self.stop.outcome:
            case Outcome.timed_out:
                problem = AgentTimeout(self.stop.detail)
            case Outcome.tool_limit:
                problem = ToolLimitReached(self.stop.detail)
            case Outcome.lost:
                problem = RunLost(self.stop.detail)
            case _:
                problem = RunCancelled(self.stop.detail)
        return problem

    # -- driving the SDK --------------------------------------------------------------

    def _kwargs(self, run_input: RunInput) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "session": self.history,
            "max_turns": self.settings.max_turns,
            "run_config": self.settings.run_config,
            "hooks": _BudgetHooks(self.control, HANDOFF_NAMES),
        }
        if not isinstance(run_input, RunState):
            kwargs["context"] = self.context
        return kwargs

    async def reply(self, run_input: RunInput) -> AgentReply:
        """Run to one reply (or a problem), with the end recorded before it returns."""
        if self.stop is not None:
            raise await self._ended_by_stop()
        driver = asyncio.ensure_future(Runner.run(triage, run_input, **self._kwargs(run_input)))
        self._cancel_driver = _canceller(driver)
        await asyncio.wait({driver})
        if self.stop is not None:
            raise await self._ended_by_stop()
        if driver.cancelled():  # cancelled by someone else than us: treat as a stop
            self.request_stop(StopMode.immediate, Outcome.cancelled, "The run was cancelled.")
            raise await self._ended_by_stop()
        failure = driver.exception()
        if failure is not None:
            return await self._ended_by_failure(failure)
        result = driver.result()
        return await self._completed(result, list(result.interruptions))

    async def stream(self, run_input: RunInput) -> AsyncIterator[ServerSentEvent]:
        """The run as events, ending with exactly one ``done`` or ``error``."""
        yield sse("run_started", self.id, {"session_id": self.session_id})
        try:
            if self.stop is not None:
                raise await self._ended_by_stop()
            result = Runner.run_streamed(triage, run_input, **self._kwargs(run_input))
            self._cancel_driver = lambda: result.cancel("immediate")
            translator = EventTranslator(self.id, GATED_TOOLS)
            try:
                async for event in result.stream_events():
                    for translated in translator.translate(event):
                        yield translated
            except Exception as failure:
                if self.stop is not None:
                    raise await self._ended_by_stop() from failure
                reply = await self._ended_by_failure(failure)
            else:
                if self.stop is not None:
                    raise await self._ended_by_stop()
                reply = await self._completed(result, list(result.interruptions))
            for pending in reply.pending_approvals:
                yield sse("approval_required", self.id, pending.model_dump())
            yield sse("done", self.id, reply.model_dump(mode="json", by_alias=True))
        except AppError as problem:
            yield self._error_event(problem)
        except asyncio.CancelledError:
            logger.info("client went away; run %s stops", self.id)
            raise
        except Exception as failure:
            outage = database_unavailable(failure)
            if outage is not None:
                yield self._error_event(self._problem(outage))
                return
            logger.exception("agent run %s failed", self.id)
            body = problem_body(
                status=500,
                slug="internal-error",
                detail="An unexpected error occurred. Quote the request id when reporting it.",
            )
            yield self._error_event(None, body)

    def _error_event(
        self, problem: AppError | None, body: dict[str, Any] | None = None
    ) -> ServerSentEvent:
        body = body if body is not None else app_error_body(problem)  # type: ignore[arg-type]
        body["instance"] = "/agent/stream"
        body["request_id"] = request_id_var.get()
        body["session_id"] = self.session_id
        return sse("error", self.id, body)

    # -- how it ended -----------------------------------------------------------------

    async def _ended_by_stop(self) -> AppError:
        assert self.stop is not None
        await self.halt()
        if self.database_failure is not None:
            return await self._ended_by_outage(self.database_failure)
        await self.finish(self.stop.outcome, self.stop.detail)
        return self._problem(self._stop_problem())

    async def _ended_by_outage(self, outage: DatabaseUnavailable) -> AppError:
        """The database went away during the run: record the end if it is back, else
        the lease runs out and the run is ended as lost."""
        try:
            await self.finish(Outcome.error, outage.detail)
        except Exception as exc:
            logger.warning("run %s: could not record its end: %s", self.id, exc)
        return self._problem(outage)

    async def _ended_by_failure(self, failure: BaseException) -> AgentReply:
        """The reply for a guardrail's refusal; else the run's problem is raised."""
        if isinstance(failure, InputGuardrailTripwireTriggered):
            info = failure.guardrail_result.output.output_info or {}
            await self.finish(Outcome.guardrail, "Refused by the input guardrail.", items=[])
            return summarize(
                self.id,
                self.session_id,
                [],
                reply=str(info.get("reply", "")),
                agent=triage.name,
                pending=[],
            )
        await self.halt()
        outage = database_unavailable(failure)
        if outage is not None:
            raise await self._ended_by_outage(outage) from failure
        if isinstance(failure, ToolBudgetExceeded):
            detail = (
                f"This request needs {failure.requested} more tool calls, and one request may "
                f"make at most {failure.limit} ({failure.used} already made). "
                "Ask for fewer changes at once."
            )
            await self.finish(Outcome.tool_limit, detail)
            raise self._problem(ToolLimitReached(detail)) from failure
        if isinstance(failure, MaxTurnsExceeded):
            detail = (
                f"The agent needed more than {self.settings.max_turns} steps; "
                "ask for less at once or rephrase."
            )
            await self.finish(Outcome.max_turns, detail)
            raise self._problem(TooManyTurns(detail)) from failure
        if isinstance(failure, TimeoutError):
            detail = f"The agent did not finish within {self.settings.timeout_s:g} s."
            await self.finish(Outcome.timed_out, detail)
            raise self._problem(AgentTimeout(detail)) from failure
        problem = provider_problem(failure)
        if problem is not None:
            logger.warning("agent run %s: %s: %s", self.id, type(failure).__name__, problem.detail)
            outcome = Outcome.timed_out if problem.status == 504 else Outcome.provider_error
            await self.finish(outcome, problem.detail)
            raise self._problem(problem) from failure
        await self.finish(Outcome.error, "An unexpected error occurred.")
        raise failure

    def _problem(self, problem: AppError) -> AppError:
        problem.extra = {"run_id": self.id, "session_id": self.session_id}
        return problem

    async def _completed(self, result: Any, interruptions: list[ToolApprovalItem]) -> AgentReply:
        pending = [approval(item) for item in interruptions]
        state = None
        if pending:
            snapshot = result.to_state().to_json(context_serializer=_serialize_context)
            state = json.dumps(snapshot)
        outcome = Outcome.waiting_approval if pending else Outcome.completed
        pending = await self.finish(outcome, None, pending=pending, pending_state=state)
        text = str(result.final_output or "")
        if pending:
            text = _waiting(self.session_id, pending)
        return summarize(
            self.id,
            self.session_id,
            list(result.new_items),
            reply=text,
            agent=result.last_agent.name,
            pending=pending,
        )

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
                    self.ended_outcome = outcome
                    self.ended.set()
                    return pending or []
                if items is None:
                    completed = outcome in (Outcome.completed, Outcome.waiting_approval)
                    items = new_items if completed else await self._what_it_did(db, outcome)
                await append(db, self.session_id, items)
                if pending:
                    tasks = TaskRepository(db, self.owner_id)
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
            self.ended_outcome = outcome
            self.ended.set()
        return pending or []

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


def _waiting(session_id: str, pending: list[PendingApproval]) -> str:
    asks = " ".join(p.description for p in pending)
    return (
        f"{asks} Approve or reject it at POST /agent/sessions/{session_id}/approvals."
        if len(pending) == 1
        else f"{asks} Approve or reject each at POST /agent/sessions/{session_id}/approvals."
    )


def _canceller(task: "asyncio.Future[Any]") -> Callable[[], None]:
    def cancel() -> None:
        task.cancel()

    return cancel


def _serialize_context(context: Any) -> dict[str, Any]:
    assert isinstance(context, AgentContext)
    return context.serialize()
