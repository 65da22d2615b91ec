"""The agent endpoints: ask (a reply or a stream), approvals, runs, sessions, /agents.

Thin: every run goes through ``AgentRuns.start`` or ``AgentRuns.resume``, which own
its whole lifecycle.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from agents import FunctionTool
from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from taskservice.agent.errors import SessionBusy
from taskservice.agent.history import stored_history
from taskservice.agent.runs.events import EVENT_TYPES
from taskservice.agent.runs.lifecycle import AgentRuns
from taskservice.agent.runs.records import AgentRun, AgentToolCall, StopMode
from taskservice.agent.runs.run import Run
from taskservice.agent.schemas import (
    SESSION_ID_PATTERN,
    AgentInfo,
    AgentReply,
    AgentRequest,
    ApprovalRequest,
    RunDetail,
    SessionDetail,
    SessionSummary,
    ToolInfo,
)
from taskservice.agent.sessions import AgentSession
from taskservice.agent.transcript import messages_of
from taskservice.agent.triage import AGENTS
from taskservice.auth.dependencies import CurrentUser
from taskservice.db import DbSession
from taskservice.observability.traces import RunTrace, trace_of
from taskservice.openapi import problem_responses
from taskservice.resources import ResourcesDep

router = APIRouter(tags=["agent"])

SessionId = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=SESSION_ID_PATTERN, description="The session's id."),
]
RunId = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=SESSION_ID_PATTERN, description="The run's id."),
]


async def get_agent_runs(resources: ResourcesDep) -> AgentRuns:
    return resources.agent_runs


AgentRunsDep = Annotated[AgentRuns, Depends(get_agent_runs)]


@router.post(
    "/agent",
    response_model=AgentReply,
    responses=problem_responses(400, 401, 404, 409, 413, 422, 429, 502, 503, 504),
)
async def ask_agent(body: AgentRequest, user: CurrentUser, runs: AgentRunsDep) -> AgentReply:
    """Ask the agent. Without `session_id` a new session starts (its id is returned)."""
    assert user.id is not None
    async with runs.start(
        user.id,
        session_id=body.session_id,
        message=body.message,
        task_id=body.task_id,
        timezone=user.timezone,
    ) as run:
        return await run.reply(body.message)


async def admitted_run(
    body: AgentRequest, user: CurrentUser, runs: AgentRunsDep
) -> AsyncIterator[Run]:
    """Admit the run before the stream starts, so refusals are plain problem responses;
    the run's lifecycle ends after the stream does (or after the client went away)."""
    assert user.id is not None
    async with runs.start(
        user.id,
        session_id=body.session_id,
        message=body.message,
        task_id=body.task_id,
        timezone=user.timezone,
    ) as run:
        yield run


_SSE_ITEM = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": EVENT_TYPES},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "description": "A JSON object with `run_id`: for `done` an AgentReply, for "
            "`error` a Problem.",
        },
    },
}


@router.post(
    "/agent/stream",
    response_class=EventSourceResponse,
    openapi_extra={
        "responses": {"200": {"content": {"text/event-stream": {"itemSchema": _SSE_ITEM}}}}
    },
    responses={
        200: {
            "description": (
                "A `text/event-stream`. Each event's `data` is a JSON object carrying "
                "`run_id`; the event types, in order of appearance: `run_started` "
                "{session_id}, `agent_updated` {agent}, `handoff` {from, to}, `tool_called` "
                "{id, agent, name, arguments}, `tool_output` {id, agent, output}, "
                "`text_delta` {agent, delta}, `approval_required` {id, tool, agent, "
                "arguments, description}; then exactly one of `done` (the AgentReply "
                "object, as POST /agent returns it) or `error` (a problem object with "
                "`session_id`)."
            ),
        },
        **problem_responses(400, 401, 404, 409, 413, 422, 429, 503),
    },
)
async def stream_agent(
    body: AgentRequest, run: Annotated[Run, Depends(admitted_run, scope="request")]
) -> AsyncIterator[ServerSentEvent]:
    """Ask the agent and follow the run as server-sent events."""
    async for event in run.stream(body.message):
        yield event


@router.post(
    "/agent/sessions/{session_id}/approvals",
    response_model=AgentReply,
    responses=problem_responses(400, 401, 404, 409, 413, 422, 429, 502, 503, 504),
)
async def decide_approvals(
    session_id: SessionId, body: ApprovalRequest, user: CurrentUser, runs: AgentRunsDep
) -> AgentReply:
    """Approve or reject the tool calls a session's run waits for, and resume that run."""
    assert user.id is not None
    async with runs.resume(user.id, session_id, body.decisions, timezone=user.timezone) as (
        run,
        state,
    ):
        return await run.reply(state)


def _run_detail(run: AgentRun, calls: list[AgentToolCall]) -> RunDetail:
    duration = None
    if run.ended_at is not None:
        duration = round((run.ended_at - run.started_at).total_seconds() * 1000)
    return RunDetail.model_validate(
        {
            "id": run.id,
            "session_id": run.session_id,
            "status": run.status,
            "outcome": run.outcome,
            "detail": run.detail,
            "stop_requested": run.stop_requested,
            "started_at": run.started_at,
            "ended_at": run.ended_at,
            "duration_ms": duration,
            "tool_calls": [
                {
                    "id": c.call_id,
                    "agent": c.agent,
                    "name": c.name,
                    "arguments": c.arguments,
                    "output": c.output,
                    "ok": c.ok,
                    "at": c.at,
                }
                for c in calls
            ],
        }
    )


@router.get(
    "/agent/runs/{run_id}", response_model=RunDetail, responses=problem_responses(401, 404, 422)
)
async def get_run(run_id: RunId, user: CurrentUser, runs: AgentRunsDep) -> RunDetail:
    """A run: its status, how it ended, its timing and the tool calls it made."""
    assert user.id is not None
    return _run_detail(*await runs.get(user.id, run_id))


@router.get(
    "/agent/runs/{run_id}/trace",
    response_model=RunTrace,
    responses=problem_responses(401, 404, 422),
)
async def get_run_trace(run_id: RunId, user: CurrentUser, db: DbSession) -> RunTrace:
    """What a run did and where its time went: its spans (agents, handoffs, guardrails,
    model calls, tool calls) as a tree with timings, one tree per round. Stored when the
    run ends (with `TASKSERVICE_TRACING=off`, none is)."""
    assert user.id is not None
    return await trace_of(db, user.id, run_id)


@router.post(
    "/agent/runs/{run_id}/cancel",
    response_model=RunDetail,
    responses=problem_responses(401, 404, 409, 422),
)
async def cancel_run(
    run_id: RunId,
    user: CurrentUser,
    runs: AgentRunsDep,
    mode: Annotated[
        StopMode,
        Query(
            description="`after_tool_call` (the default): the tool calls running finish, no "
            "new one starts; `immediate`: those running are cancelled and rolled back too."
        ),
    ] = StopMode.after_tool_call,
) -> RunDetail:
    """Stop a run, from any worker; answers with its status once it has stopped (or, if
    its worker is slow to notice, still `running` with `stop_requested` set). A run that
    waits for approvals is cancelled at once: nothing it waits for is done."""
    assert user.id is not None
    await runs.cancel(user.id, run_id, mode)
    return _run_detail(*await runs.get(user.id, run_id))


@router.get("/agents", response_model=list[AgentInfo], responses=problem_responses(401))
async def list_agents(user: CurrentUser) -> list[AgentInfo]:
    """What the assistant can do: each agent, its tools and its handoffs."""
    return [
        AgentInfo(
            name=agent.name,
            role=agent.handoff_description or "",
            tools=[
                ToolInfo(
                    name=tool.name,
                    description=tool.description,
                    needs_approval=tool.needs_approval is not False,
                )
                for tool in agent.tools
                if isinstance(tool, FunctionTool)
            ],
            handoffs=[getattr(h, "name", getattr(h, "agent_name", "")) for h in agent.handoffs],
        )
        for agent in AGENTS
    ]


def _summary(session: AgentSession, runs: AgentRuns) -> dict[str, object]:
    return {
        "id": session.id,
        "title": session.title,
        "focus_task_id": session.focus_task_id,
        "pending_approvals": len(session.pending_approvals or []),
        "created_at": session.created_at,
        "updated_at": session.updated_at,
        "expires_at": session.updated_at + runs.session_ttl,
    }


@router.get(
    "/agent/sessions", response_model=list[SessionSummary], responses=problem_responses(401, 422)
)
async def list_sessions(
    user: CurrentUser,
    db: DbSession,
    runs: AgentRunsDep,
    limit: Annotated[int, Query(ge=1, le=100, description="How many, newest first.")] = 20,
) -> list[SessionSummary]:
    """Your agent sessions, most recently active first."""
    assert user.id is not None
    sessions = await runs.sessions(db, user.id).list_sessions(limit)
    return [SessionSummary.model_validate(_summary(s, runs)) for s in sessions]


@router.get(
    "/agent/sessions/{session_id}",
    response_model=SessionDetail,
    responses=problem_responses(401, 404, 422),
)
async def get_session(
    session_id: SessionId, user: CurrentUser, db: DbSession, runs: AgentRunsDep
) -> SessionDetail:
    """One session: its messages and the approvals it waits for."""
    assert user.id is not None
    session = await runs.sessions(db, user.id).get(session_id)
    items = await stored_history(runs.engine, session_id).get_items()
    return SessionDetail.model_validate(
        {
            **_summary(session, runs),
            "messages": messages_of(items),
            "approvals": session.pending_approvals or [],
        }
    )


@router.delete(
    "/agent/sessions/{session_id}",
    status_code=204,
    responses=problem_responses(401, 404, 409, 422),
)
async def delete_session(
    session_id: SessionId, user: CurrentUser, db: DbSession, runs: AgentRunsDep
) -> Response:
    """Delete a session, its history and its runs."""
    assert user.id is not None
    sessions = runs.sessions(db, user.id)
    await sessions.get(session_id)
    if await runs.busy(session_id):
        raise SessionBusy()
    await sessions.delete(session_id)
    return Response(status_code=204)
