"""Driving the SDK for a run: to one reply, or as a stream of events; and turning how it
ended (a result, a guardrail, a failure, a stop) into the answer, after ``Run.finish``
has recorded it."""

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from agents import InputGuardrailTripwireTriggered, MaxTurnsExceeded, RunHooks, Runner, RunState
from agents.items import ModelResponse, ToolApprovalItem
from fastapi.sse import ServerSentEvent

from taskservice.agent.context import AgentContext
from taskservice.agent.errors import (
    AgentTimeout,
    RunCancelled,
    RunLost,
    ToolLimitReached,
    TooManyTurns,
    provider_problem,
)
from taskservice.agent.guardrails import refusal_detail
from taskservice.agent.runs.control import ToolBudgetExceeded
from taskservice.agent.runs.events import EventTranslator, sse
from taskservice.agent.runs.records import Outcome, StopMode
from taskservice.agent.runs.replies import approval, summarize
from taskservice.agent.schemas import AgentReply, PendingApproval
from taskservice.agent.triage import AGENTS, triage
from taskservice.db import database_unavailable
from taskservice.errors import AppError, DatabaseUnavailable, app_error_body, problem_body
from taskservice.middleware import request_id_var

if TYPE_CHECKING:
    from taskservice.agent.runs.run import Run

logger = logging.getLogger("taskservice.agent")

RunInput = str | RunState[Any, Any]
HANDOFF_NAMES = {f"transfer_to_{agent.name}" for agent in AGENTS}
# Tools whose calls wait for the user's approval (announced only once they run).
GATED_TOOLS = {
    tool.name for agent in AGENTS for tool in agent.tools if getattr(tool, "needs_approval", False)
}


class _RunHooks(RunHooks[AgentContext]):
    """Refuses a model's batch of tool calls before any of it runs, if it does not fit
    the run's budget: a request that asks for too much changes nothing. And counts the
    run's turns and tokens, and the tool calls that never reached their work (the SDK
    refused their arguments): ``tool_calls.py`` counts the others."""

    def __init__(self, run: "Run", handoff_names: set[str]) -> None:
        self.run = run
        self.handoff_names = handoff_names

    async def on_llm_end(self, context: Any, agent: Any, response: ModelResponse) -> None:
        self.run.stats.model_answered(response.usage)
        self.run.settings.meter.model_answered(response.usage)
        calls = [
            item
            for item in response.output
            if getattr(item, "type", None) == "function_call"
            and getattr(item, "name", None) not in self.handoff_names
        ]
        self.run.control.check_budget(len(calls))

    async def on_tool_end(self, context: Any, agent: Any, tool: Any, result: Any) -> None:
        call_id = getattr(context, "tool_call_id", None)
        if call_id is not None and call_id not in self.run.stats.calls_seen:
            self.run.settings.meter.tool_call(tool.name, "error")


def _stop_problem(run: "Run") -> AppError:
    assert run.stop is not None
    problem: AppError
    match run.stop.outcome:
        case Outcome.timed_out:
            problem = AgentTimeout(run.stop.detail)
        case Outcome.tool_limit:
            problem = ToolLimitReached(run.stop.detail)
        case Outcome.lost:
            problem = RunLost(run.stop.detail)
        case _:
            problem = RunCancelled(run.stop.detail)
    return problem


def _kwargs(run: "Run", run_input: RunInput) -> dict[str, Any]:
    # The run's own trace (stored at its end: observability/traces.py), grouped by session.
    run_config = dataclasses.replace(
        run.settings.run_config,
        trace_id=run.trace_id,
        group_id=run.session_id,
        trace_metadata={"run_id": run.id, "session_id": run.session_id},
    )
    kwargs: dict[str, Any] = {
        "session": run.history,
        "max_turns": run.settings.max_turns,
        "run_config": run_config,
        "hooks": _RunHooks(run, HANDOFF_NAMES),
    }
    if not isinstance(run_input, RunState):
        kwargs["context"] = run.context
    return kwargs


async def reply(run: "Run", run_input: RunInput) -> AgentReply:
    """Run to one reply (or a problem), with the end recorded before it returns."""
    if run.stop is not None:
        raise await _ended_by_stop(run)
    driver = asyncio.ensure_future(Runner.run(triage, run_input, **_kwargs(run, run_input)))
    run.driven_by(_canceller(driver))
    await asyncio.wait({driver})
    if run.stop is not None:
        raise await _ended_by_stop(run)
    if driver.cancelled():  # cancelled by someone else than us: treat as a stop
        run.request_stop(StopMode.immediate, Outcome.cancelled, "The run was cancelled.")
        raise await _ended_by_stop(run)
    failure = driver.exception()
    if failure is not None:
        return await _ended_by_failure(run, failure)
    result = driver.result()
    return await _completed(run, result, list(result.interruptions))


async def stream(run: "Run", run_input: RunInput) -> AsyncIterator[ServerSentEvent]:
    """The run as events, ending with exactly one ``done`` or ``error``."""
    yield sse("run_started", run.id, {"session_id": run.session_id})
    try:
        if run.stop is not None:
            raise await _ended_by_stop(run)
        result = Runner.run_streamed(triage, run_input, **_kwargs(run, run_input))
        run.driven_by(lambda: result.cancel("immediate"))
        translator = EventTranslator(run.id, GATED_TOOLS)
        try:
            async for event in result.stream_events():
                for translated in translator.translate(event):
                    yield translated
        except Exception as failure:
            if run.stop is not None:
                raise await _ended_by_stop(run) from failure
            answer = await _ended_by_failure(run, failure)
        else:
            if run.stop is not None:
                raise await _ended_by_stop(run)
            answer = await _completed(run, result, list(result.interruptions))
        for pending in answer.pending_approvals:
            yield sse("approval_required", run.id, pending.model_dump())
        yield sse("done", run.id, answer.model_dump(mode="json", by_alias=True))
    except AppError as problem:
        yield _error_event(run, problem)
    except asyncio.CancelledError:
        logger.info("client went away; run %s stops", run.id)
        raise
    except Exception as failure:
        outage = database_unavailable(failure)
        if outage is not None:
            yield _error_event(run, _problem(run, outage))
            return
        logger.exception("agent run %s failed", run.id)
        body = problem_body(
            status=500,
            slug="internal-error",
            detail="An unexpected error occurred. Quote the request id when reporting it.",
        )
        yield _error_event(run, None, body)


def _error_event(
    run: "Run", problem: AppError | None, body: dict[str, Any] | None = None
) -> ServerSentEvent:
    body = body if body is not None else app_error_body(problem)  # type: ignore[arg-type]
    body["instance"] = "/agent/stream"
    body["request_id"] = request_id_var.get()
    body["session_id"] = run.session_id
    return sse("error", run.id, body)


async def _ended_by_stop(run: "Run") -> AppError:
    assert run.stop is not None
    await run.halt()
    if run.database_failure is not None:
        return await _ended_by_outage(run, run.database_failure)
    await run.finish(run.stop.outcome, run.stop.detail)
    return _problem(run, _stop_problem(run))


async def _ended_by_outage(run: "Run", outage: DatabaseUnavailable) -> AppError:
    """The database went away during the run: record the end if it is back, else
    the lease runs out and the run is ended as lost."""
    try:
        await run.finish(Outcome.error, outage.detail)
    except Exception as exc:
        logger.warning("run %s: could not record its end: %s", run.id, exc)
    return _problem(run, outage)


async def _ended_by_failure(run: "Run", failure: BaseException) -> AgentReply:
    """The reply for a guardrail's refusal; else the run's problem is raised."""
    if isinstance(failure, InputGuardrailTripwireTriggered):
        info = failure.guardrail_result.output.output_info or {}
        await run.finish(Outcome.guardrail, refusal_detail(info), items=[])
        return summarize(
            run.id,
            run.session_id,
            [],
            reply=str(info.get("reply", "")),
            agent=triage.name,
            pending=[],
        )
    await run.halt()
    outage = database_unavailable(failure)
    if outage is not None:
        raise await _ended_by_outage(run, outage) from failure
    if isinstance(failure, ToolBudgetExceeded):
        detail = (
            f"This request needs {failure.requested} more tool calls, and one request may "
            f"make at most {failure.limit} ({failure.used} already made). "
            "Ask for fewer changes at once."
        )
        await run.finish(Outcome.tool_limit, detail)
        raise _problem(run, ToolLimitReached(detail)) from failure
    if isinstance(failure, MaxTurnsExceeded):
        detail = (
            f"The agent needed more than {run.settings.max_turns} steps; "
            "ask for less at once or rephrase."
        )
        await run.finish(Outcome.max_turns, detail)
        raise _problem(run, TooManyTurns(detail)) from failure
    if isinstance(failure, TimeoutError):
        detail = f"The agent did not finish within {run.settings.timeout_s:g} s."
        await run.finish(Outcome.timed_out, detail)
        raise _problem(run, AgentTimeout(detail)) from failure
    problem = provider_problem(failure)
    if problem is not None:
        logger.warning("agent run %s: %s: %s", run.id, type(failure).__name__, problem.detail)
        outcome = Outcome.timed_out if problem.status == 504 else Outcome.provider_error
        await run.finish(outcome, problem.detail)
        raise _problem(run, problem) from failure
    await run.finish(Outcome.error, "An unexpected error occurred.")
    raise failure


def _problem(run: "Run", problem: AppError) -> AppError:
    problem.extra = {"run_id": run.id, "session_id": run.session_id}
    return problem


async def _completed(run: "Run", result: Any, interruptions: list[ToolApprovalItem]) -> AgentReply:
    pending = [approval(item) for item in interruptions]
    state = None
    if pending:
        snapshot = result.to_state().to_json(context_serializer=_serialize_context)
        state = json.dumps(snapshot)
    outcome = Outcome.waiting_approval if pending else Outcome.completed
    pending = await run.finish(outcome, None, pending=pending, pending_state=state)
    text = str(result.final_output or "")
    if pending:
        text = _waiting(run.session_id, pending)
    return summarize(
        run.id,
        run.session_id,
        list(result.new_items),
        reply=text,
        agent=result.last_agent.name,
        pending=pending,
    )


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
