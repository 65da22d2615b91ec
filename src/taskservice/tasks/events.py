"""The history of a task: every change, by whom, from which front door.

Both the REST routes and the agent's tools change tasks through the
repository, and the repository records an event for each change, so the
history is complete whichever door a change came through.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from taskservice.db import UTCDateTime

Action = Literal["created", "updated", "deleted"]


@dataclass(frozen=True)
class Actor:
    """Who is changing tasks: the REST API, an agent within a session, or an MCP client
    (named when it sends its name).

    ``change_id`` names one change (an agent's tool call: the events it records belong
    together, and undo reverts them together); ``undoes`` is the change that this one
    reverts, when it is an undo.
    """

    agent: str | None = None
    session_id: str | None = None
    mcp: bool = False
    mcp_client: str | None = None
    change_id: str | None = None
    undoes: str | None = None

    @property
    def label(self) -> str:
        if self.agent:
            return f"agent:{self.agent}"
        if self.mcp:
            return f"mcp:{self.mcp_client}" if self.mcp_client else "mcp"
        return "api"


API = Actor()


class TaskEvent(SQLModel, table=True):
    __tablename__ = "task_events"
    __table_args__ = (
        Index("ix_task_events_owner_task", "owner_id", "task_id", "id"),
        Index("ix_task_events_owner_session", "owner_id", "session_id", "id"),
    )

    id: int | None = SQLField(default=None, primary_key=True)
    # No foreign key to tasks: the history outlives a deleted task (an audit trail).
    task_id: int = SQLField(sa_column=Column(Integer, nullable=False))
    owner_id: int = SQLField(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    actor: str = SQLField(sa_column=Column(String(80), nullable=False))
    session_id: str | None = SQLField(default=None, sa_column=Column(String(64), nullable=True))
    action: str = SQLField(sa_column=Column(String(16), nullable=False))
    changes: dict[str, Any] = SQLField(sa_column=Column(JSON, nullable=False))
    at: datetime = SQLField(sa_column=Column(UTCDateTime(), nullable=False))
    # The task's version after the change (for a deletion, the version it was deleted at):
    # what an undo expects to find, as an If-Match. Null in events older than it.
    version: int | None = SQLField(default=None, sa_column=Column(Integer, nullable=True))
    change_id: str | None = SQLField(default=None, sa_column=Column(String(32), nullable=True))
    undoes: str | None = SQLField(default=None, sa_column=Column(String(32), nullable=True))


def json_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


class FieldChange(BaseModel):
    old: Any = Field(description="The value before the change (null when created).")
    new: Any = Field(description="The value after the change (null when deleted).")


class TaskEventRead(BaseModel):
    model_config = {"from_attributes": True}

    actor: str = Field(
        description="`api`; `agent:<agent name>` for a change the agent made; `mcp`, or "
        "`mcp:<client name>` when the MCP client named itself, for a change made over MCP.",
        examples=["agent:editor"],
    )
    session_id: str | None = Field(description="The agent session, for agent changes.")
    action: Action
    changes: dict[str, FieldChange] = Field(description="Each changed field, old and new.")
    at: datetime
    version: int | None = Field(
        description="The task's version after this change (for a deletion, the version it "
        "had); null for changes recorded before versions were."
    )
    change_id: str | None = Field(
        description="Events with the same change_id are one change (one agent tool call, "
        "which may change several tasks); null for changes made over REST or MCP."
    )
    undoes: str | None = Field(
        description="When this change is an agent's undo: the change_id it reverted."
    )
