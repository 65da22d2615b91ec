"""Requests and responses of the agent endpoints."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from taskservice.tasks.schemas import NO_NUL_PATTERN

SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class AgentRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"message": "add a task to buy milk tomorrow", "session_id": None},
                {"message": "mark it as done", "session_id": "3f2a...", "task_id": 12},
            ]
        },
    )

    message: str = Field(
        min_length=1,
        max_length=4000,
        pattern=NO_NUL_PATTERN,
        description="What you ask the agent.",
    )
    session_id: str | None = Field(
        default=None,
        max_length=64,
        pattern=SESSION_ID_PATTERN,
        description="Continue this session; null starts a new one (its id is returned).",
    )
    task_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="Focus the conversation on this task of yours ('help me finish this').",
    )


class Handoff(BaseModel):
    from_: str = Field(alias="from", description="The agent that handed off.")
    to: str = Field(description="The agent that took over.")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class ToolCall(BaseModel):
    id: str = Field(description="The tool call's id.")
    agent: str = Field(description="The agent that called the tool.")
    name: str
    arguments: dict[str, Any]
    output: Any = Field(description="What the tool returned (JSON), as the model saw it.")


class PendingApproval(BaseModel):
    id: str = Field(description="Decide it at POST /agent/sessions/{id}/approvals.")
    tool: str
    agent: str
    arguments: dict[str, Any]
    description: str = Field(
        default="",
        description="What will happen if you approve, for people.",
        examples=["Delete task #8 'buy milk'?"],
    )


class AgentReply(BaseModel):
    run_id: str = Field(description="The run that produced this reply (GET /agent/runs/{id}).")
    session_id: str
    status: Literal["completed", "waiting_approval"] = Field(
        description="`waiting_approval` when the run waits for your decisions."
    )
    reply: str = Field(description="The agent's answer, or what waits for your approval.")
    agent: str = Field(description="The agent that answered last.")
    handoffs: list[Handoff]
    tool_calls: list[ToolCall]
    pending_approvals: list[PendingApproval]


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200, description="A pending approval's id.")
    approve: StrictBool = Field(description="`true` or `false`, nothing else.")


class ApprovalRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"decisions": [{"id": "call_4f1c", "approve": True}]}]},
    )

    decisions: list[Decision] = Field(
        min_length=1, max_length=50, description="One decision per pending id, each id once."
    )

    @model_validator(mode="after")
    def _each_id_once(self) -> "ApprovalRequest":
        seen: set[str] = set()
        for decision in self.decisions:
            if decision.id in seen:
                raise ValueError(f"approval {decision.id!r} is decided more than once")
            seen.add(decision.id)
        return self


class SessionSummary(BaseModel):
    id: str
    title: str = Field(description="The session's first message, shortened.")
    focus_task_id: int | None
    pending_approvals: int = Field(description="How many tool calls wait for a decision.")
    created_at: datetime
    updated_at: datetime
    expires_at: datetime = Field(description="When the session expires if left idle.")


class SessionMessage(BaseModel):
    type: Literal["message", "tool_call", "tool_output", "other"]
    role: Literal["user", "assistant", "tool"]
    content: str | None = Field(default=None, description="Text of a message.")
    name: str | None = Field(default=None, description="The tool, for a call.")
    arguments: str | None = Field(default=None, description="A call's arguments (JSON).")
    call_id: str | None = None
    output: str | None = Field(default=None, description="A tool's output.")


class SessionDetail(SessionSummary):
    messages: list[SessionMessage]
    approvals: list[PendingApproval]


class ToolInfo(BaseModel):
    name: str
    description: str
    needs_approval: bool = Field(
        description="Whether a call may wait for the user's approval: always (deleting), "
        "or when its description says so (an undo that would delete a task)."
    )


class AgentInfo(BaseModel):
    name: str
    role: str
    tools: list[ToolInfo]
    handoffs: list[str]


RunStatusName = Literal[
    "running", "waiting_approval", "completed", "cancelled", "timed_out", "failed"
]


class RunToolCall(BaseModel):
    id: str = Field(description="The tool call's id.")
    agent: str
    name: str
    arguments: dict[str, Any]
    output: Any = Field(description="What the tool returned (JSON).")
    ok: bool = Field(description="False when the call failed (its output says why).")
    at: datetime


class RunDetail(BaseModel):
    id: str
    session_id: str
    status: RunStatusName
    outcome: str | None = Field(
        description="How it ended, finer than `status`: completed, guardrail, "
        "waiting_approval, cancelled, timed_out, provider_error, max_turns, tool_limit, lost, "
        "error; null while running."
    )
    detail: str | None = Field(description="Why it ended that way, for people.")
    stop_requested: str | None = Field(
        description="`after_tool_call` or `immediate` once a cancel was asked for."
    )
    started_at: datetime
    ended_at: datetime | None
    duration_ms: int | None = Field(description="From start to end; null while running.")
    tool_calls: list[RunToolCall] = Field(description="Every tool call it made, in order.")
