"""Every table, imported in one place so that ``metadata`` is complete for Alembic."""

from sqlmodel import SQLModel

from taskservice.agent.memory import SDK_MESSAGES, SDK_SESSIONS
from taskservice.agent.store import AgentRun, Conversation
from taskservice.auth.models import ApiKey, User
from taskservice.signing import ServerSecret
from taskservice.tasks.counts import TaskCount
from taskservice.tasks.events import TaskEvent
from taskservice.tasks.models import IdempotencyRecord, Task, TaskTag

metadata = SQLModel.metadata

__all__ = [
    "SDK_MESSAGES",
    "SDK_SESSIONS",
    "AgentRun",
    "ApiKey",
    "Conversation",
    "IdempotencyRecord",
    "ServerSecret",
    "Task",
    "TaskCount",
    "TaskEvent",
    "TaskTag",
    "User",
    "metadata",
]
