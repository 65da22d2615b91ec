"""Running the agent for a request: admission, the run itself, and its failures.

Every run goes through :meth:`AgentService.open`, which checks the session
(404), admits the run (409 if the session is busy, 429 over the per-user
limit), and hands back an :class:`OpenRun` that releases its slot when closed.
Failures map to problems: a run over ``agent_timeout_s`` is 504, the provider
failing or refusing is 502, too many turns is 422. None of them is a bare 500,
and none touches the session's earlier history (a turn is saved whole or not at
all, see ``memory.TurnBuffer``).
"""

import asyncio
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import openai
from agents import (
    InputGuardrailTripwireTriggered,
    MaxTurnsExceeded,
    ModelBehaviorError,
    ModelSettings,
    RunConfig,
    RunContextWrapper,
    RunState,
)
from agents.items import ToolApprovalItem
from agents.models.interface import Model
from sqlalchemy.ext.asyncio import AsyncEngine

from taskservice.agent.context import AgentContext
from taskservice.agent.memory import TurnBuffer, attach
from taskservice.agent.results import approval, summarize
from taskservice.agent.schemas import AgentReply, Decision
from taskservice.agent.store import Conversation, Conversations, RunSlots
from taskservice.agent.tools.common import error_output
from taskservice.agent.triage import triage
from taskservice.config import Settings
from taskservice.db import DbSessionMaker
from taskservice.errors import (
    AppError,
    BadGateway,
    Conflict,
    GatewayTimeout,
    UnprocessableContent,
)
from taskservice.tasks.repository import TaskRepository

logger = logging.getLogger("taskservice.agent")

REJECTED = error_output("the user did not approve this; nothing was done")


class ApprovalsPending(Conflict):
    slug = "approvals-pending"

    def __init__(self, session_id: str) -> None:
        super().__init__(
            f"Session {session_id!r} is waiting for approval decisions; decide them at "
            f"POST /agent/sessions/{session_id}/approvals, or start a new session."
        )


class UnknownApproval(Conflict):
    slug = "approval-not-pending"

    def __init__(self, approval_id: str) -> None:
        super().__init__(f"Approval {approval_id!r} is unknown or already decided.")


class AgentTimeout(GatewayTimeout):
    slug = "agent-timeout"


class ProviderFailed(BadGateway):
    slug = "model-provider-error"


class TooManyTurns(UnprocessableContent):
    slug = "agent-max-turns"


def translate(exc: BaseException, settings: Settings) -> AppError | None:
    """The problem a failed run answers with; None for a bug (a real 500)."""
    if isinstance(exc, TimeoutError | openai.APITimeoutError):
        return AgentTimeout(f"The agent did not finish within {settings.agent_timeout_s:g} s.")
    if isinstance(exc, MaxTurnsExceeded):
        return TooManyTurns(
            f"The agent needed more than {settings.agent_max_turns} steps; "
            "ask for less at once or rephrase."
        )
    if isinstance(exc, openai.APIStatusError):
        return ProviderFailed(f"The model provider answered {exc.status_code}; try again later.")
    if isinstance(exc, openai.APIError | ModelBehaviorError | json.JSONDecodeError):
        return ProviderFailed("The model provider failed or sent an invalid answer.")
    return None


@dataclass
class OpenRun:
    """An admitted run: its session, its context, and its history buffer."""

    service: "AgentService"
    conversation: Conversation
    token: str
    context: AgentContext
    memory: TurnBuffer
    deadline: float = field(default=0.0)
    released: bool = False

    @property
    def session_id(self) -> str:
        return self.conversation.id

    async def close(self) -> None:
        """Release the run's slot, unless :meth:`finish` did; drop an unsaved turn."""
        with anyio.CancelScope(shield=True):
            self.memory.discard()
            if not self.released:
                self.released = True
                await self.service.slots.release_now(self.token)

    async def finish(self, result: Any) -> AgentReply:
        """Save the turn, the approvals it waits for, and release the run: one commit."""
        interruptions: list[ToolApprovalItem] = list(result.interruptions)
        reply = summarize(
            self.session_id,
            list(result.new_items),
            reply=_waiting(interruptions) if interruptions else str(result.final_output or ""),
            agent=result.last_agent.name,
            interruptions=interruptions,
        )
        state = None
        if interruptions:
            snapshot = result.to_state().to_json(context_serializer=_serialize_context)
            state = json.dumps(snapshot)
        with anyio.CancelScope(shield=True):
            async with self.service.db_sessions() as db, db.begin():
                await self.memory.save(db)
                await self.service.conversations(db, self.context.user_id).save_turn(
                    self.session_id,
                    pending_state=state,
                    pending_approvals=[p.model_dump() for p in reply.pending_approvals] or None,
                )
                await self.service.slots.release(db, self.token)
            self.released = True
        return reply

    def refused(self, exc: InputGuardrailTripwireTriggered) -> AgentReply:
        """The guardrail's polite answer; the turn is not saved."""
        self.memory.discard()
        info = exc.guardrail_result.output.output_info or {}
        return summarize(
            self.session_id,
            [],
            reply=str(info.get("reply", "")),
            agent=triage.name,
            interruptions=[],
        )


def _waiting(interruptions: list[ToolApprovalItem]) -> str:
    calls = [approval(item) for item in interruptions]
    described = "; ".join(
        f"{c.tool}({', '.join(f'{k}={v!r}' for k, v in c.arguments.items())})" for c in calls
    )
    return f"This needs your approval first: {described}."


def _serialize_context(context: Any) -> dict[str, Any]:
    assert isinstance(context, AgentContext)
    return context.serialize()


class AgentService:
    def __init__(
        self, settings: Settings, engine: AsyncEngine, db_sessions: DbSessionMaker, model: Model
    ) -> None:
        self.settings = settings
        self.engine = engine
        attach(engine, settings.sqlite_busy_timeout_ms)
        self.db_sessions = db_sessions
        self.model = model
        self.ttl = timedelta(hours=settings.agent_session_ttl_hours)
        self.slots = RunSlots(
            db_sessions,
            per_user=settings.agent_max_concurrent,
            # A run cannot outlive its timeout; a slot older than this was left by a
            # process that died, and stops counting.
            lease=timedelta(seconds=settings.agent_timeout_s + 30),
        )
        self.run_config = RunConfig(
            model=model,
            # Responses are not kept by the provider: task data stays in our database.
            model_settings=ModelSettings(store=False)
            if settings.openai_api == "responses"
            else None,
            tracing_disabled=not settings.tracing,
            workflow_name="taskservice agent",
        )

    def conversations(self, db: Any, user_id: int) -> Conversations:
        return Conversations(db, user_id, self.ttl)

    async def open(
        self,
        user_id: int,
        *,
        session_id: str | None,
        title: str = "",
        task_id: int | None = None,
        resuming: bool = False,
    ) -> OpenRun:
        conversation_id = session_id or secrets.token_hex(16)
        async with self.db_sessions() as db, db.begin():
            conversations = self.conversations(db, user_id)
            if task_id is not None:
                await TaskRepository(db, user_id).get(task_id)
            existing = await conversations.get(session_id) if session_id is not None else None
            # Admission is part of this transaction: a refusal below undoes it.
            token = await self.slots.admit(db, user_id, conversation_id)
            if existing is None:
                conversation = await conversations.create(title, task_id, conversation_id)
            else:
                conversation = existing
                await db.refresh(conversation)  # as it is now that we hold the session
                if conversation.pending_approvals and not resuming:
                    raise ApprovalsPending(conversation.id)
                if task_id is not None:
                    conversation.focus_task_id = task_id
        context = AgentContext(
            user_id=user_id,
            session_id=conversation.id,
            db_sessions=self.db_sessions,
            today=datetime.now(UTC).date(),
            focus_task_id=conversation.focus_task_id,
        )
        memory = TurnBuffer(self.engine, conversation.id, fresh=existing is None)
        deadline = asyncio.get_running_loop().time() + self.settings.agent_timeout_s
        return OpenRun(self, conversation, token, context, memory, deadline)

    async def resume_state(self, run: OpenRun, decisions: list[Decision]) -> RunState[Any, Any]:
        """The stored run of ``run``'s session with these decisions applied."""
        pending = {a["id"] for a in run.conversation.pending_approvals or []}
        if not run.conversation.pending_state:
            raise UnknownApproval(decisions[0].id)
        for decision in decisions:
            if decision.id not in pending:
                raise UnknownApproval(decision.id)
        state: RunState[Any, Any] = await RunState.from_json(
            triage,
            json.loads(run.conversation.pending_state),
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
        return state


def _call_id(item: ToolApprovalItem) -> Any:
    raw = item.raw_item
    return raw.get("call_id") if isinstance(raw, dict) else getattr(raw, "call_id", None)
