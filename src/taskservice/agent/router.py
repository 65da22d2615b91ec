"""The agent endpoints: /agent, /agent/stream, sessions, approvals, /agents."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

from agents import FunctionTool
from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from taskservice.agent.execution import run_to_reply, stream_run
from taskservice.agent.memory import history
from taskservice.agent.schemas import (
    SESSION_ID_PATTERN,
    AgentInfo,
    AgentReply,
    AgentRequest,
    ApprovalRequest,
    SessionDetail,
    SessionMessage,
    SessionSummary,
    ToolInfo,
)
from taskservice.agent.service import AgentService, OpenRun
from taskservice.agent.store import Conversation, Conversations, SessionBusy
from taskservice.agent.transcript import messages_of
from taskservice.agent.triage import AGENTS
from taskservice.auth.dependencies import CurrentUser
from taskservice.db import DbSession
from taskservice.openapi import problem_responses
from taskservice.resources import ResourcesDep

router = APIRouter(tags=["agent"])

SessionId = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=SESSION_ID_PATTERN, description="The session's id."),
]


async def get_agent_service(resources: ResourcesDep) -> AgentService:
    return resources.agent


AgentServiceDep = Annotated[AgentService, Depends(get_agent_service)]


def _summary(conversation: Conversation, ttl: timedelta) -> dict[str, object]:
    return {
        "id": conversation.id,
        "title": conversation.title,
        "focus_task_id": conversation.focus_task_id,
        "pending_approvals": len(conversation.pending_approvals or []),
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "expires_at": conversation.updated_at + ttl,
    }


@router.post(
    "/agent",
    response_model=AgentReply,
    responses=problem_responses(400, 401, 404, 409, 413, 422, 429, 502, 504),
)
async def ask_agent(body: AgentRequest, user: CurrentUser, service: AgentServiceDep) -> AgentReply:
    """Ask the agent. Without `session_id` a new session starts (its id is returned)."""
    assert user.id is not None
    run = await service.open(
        user.id, session_id=body.session_id, title=body.message, task_id=body.task_id
    )
    try:
        return await run_to_reply(service, run, body.message)
    finally:
        await run.close()


async def open_stream(
    body: AgentRequest, user: CurrentUser, service: AgentServiceDep
) -> AsyncIterator[OpenRun]:
    """Admit the run before the stream starts, so refusals are plain problem responses."""
    assert user.id is not None
    run = await service.open(
        user.id, session_id=body.session_id, title=body.message, task_id=body.task_id
    )
    try:
        yield run
    finally:
        await run.close()


_EVENT_TYPES = [
    "agent_updated",
    "handoff",
    "tool_called",
    "tool_output",
    "text_delta",
    "approval_required",
    "done",
    "error",
]
_SSE_ITEM = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": _EVENT_TYPES},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "description": "A JSON object: for `done` an AgentReply, for `error` a Problem.",
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
                "A `text/event-stream`. Each event's `data` is a JSON object; the event "
                "types, in order of appearance: `agent_updated` {agent}, `handoff` {from, "
                "to}, `tool_called` {id, agent, name, arguments}, `tool_output` {id, agent, "
                "output}, `text_delta` {agent, delta}, `approval_required` {id, tool, agent, "
                "arguments}; then exactly one of `done` (the AgentReply object, as POST "
                "/agent returns it) or `error` (a problem object with `session_id`)."
            ),
        },
        **problem_responses(400, 401, 404, 409, 413, 422, 429),
    },
)
async def stream_agent(
    body: AgentRequest,
    service: AgentServiceDep,
    run: Annotated[OpenRun, Depends(open_stream, scope="request")],
) -> AsyncIterator[ServerSentEvent]:
    """Ask the agent and follow the run as server-sent events."""
    async for event in stream_run(service, run, body.message):
        yield event


@router.post(
    "/agent/sessions/{session_id}/approvals",
    response_model=AgentReply,
    responses=problem_responses(400, 401, 404, 409, 413, 422, 429, 502, 504),
)
async def decide_approvals(
    session_id: SessionId, body: ApprovalRequest, user: CurrentUser, service: AgentServiceDep
) -> AgentReply:
    """Approve or reject the tool calls a session's run waits for, and resume it."""
    assert user.id is not None
    run = await service.open(user.id, session_id=session_id, resuming=True)
    try:
        state = await service.resume_state(run, body.decisions)
        return await run_to_reply(service, run, state)
    finally:
        await run.close()


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
                    needs_approval=tool.needs_approval is True,
                )
                for tool in agent.tools
                if isinstance(tool, FunctionTool)
            ],
            handoffs=[getattr(h, "name", getattr(h, "agent_name", "")) for h in agent.handoffs],
        )
        for agent in AGENTS
    ]


@router.get(
    "/agent/sessions", response_model=list[SessionSummary], responses=problem_responses(401, 422)
)
async def list_sessions(
    user: CurrentUser,
    db: DbSession,
    service: AgentServiceDep,
    limit: Annotated[int, Query(ge=1, le=100, description="How many, newest first.")] = 20,
) -> list[SessionSummary]:
    """Your agent sessions, most recently active first."""
    assert user.id is not None
    conversations = await Conversations(db, user.id, service.ttl).list_sessions(limit)
    return [SessionSummary.model_validate(_summary(c, service.ttl)) for c in conversations]


@router.get(
    "/agent/sessions/{session_id}",
    response_model=SessionDetail,
    responses=problem_responses(401, 404, 422),
)
async def get_session(
    session_id: SessionId, user: CurrentUser, db: DbSession, service: AgentServiceDep
) -> SessionDetail:
    """One session: its messages and the approvals it waits for."""
    assert user.id is not None
    conversation = await Conversations(db, user.id, service.ttl).get(session_id)
    items = await history(service.engine, session_id).get_items()
    messages: list[SessionMessage] = messages_of(items)
    return SessionDetail.model_validate(
        {
            **_summary(conversation, service.ttl),
            "messages": messages,
            "approvals": conversation.pending_approvals or [],
        }
    )


@router.delete(
    "/agent/sessions/{session_id}",
    status_code=204,
    responses=problem_responses(401, 404, 409, 422),
)
async def delete_session(
    session_id: SessionId, user: CurrentUser, db: DbSession, service: AgentServiceDep
) -> Response:
    """Delete a session and its history."""
    assert user.id is not None
    conversations = Conversations(db, user.id, service.ttl)
    await conversations.get(session_id)
    if await service.slots.busy(session_id):
        raise SessionBusy()
    await conversations.delete(session_id)
    return Response(status_code=204)
