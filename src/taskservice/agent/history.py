"""A session's history: the items the model sees, through the SDK's ``Session`` protocol.

The items live in the SDK's own ``SQLAlchemySession`` tables (named here
``agent_history`` and ``agent_history_items``), on the app's engine; Alembic creates
those tables (``sdk_tables`` mirrors their shape, and a test checks it against the
installed SDK). ``TurnHistory`` is what a run hands the SDK as its session: it reads
the stored history and holds the run's new items until the run's end is recorded,
in one transaction with it (:meth:`TurnHistory.save`). A run that does not complete
saves, instead of the SDK's items, what it really did (its recorded tool calls) and
how it ended, never half a turn (a tool call without its output would break the
next turn on a real provider).
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
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import SQLModel

from taskservice.db import apply_sqlite_pragmas

HISTORY_TABLE = "agent_history"
ITEMS_TABLE = "agent_history_items"


def sdk_tables(metadata: MetaData) -> tuple[Table, Table]:
    """The SDK's session tables, declared on our metadata so Alembic owns them."""
    history = Table(
        HISTORY_TABLE,
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
    items = Table(
        ITEMS_TABLE,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column(
            "session_id",
            String,
            ForeignKey(f"{HISTORY_TABLE}.session_id", ondelete="CASCADE"),
            nullable=False,
        ),
        Column("message_data", Text, nullable=False),
        Column(
            "created_at",
            TIMESTAMP(timezone=False),
            server_default=sql_text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        Index(f"idx_{ITEMS_TABLE}_session_time", "session_id", "created_at"),
        sqlite_autoincrement=True,
    )
    return history, items


def attach(engine: AsyncEngine, sqlite_busy_timeout_ms: int) -> None:
    """Let the SDK configure the engine once, at startup, then restore our settings.

    The SDK's ``SQLAlchemySession`` registers a SQLite ``connect`` listener on the
    first engine it sees. Registered lazily, on the first agent request, it raced
    connections being opened ("deque mutated during iteration") and overrode our
    busy timeout with its 5 s.
    """
    stored_history(engine, "startup")
    if engine.dialect.name == "sqlite":
        apply_sqlite_pragmas(engine, sqlite_busy_timeout_ms)


def stored_history(engine: AsyncEngine, session_id: str) -> SQLAlchemySession:
    """The SDK's view of one session's stored items."""
    return SQLAlchemySession(
        session_id,
        engine=engine,
        create_tables=False,
        sessions_table=HISTORY_TABLE,
        messages_table=ITEMS_TABLE,
        ensure_ascii=False,
    )


async def forget(db: AsyncSession, session_ids: list[str]) -> None:
    """Delete the stored history of these sessions (their items cascade)."""
    if session_ids:
        await db.execute(delete(SDK_HISTORY).where(SDK_HISTORY.c.session_id.in_(session_ids)))


async def append(db: AsyncSession, session_id: str, items: list[Any]) -> None:
    """Add items to a session's history in the caller's transaction, rows as the SDK
    writes them (``test_history`` checks that the SDK reads them back as its own).

    Written here rather than by ``SQLAlchemySession.add_items`` so that a run's items,
    its approvals and its recorded end are one commit, not three.
    """
    if not items:
        return
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The session's row, made or touched in one statement (its items need it first).
    await db.execute(
        insert(SDK_HISTORY)
        .values(session_id=session_id)
        .on_conflict_do_update(
            index_elements=[SDK_HISTORY.c.session_id],
            set_={"updated_at": func.current_timestamp()},
        )
    )
    await db.execute(
        SDK_ITEMS.insert(),
        [
            {
                "session_id": session_id,
                "message_data": json.dumps(item, ensure_ascii=False, separators=(",", ":")),
            }
            for item in items
        ],
    )


class TurnHistory(SessionABC):
    """The session a run hands the SDK: stored items to read, new items held back.

    The SDK adds a run's items as it goes; they are kept here until the run's end is
    recorded, and written then by :func:`append` in that same transaction (or replaced
    by what the run really did, if it did not complete). ``fresh`` marks a session made
    for this run, which has no stored history to read.
    """

    def __init__(self, engine: AsyncEngine, session_id: str, *, fresh: bool = False) -> None:
        self.engine = engine
        self.fresh = fresh
        self.session_id = session_id
        self.session_settings = SessionSettings()
        self._stored: SQLAlchemySession | None = None
        self._new: list[TResponseInputItem] = []

    @property
    def stored(self) -> SQLAlchemySession:
        """The SDK's session, made when first needed (making one costs ~1.5 ms: it
        builds its table definitions), which a new session's run never does."""
        if self._stored is None:
            self._stored = stored_history(self.engine, self.session_id)
        return self._stored

    async def get_items(self, limit: int | None = None) -> list[TResponseInputItem]:
        """The last ``limit`` items (all if None), stored then new; only as many stored
        items are read as are needed (see ``history_window.py``)."""
        if limit and limit <= len(self._new):
            return self._new[-limit:]
        wanted = limit - len(self._new) if limit else None
        stored = [] if self.fresh else await self.stored.get_items(wanted)
        return [*stored, *self._new]

    async def add_items(self, items: list[TResponseInputItem]) -> None:
        self._new.extend(items)

    async def pop_item(self) -> TResponseInputItem | None:
        if self._new:
            return self._new.pop()
        return await self.stored.pop_item()

    async def clear_session(self) -> None:
        self._new.clear()
        await self.stored.clear_session()

    def take_new_items(self) -> list[Any]:
        """The run's new items, handed over once (to be saved or dropped)."""
        items, self._new = self._new, []
        return list(items)


SDK_HISTORY, SDK_ITEMS = sdk_tables(SQLModel.metadata)
