"""Conversation history through the SDK's ``Session`` protocol.

The items live in the SDK's own ``SQLAlchemySession`` tables, on the app's
engine; Alembic creates those tables (``SDK_TABLES`` mirrors their shape, and a
test checks it against the installed SDK). ``TurnBuffer`` wraps that session so
that a turn is saved whole or not at all: a run that fails, times out or is
cancelled leaves the earlier history exactly as it was, never half a turn (a
tool call without its output would break the next turn on a real provider).
"""

import json
from typing import Any

from agents import TResponseInputItem
from agents.extensions.memory import SQLAlchemySession
from agents.memory.session import SessionABC
from agents.memory.session_settings import SessionSettings
from sqlalchemy import (
    TIMESTAMP,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import SQLModel

from taskservice.db import apply_sqlite_pragmas

SESSIONS_TABLE = "agent_sessions"
MESSAGES_TABLE = "agent_messages"


def sdk_tables(metadata: MetaData) -> tuple[Table, Table]:
    """The SDK's session tables, declared on our metadata so Alembic owns them."""
    sessions = Table(
        SESSIONS_TABLE,
        metadata,
        Column("session_id", String, primary_key=True),
        Column(
            "created_at",
            TIMESTAMP(timezone=False),
            server_default=sql_text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        Column(
            "updated_at",
            TIMESTAMP(timezone=False),
            server_default=sql_text("CURRENT_TIMESTAMP"),
            onupdate=sql_text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
    )
    messages = Table(
        MESSAGES_TABLE,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column(
            "session_id",
            String,
            ForeignKey(f"{SESSIONS_TABLE}.session_id", ondelete="CASCADE"),
            nullable=False,
        ),
        Column("message_data", Text, nullable=False),
        Column(
            "created_at",
            TIMESTAMP(timezone=False),
            server_default=sql_text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        Index(f"idx_{MESSAGES_TABLE}_session_time", "session_id", "created_at"),
        sqlite_autoincrement=True,
    )
    return sessions, messages


def attach(engine: AsyncEngine, sqlite_busy_timeout_ms: int) -> None:
    """Let the SDK configure the engine once, at startup, then restore our settings.

    The SDK's ``SQLAlchemySession`` registers a SQLite ``connect`` listener on the
    first engine it sees. Registered lazily, on the first agent request, it raced
    connections being opened ("deque mutated during iteration") and overrode our
    busy timeout with its 5 s.
    """
    history(engine, "startup")
    if engine.dialect.name == "sqlite":
        apply_sqlite_pragmas(engine, sqlite_busy_timeout_ms)


def history(engine: AsyncEngine, session_id: str) -> SQLAlchemySession:
    return SQLAlchemySession(
        session_id,
        engine=engine,
        create_tables=False,
        sessions_table=SESSIONS_TABLE,
        messages_table=MESSAGES_TABLE,
        ensure_ascii=False,
    )


async def forget(db: AsyncSession, session_ids: list[str]) -> None:
    """Delete the stored history of these sessions (their messages cascade)."""
    if session_ids:
        sessions = SDK_SESSIONS
        await db.execute(delete(sessions).where(sessions.c.session_id.in_(session_ids)))


class TurnBuffer(SessionABC):
    """Holds a turn's new items until :meth:`save`; :meth:`discard` drops them.

    ``fresh`` marks a session created for this turn: it has no history to read.
    """

    def __init__(self, engine: AsyncEngine, session_id: str, *, fresh: bool = False) -> None:
        self.engine = engine
        self.fresh = fresh
        self.session_id = session_id
        self.session_settings = SessionSettings()
        self._stored: SQLAlchemySession | None = None
        self._pending: list[TResponseInputItem] = []

    @property
    def stored(self) -> SQLAlchemySession:
        """The SDK's session, made when first needed (making one costs ~1.5 ms: it
        builds its table definitions), which a new session's turn never does."""
        if self._stored is None:
            self._stored = history(self.engine, self.session_id)
        return self._stored

    async def get_items(self, limit: int | None = None) -> list[TResponseInputItem]:
        stored = [] if self.fresh else await self.stored.get_items()
        items = [*stored, *self._pending]
        return items[-limit:] if limit else items

    async def add_items(self, items: list[TResponseInputItem]) -> None:
        self._pending.extend(items)

    async def pop_item(self) -> TResponseInputItem | None:
        if self._pending:
            return self._pending.pop()
        return await self.stored.pop_item()

    async def clear_session(self) -> None:
        self._pending.clear()
        await self.stored.clear_session()

    async def commit(self) -> None:
        """Save the turn through the SDK's session, in a transaction of its own."""
        if self._pending:
            items, self._pending = self._pending, []
            await self.stored.add_items(items)

    async def save(self, db: AsyncSession) -> None:
        """Save the turn in the caller's transaction, rows as the SDK writes them.

        Written here rather than by ``SQLAlchemySession.add_items`` so that the turn's
        history, its approvals and the run's release are one commit, not three (the
        agent benchmark counted every transaction of a turn). ``test_memory`` checks
        that the SDK reads these rows back as it wrote its own.
        """
        if not self._pending:
            return
        items, self._pending = self._pending, []
        dialect = db.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await db.execute(
            insert(SDK_SESSIONS).values(session_id=self.session_id).on_conflict_do_nothing()
        )
        await db.execute(
            SDK_MESSAGES.insert(),
            [
                {
                    "session_id": self.session_id,
                    "message_data": json.dumps(item, ensure_ascii=False, separators=(",", ":")),
                }
                for item in items
            ],
        )
        await db.execute(
            update(SDK_SESSIONS)
            .where(SDK_SESSIONS.c.session_id == self.session_id)
            .values(updated_at=func.current_timestamp())
        )

    def discard(self) -> None:
        self._pending.clear()

    @property
    def pending(self) -> list[Any]:
        return list(self._pending)


SDK_SESSIONS, SDK_MESSAGES = sdk_tables(SQLModel.metadata)
