"""Agent sessions (who owns them, what approvals wait) and the runs in progress.

Both live in the database, not in process memory, so they hold across worker
processes and restarts: one run at a time per session (409), at most
``agent_max_concurrent`` runs per user (429).
"""

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from taskservice.agent.memory import forget
from taskservice.auth.models import User
from taskservice.db import DbSessionMaker, UTCDateTime, utcnow
from taskservice.errors import Conflict, NotFound, TooManyRequests

RETRY_AFTER_S = 2


class Conversation(SQLModel, table=True):
    """An agent session. Its id is also the SDK session id of its history."""

    __tablename__ = "agent_conversations"
    __table_args__ = (Index("ix_agent_conversations_owner_updated", "owner_id", "updated_at"),)

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    owner_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    title: str = Field(sa_column=Column(String(120), nullable=False))
    focus_task_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    pending_state: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    pending_approvals: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AgentRun(SQLModel, table=True):
    """A run in progress. A row older than ``expires_at`` belongs to a dead process."""

    __tablename__ = "agent_runs"
    __table_args__ = (
        Index("ix_agent_runs_owner", "owner_id"),
        Index("ix_agent_runs_conversation", "conversation_id"),
    )

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    owner_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    conversation_id: str = Field(sa_column=Column(String(32), nullable=False))
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SessionNotFound(NotFound):
    slug = "session-not-found"

    def __init__(self, session_id: str) -> None:
        super().__init__(f"Agent session {session_id!r} does not exist.")


class SessionBusy(Conflict):
    slug = "session-busy"

    def __init__(self) -> None:
        super().__init__("A run is still in progress on this session; wait for it to finish.")


class TooManyRuns(TooManyRequests):
    slug = "too-many-agent-runs"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You already have {limit} agent runs in progress; retry when one finishes.",
            retry_after_s=RETRY_AFTER_S,
        )


class Conversations:
    """The owner's agent sessions; an idle one past its TTL is gone."""

    def __init__(self, db: AsyncSession, owner_id: int, ttl: timedelta) -> None:
        self.db = db
        self.owner_id = owner_id
        self.ttl = ttl

    def _live(self) -> Any:
        return select(Conversation).where(
            col(Conversation.owner_id) == self.owner_id,
            col(Conversation.updated_at) > utcnow() - self.ttl,
        )

    async def create(
        self, title: str, focus_task_id: int | None, session_id: str | None = None
    ) -> Conversation:
        now = utcnow()
        conversation = Conversation(
            id=session_id or secrets.token_hex(16),
            owner_id=self.owner_id,
            title=title[:120],
            focus_task_id=focus_task_id,
            created_at=now,
            updated_at=now,
        )
        self.db.add(conversation)
        await self.db.flush()
        return conversation

    async def get(self, session_id: str) -> Conversation:
        stmt = self._live().where(col(Conversation.id) == session_id)
        conversation: Conversation | None = (await self.db.execute(stmt)).scalar_one_or_none()
        if conversation is None:
            raise SessionNotFound(session_id)
        return conversation

    async def list_sessions(self, limit: int) -> list[Conversation]:
        stmt = (
            self._live()
            .order_by(col(Conversation.updated_at).desc(), col(Conversation.id))
            .limit(limit)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def delete(self, session_id: str) -> None:
        conversation = await self.get(session_id)
        await self.db.delete(conversation)
        await forget(self.db, [session_id])

    async def save_turn(
        self,
        session_id: str,
        *,
        pending_state: str | None,
        pending_approvals: list[dict[str, Any]] | None,
    ) -> None:
        await self.db.execute(
            update(Conversation)
            .where(col(Conversation.id) == session_id)
            .values(
                updated_at=utcnow(),
                pending_state=pending_state,
                pending_approvals=pending_approvals,
            )
        )


async def purge_expired_sessions(db_sessions: DbSessionMaker, ttl: timedelta) -> int:
    """Delete idle sessions past their TTL, with their history."""
    cutoff = utcnow() - ttl
    async with db_sessions() as db, db.begin():
        ids = list(
            (
                await db.execute(
                    select(col(Conversation.id)).where(col(Conversation.updated_at) <= cutoff)
                )
            ).scalars()
        )
        if ids:
            await db.execute(delete(Conversation).where(col(Conversation.id).in_(ids)))
            await forget(db, ids)
        await db.execute(delete(AgentRun).where(col(AgentRun.expires_at) <= utcnow()))
    return len(ids)


class RunSlots:
    """Admission for agent runs, shared by every worker through the database."""

    def __init__(self, db_sessions: DbSessionMaker, *, per_user: int, lease: timedelta) -> None:
        self.db_sessions = db_sessions
        self.per_user = per_user
        self.lease = lease

    async def admit(self, db: AsyncSession, owner_id: int, conversation_id: str) -> str:
        """A run token, or :class:`SessionBusy` / :class:`TooManyRuns`, in ``db``'s
        transaction: if it rolls back, the admission goes with it."""
        token = secrets.token_hex(16)
        now = utcnow()
        if db.get_bind().dialect.name == "postgresql":
            # Serialise admissions per user: concurrent ones queue on the user's row.
            await db.execute(select(col(User.id)).where(col(User.id) == owner_id).with_for_update())
        # On SQLite this write takes the database's write lock, which serialises
        # admissions just the same; the count below then sees every committed run.
        db.add(
            AgentRun(
                id=token,
                owner_id=owner_id,
                conversation_id=conversation_id,
                started_at=now,
                expires_at=now + self.lease,
            )
        )
        await db.flush()
        running, same_session = (
            await db.execute(
                select(
                    func.count(),
                    func.count().filter(col(AgentRun.conversation_id) == conversation_id),
                ).where(col(AgentRun.owner_id) == owner_id, col(AgentRun.expires_at) > now)
            )
        ).one()
        if same_session > 1:
            raise SessionBusy()
        if running > self.per_user:
            raise TooManyRuns(self.per_user)
        return token

    async def busy(self, conversation_id: str) -> bool:
        async with self.db_sessions() as db:
            running = await db.scalar(
                select(func.count())
                .select_from(AgentRun)
                .where(
                    col(AgentRun.conversation_id) == conversation_id,
                    col(AgentRun.expires_at) > utcnow(),
                )
            )
        return bool(running)

    @staticmethod
    async def release(db: AsyncSession, token: str) -> None:
        await db.execute(delete(AgentRun).where(col(AgentRun.id) == token))

    async def release_now(self, token: str) -> None:
        async with self.db_sessions() as db, db.begin():
            await self.release(db, token)
