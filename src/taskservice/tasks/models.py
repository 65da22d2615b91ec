"""Task tables.

``priority`` is stored as its rank (a small integer) so that sorting by priority
is an index scan; Python code only ever sees the :class:`Priority` enum.
Tags live twice on purpose: ``tasks.tags`` (JSON) is what a read returns in one
row, ``task_tags`` is what the ``tag`` filter uses through an index. The
repository is the only writer of both.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from taskservice.db import UTCDateTime, utcnow


class Status(StrEnum):
    todo = "todo"
    in_progress = "in_progress"
    blocked = "blocked"
    done = "done"


OPEN_STATUSES = (Status.todo, Status.in_progress, Status.blocked)
"""What "open" means everywhere: any status but done."""


class Priority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    urgent = "urgent"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.low: 1, Priority.medium: 2, Priority.high: 3, Priority.urgent: 4}
PRIORITY_BY_RANK = {rank: priority for priority, rank in _PRIORITY_RANK.items()}


class PriorityRank(TypeDecorator[Priority]):
    """Stores a :class:`Priority` as its rank: low=1 ... urgent=4."""

    impl = SmallInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return Priority(value).rank

    def process_result_value(self, value: int | None, dialect: Dialect) -> Priority | None:
        return None if value is None else PRIORITY_BY_RANK[value]


_version = Column("version", Integer, nullable=False)


class Task(SQLModel, table=True):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(
            "status IN ('todo', 'in_progress', 'blocked', 'done')", name="ck_tasks_status"
        ),
        CheckConstraint("priority BETWEEN 1 AND 4", name="ck_tasks_priority"),
        Index("ix_tasks_owner_created", "owner_id", "created_at", "id"),
        Index("ix_tasks_owner_updated", "owner_id", "updated_at", "id"),
        Index("ix_tasks_owner_due", "owner_id", "due_date", "id"),
        Index("ix_tasks_owner_priority", "owner_id", "priority", "id"),
        Index("ix_tasks_owner_title", "owner_id", "title", "id"),
        Index("ix_tasks_owner_status_created", "owner_id", "status", "created_at", "id"),
        Index("ix_tasks_owner_status_priority", "owner_id", "status", "priority", "id"),
        {"sqlite_autoincrement": True},
    )
    # SQLAlchemy's optimistic concurrency: every UPDATE is
    # "... WHERE id = :id AND version = :loaded_version" and bumps the version.
    __mapper_args__ = {"version_id_col": _version}

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    title: str = Field(sa_column=Column(String(200), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: Status = Field(
        default=Status.todo, sa_column=Column(String(16), nullable=False, default="todo")
    )
    priority: Priority = Field(
        default=Priority.medium, sa_column=Column(PriorityRank(), nullable=False)
    )
    due_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    completed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    version: int = Field(default=1, sa_column=_version)
    # What text search compares against (see ``search``): set by the repository with the
    # title and description, never returned.
    title_folded: str = Field(sa_column=Column(Text, nullable=False))
    description_folded: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class TaskTag(SQLModel, table=True):
    __tablename__ = "task_tags"
    __table_args__ = (Index("ix_task_tags_owner_tag", "owner_id", "tag", "task_id"),)

    task_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    )
    tag: str = Field(sa_column=Column(String(40), primary_key=True))
    owner_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )


class IdempotencyRecord(SQLModel, table=True):
    """A claimed ``Idempotency-Key`` and, once the request finished, its response."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),
        CheckConstraint("state IN ('processing', 'completed')", name="ck_idempotency_state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    key: str = Field(sa_column=Column(String(255), nullable=False))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    response_status: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    response_body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    response_headers: dict[str, str] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
