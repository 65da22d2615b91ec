"""Requests and responses of the agent endpoints."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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


class AgentReply(BaseModel):
    session_id: str
    reply: str = Field(description="The agent's answer, or what waits for your approval.")
    agent: str = Field(description="The agent that answered last.")
    handoffs: list[Handoff]
    tool_calls: list[ToolCall]
    pending_approvals: list[PendingApproval]


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200, description="A pending approval's id.")
    approve: bool


class ApprovalRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"decisions": [{"id": "call_4f1c", "approve": True}]}]},
    )

    decisions: list[Decision] = Field(min_length=1, max_length=50)


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
    needs_approval: bool


class AgentInfo(BaseModel):
    name: str
    role: str
    tools: list[ToolInfo]
    handoffs: list[str]
