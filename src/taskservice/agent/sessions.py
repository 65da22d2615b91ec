"""Agent sessions: who owns each, its focus task, and the approvals its run waits for.

A session is one conversation with the agent (the API's ``session_id``). Its
history, the items the model sees, lives in ``history``; its runs in ``runs``.
Every query here starts from the owner, so another user's session is
indistinguishable from a missing one. An idle session past its TTL is gone.
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
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from taskservice.agent.errors import SessionNotFound
from taskservice.agent.history import forget
from taskservice.db import DbSessionMaker, UTCDateTime, utcnow


class AgentSession(SQLModel, table=True):
    """A session. Its id is also the SDK session id of its history."""

    __tablename__ = "agent_sessions"
    __table_args__ = (Index("ix_agent_sessions_owner_updated", "owner_id", "updated_at"),)

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    owner_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    title: str = Field(sa_column=Column(String(120), nullable=False))
    focus_task_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    # The paused run (the SDK's RunState as JSON) and the calls it waits for.
    pending_state: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    pending_approvals: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


def new_session_id() -> str:
    return secrets.token_hex(16)


class SessionStore:
    """One owner's sessions, in the caller's transaction."""

    def __init__(self, db: AsyncSession, owner_id: int, ttl: timedelta) -> None:
        self.db = db
        self.owner_id = owner_id
        self.ttl = ttl

    def _live(self) -> Any:
        return select(AgentSession).where(
            col(AgentSession.owner_id) == self.owner_id,
            col(AgentSession.updated_at) > utcnow() - self.ttl,
        )

    async def create(self, session_id: str, title: str, focus_task_id: int | None) -> AgentSession:
        now = utcnow()
        session = AgentSession(
            id=session_id,
            owner_id=self.owner_id,
            title=title[:120],
            focus_task_id=focus_task_id,
            created_at=now,
            updated_at=now,
        )
        self.db.add(session)
        await self.db.flush()
        return session

    async def get(self, session_id: str) -> AgentSession:
        stmt = self._live().where(col(AgentSession.id) == session_id)
        session: AgentSession | None = (await self.db.execute(stmt)).scalar_one_or_none()
        if session is None:
            raise SessionNotFound(session_id)
        return session

    async def list_sessions(self, limit: int) -> list[AgentSession]:
        stmt = (
            self._live()
            .order_by(col(AgentSession.updated_at).desc(), col(AgentSession.id))
            .limit(limit)
        )
        return list((await self.db.execute(stmt)).scalars())

    async def delete(self, session_id: str) -> None:
        session = await self.get(session_id)
        await self.db.delete(session)
        await forget(self.db, [session_id])


async def set_pending(
    db: AsyncSession,
    session_id: str,
    *,
    state: str | None = None,
    approvals: list[dict[str, Any]] | None = None,
) -> None:
    """Record what the session's run waits for (None: nothing), and touch the session."""
    await db.execute(
        update(AgentSession)
        .where(col(AgentSession.id) == session_id)
        .values(updated_at=utcnow(), pending_state=state, pending_approvals=approvals)
    )


async def purge_expired_sessions(db_sessions: DbSessionMaker, ttl: timedelta) -> int:
    """Delete idle sessions past their TTL, with their history and runs."""
    cutoff = utcnow() - ttl
    async with db_sessions() as db, db.begin():
        ids = list(
            (
                await db.execute(
                    select(col(AgentSession.id)).where(col(AgentSession.updated_at) <= cutoff)
                )
            ).scalars()
        )
        if ids:
            await db.execute(delete(AgentSession).where(col(AgentSession.id).in_(ids)))
            await forget(db, ids)
    return len(ids)
