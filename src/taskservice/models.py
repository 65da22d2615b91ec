"""Every table, imported in one place so that ``metadata`` is complete for Alembic."""

from sqlmodel import SQLModel

from taskservice.auth.models import ApiKey, User
from taskservice.tasks.models import IdempotencyRecord, Task, TaskTag

metadata = SQLModel.metadata

__all__ = ["ApiKey", "IdempotencyRecord", "Task", "TaskTag", "User", "metadata"]
