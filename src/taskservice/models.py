"""Every table, imported in one place so that ``metadata`` is complete for Alembic."""

from sqlmodel import SQLModel

from taskservice.agent.history import SDK_HISTORY, SDK_ITEMS
from taskservice.agent.runs.records import AgentRun, AgentToolCall
from taskservice.agent.sessions import AgentSession
from taskservice.auth.models import ApiKey, User
from taskservice.observability.traces import AgentTraceSpan
from taskservice.signing import ServerSecret
from taskservice.tasks.counts import TaskCount
from taskservice.tasks.events import TaskEvent
from taskservice.tasks.models import IdempotencyRecord, Task, TaskTag

metadata = SQLModel.metadata

__all__ = [
    "SDK_HISTORY",
    "SDK_ITEMS",
    "AgentRun",
    "AgentSession",
    "AgentToolCall",
    "AgentTraceSpan",
    "ApiKey",
    "IdempotencyRecord",
    "ServerSecret",
    "Task",
    "TaskCount",
    "TaskEvent",
    "TaskTag",
    "User",
    "metadata",
]
