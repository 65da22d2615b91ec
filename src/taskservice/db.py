"""The async engine, the per-request database session, the types every table shares, and
what a database that cannot be reached looks like (:func:`database_unavailable`)."""

import asyncio
import logging
import sqlite3
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import anyio
from asyncpg import exceptions as pg_errors
from fastapi import Depends
from sqlalchemy import DateTime, event, text
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import Pool
from sqlalchemy.types import TypeDecorator

from taskservice.config import Settings
from taskservice.errors import DatabaseUnavailable
from taskservice.resources import ResourcesDep

logger = logging.getLogger("taskservice.db")

DbSessionMaker = async_sessionmaker[AsyncSession]
# What a read runs on: the unit of work's session, or a connection of its own (``reading``).
Reader = AsyncSession | AsyncConnection
T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is
    stored as naive UTC and made aware again when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_engine(settings: Settings, *, poolclass: type[Pool] | None = None) -> AsyncEngine:
    """The engine, with failures to connect raised as :class:`DatabaseUnavailable`.

    No ``pool_pre_ping``: it costs a round trip on every checkout. A pooled connection
    that died with its server fails its next statement instead (503), and SQLAlchemy then
    drops every connection the pool held, so the requests after it connect afresh.
    ``poolclass``: an asyncio queue pool of another kind (the app's is measured).
    """
    url = settings.database_url
    kwargs: dict[str, Any] = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout_s,
        "pool_pre_ping": False,
    }
    if poolclass is not None:
        kwargs["poolclass"] = poolclass
    if url.startswith("sqlite"):
        if ":memory:" in url or url.rstrip("/").endswith("sqlite+aiosqlite:"):
            raise ValueError("an in-memory SQLite database cannot be shared; use a file")
        engine = create_async_engine(url, **kwargs)
        apply_sqlite_pragmas(engine, settings.sqlite_busy_timeout_ms)
    else:
        # asyncpg waits 60 s for a server that does not answer; a request should not.
        connect_args: dict[str, Any] = {"timeout": settings.db_connect_timeout_s}
        # asyncpg prepares every statement; after five runs PostgreSQL may switch to a
        # generic plan, made for the average owner. With skewed owners (one with a
        # million tasks among thousands with ten) that plan can be 1,000x slower for
        # the large one: a tag-filtered list page went from 0.3 ms to 460 ms (a hash
        # join over every tagged row, then a sort). Planning each run with its values
        # costs ~35 us of database CPU per statement.
        connect_args["server_settings"] = {"plan_cache_mode": "force_custom_plan"}
        engine = create_async_engine(url, pool_recycle=3600, connect_args=connect_args, **kwargs)
    event.listen(engine.sync_engine, "do_connect", _connect_or_unavailable)
    return engine


def _connect_or_unavailable(
    dialect: Dialect, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> Any:
    """Open a connection; any failure to (refused, timed out, no such database, a file
    that cannot be opened) is :class:`DatabaseUnavailable`, logged with its cause."""
    try:
        return dialect.connect(*cargs, **cparams)
    except Exception as exc:
        logger.warning("cannot connect to the database: %s", describe(exc))
        raise DatabaseUnavailable() from exc


# No connection came free in time (the pool), or the database was reached but cannot
# serve: shutting down, starting up, out of connections (PostgreSQL); locked past the
# busy timeout, or its file unreadable (SQLite).
_UNAVAILABLE_TYPES: tuple[type[Exception], ...] = (
    PoolTimeout,
    pg_errors.PostgresConnectionError,
    pg_errors.CannotConnectNowError,
    pg_errors.AdminShutdownError,
    pg_errors.CrashShutdownError,
    pg_errors.TooManyConnectionsError,
)
_SQLITE_UNAVAILABLE = {
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_CANTOPEN,
}


def database_unavailable(exc: BaseException) -> DatabaseUnavailable | None:
    """The 503 that ``exc`` stands for if the database could not be reached or did not
    answer (anywhere in its causes); None for any other failure.

    The one place that knows what a connection-level failure looks like, from
    SQLAlchemy (a connection it invalidated, a pool timeout), asyncpg and SQLite.
    """
    for cause in causes(exc):
        if isinstance(cause, DatabaseUnavailable):
            return cause
        if _is_unavailable(cause):
            return DatabaseUnavailable()
    return None


def _is_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, _UNAVAILABLE_TYPES):
        return True
    code = getattr(exc, "sqlite_errorcode", None) if isinstance(exc, sqlite3.Error) else None
    return code is not None and code & 0xFF in _SQLITE_UNAVAILABLE


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, the driver error SQLAlchemy wrapped, their causes, a group's members."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        if isinstance(current, DBAPIError) and isinstance(current.orig, BaseException):
            pending.append(current.orig)
        if current.__cause__ is not None:
            pending.append(current.__cause__)


def describe(exc: BaseException) -> str:
    """The driver's own words for a failure, without SQLAlchemy's SQL and parameters."""
    if isinstance(exc, DBAPIError) and isinstance(exc.orig, BaseException):
        exc = exc.orig
        if exc.__cause__ is not None and str(exc.__cause__) == str(exc):
            exc = exc.__cause__  # the driver's own error, under SQLAlchemy's adapter class
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_PRAGMA_LISTENERS: "weakref.WeakKeyDictionary[Engine, Callable[..., None]]" = (
    weakref.WeakKeyDictionary()
)


def apply_sqlite_pragmas(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout, foreign keys: on every new SQLite connection.

    Idempotent, and it moves our listener to the end of the list: call it again after
    anything else registered its own ``connect`` listener (the Agents SDK's
    SQLAlchemySession sets ``busy_timeout = 5000`` on any engine it is given), so that
    ours runs last and its settings hold.
    """
    sync_engine = engine.sync_engine
    previous = _PRAGMA_LISTENERS.pop(sync_engine, None)
    if previous is not None:
        event.remove(sync_engine, "connect", previous)
    busy_timeout = int(busy_timeout_ms)

    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_timeout}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    event.listen(sync_engine, "connect", set_pragmas)
    _PRAGMA_LISTENERS[sync_engine] = set_pragmas


async def run_to_completion(work: Coroutine[Any, Any, T]) -> T:
    """Run database work to its end even if the caller is cancelled meanwhile; the
    cancellation is raised once the work is done.

    A statement must never be abandoned halfway on SQLite: SQLAlchemy then discards
    the connection, and aiosqlite's close of a connection whose cursor is still alive
    is deferred until that cursor is garbage-collected, the transaction and SQLite's
    write lock with it: every other writer fails with "database is locked" meanwhile.
    """
    task = asyncio.ensure_future(work)
    cancelled: asyncio.CancelledError | None = None
    while True:
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError as exc:
            if task.done():
                raise
            cancelled = exc
        else:
            break
    if cancelled is not None:
        raise cancelled
    return result


_READ_ENGINES: "weakref.WeakKeyDictionary[Engine, AsyncEngine]" = weakref.WeakKeyDictionary()


def read_engine(engine: AsyncEngine) -> AsyncEngine:
    """The engine, as reads outside any unit of work use it: on PostgreSQL, its pooled
    connections in autocommit mode, so a lone SELECT costs one round trip instead of three
    (no BEGIN, no COMMIT); asyncpg switches the mode in Python, with no statement. SQLite's
    driver begins a transaction only before a write, so its connections read as they are.
    """
    found = _READ_ENGINES.get(engine.sync_engine)
    if found is None:
        found = engine
        if engine.dialect.name == "postgresql":
            found = engine.execution_options(isolation_level="AUTOCOMMIT")
        _READ_ENGINES[engine.sync_engine] = found
    return found


@asynccontextmanager
async def reading(session: AsyncSession) -> AsyncIterator[Reader]:
    """Where a read runs: inside the session's unit of work when one is open (it then sees
    that work's own writes and locks), else on a connection of its own in autocommit mode,
    given back to the pool at once; the session stays untouched (nothing to commit)."""
    if session.in_transaction():
        yield session
        return
    bind = session.bind
    assert isinstance(bind, AsyncEngine), "sessions are made on the engine"
    async with read_engine(bind).connect() as connection:
        yield connection


async def without_waiting_for_the_disk(db: AsyncSession) -> None:
    """Let this transaction's commit return before its log reaches the disk (PostgreSQL:
    ``SET LOCAL synchronous_commit = off``, this transaction only; SQLite in WAL mode
    with ``synchronous = NORMAL`` never waits at a commit anyway). It saves a disk sync,
    ~3.5 ms here, and is safe only for a transaction that, lost in a database crash,
    loses nothing anyone acted on: the log is written in order, so any later ordinary
    commit (a tool call's, a run's end) makes it durable first.
    """
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(_NO_WAIT)


_NO_WAIT = text("SET LOCAL synchronous_commit = off")


def create_db_sessionmaker(engine: AsyncEngine) -> DbSessionMaker:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_db_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    """One database session and one transaction per request: commit on success, roll
    back on error. Repositories only add and flush; this is the only place a request
    commits. The rollback and close run shielded from cancellation, so a request
    cancelled mid-transaction (a client gone) never returns a connection to the pool
    with its transaction, on SQLite the write lock, still open.

    A request that only read never began a transaction (its reads ran on connections of
    their own, see :func:`reading`): its session holds nothing, so there is nothing to
    commit, roll back or close (closing costs a greenlet switch and ~70 us even then).
    After a commit or a rollback, too, the session holds no connection: closing it
    would only detach the objects it loaded.
    """
    db = resources.db_sessions()
    try:
        yield db
        if db.in_transaction():
            await db.commit()
    except BaseException:
        if db.in_transaction():
            with anyio.CancelScope(shield=True):
                await db.rollback()
        raise
    finally:
        if db.in_transaction():  # a failed commit; else the work ended and let go
            with anyio.CancelScope(shield=True):
                await db.close()


# scope="function": commit before the response is sent, so a failed commit is
# reported to the client instead of after a 2xx went out.
DbSession = Annotated[AsyncSession, Depends(get_db_session, scope="function")]
