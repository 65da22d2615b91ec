"""The ``taskservice`` command: serve, migrate, and manage users and their keys."""

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Annotated, NoReturn, TypeVar

import typer
import uvicorn
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from taskservice import migrations
from taskservice.auth.repository import UserRepository
from taskservice.config import Settings, get_settings
from taskservice.db import create_db_sessionmaker, create_engine
from taskservice.diagnosis import explain_database_failure, explain_settings
from taskservice.errors import AppError, DatabaseUnavailable
from taskservice.observability.logs import log_config
from taskservice.observability.workers import multiprocess_directory
from taskservice.tasks.calendar import DEFAULT_TIMEZONE, checked_timezone

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
users_app = typer.Typer(
    no_args_is_help=True, help="Create and list users, set their time zones, revoke their keys."
)
app.add_typer(users_app, name="users")

T = TypeVar("T")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise SystemExit(1)


def _settings() -> Settings:
    """The settings, or one line per mistake in them."""
    try:
        return get_settings()
    except ValidationError as exc:
        _fail(explain_settings(exc))


def _with_users(settings: Settings, work: Callable[[UserRepository], Awaitable[T]]) -> T:
    """Run ``work`` in one committed transaction on a short-lived engine."""

    async def run() -> T:
        engine = create_engine(settings)
        try:
            async with create_db_sessionmaker(engine)() as session, session.begin():
                return await work(UserRepository(session))
        finally:
            await engine.dispose()

    database_log = logging.getLogger("taskservice.db")
    level = database_log.level
    database_log.setLevel(logging.ERROR)  # a failed connect is explained by main() instead
    try:
        return asyncio.run(run())
    except DatabaseUnavailable:
        raise
    except AppError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    finally:
        database_log.setLevel(level)


def _bootstrap_admin(settings: Settings) -> None:
    """With no user at all, create ``admin`` and show its key once."""

    async def create_if_empty(users: UserRepository) -> str | None:
        if await users.count():
            return None
        _, key = await users.create("admin")
        return key

    try:
        key = _with_users(settings, create_if_empty)
    except IntegrityError:  # another process created it at the same moment
        return
    if key:
        bar = "=" * 72
        typer.echo(
            f"{bar}\nNo users yet, so user 'admin' was created. Its API key, shown only once:\n\n"
            f"    {key}\n\nUse it as `Authorization: Bearer <key>` (Swagger UI: Authorize).\n{bar}"
        )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
    migrate: Annotated[
        bool | None,
        typer.Option("--migrate/--no-migrate", help="Upgrade the schema first."),
    ] = None,
) -> None:
    """Migrate the database (unless turned off) and serve the API."""
    settings = _settings()
    if migrate if migrate is not None else settings.auto_migrate:
        migrations.upgrade(settings.database_url)
    _bootstrap_admin(settings)
    # Before any worker imports prometheus_client: each then keeps its values in this
    # directory, and /metrics on any of them sums them all.
    metrics_directory: AbstractContextManager[object] = (
        multiprocess_directory() if settings.metrics else nullcontext()
    )
    with metrics_directory:
        uvicorn.run(
            "taskservice.app:create_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=workers or settings.workers,
            log_config=log_config(settings.log_level, settings.log_format),
            log_level=settings.log_level,
            access_log=False,  # ours names the route, not the path: observability/http.py
            proxy_headers=False,
        )


@app.command()
def migrate() -> None:
    """Upgrade the database schema to the latest migration."""
    settings = _settings()
    migrations.upgrade(settings.database_url)
    typer.echo(f"database is at {', '.join(sorted(migrations.head_revisions()))}")


def _timezone(name: str) -> str:
    """``name`` if it is an IANA time zone, else one line on stderr and exit status 1
    (before the database is opened)."""
    try:
        return checked_timezone(name)
    except AppError as exc:
        _fail(exc.detail)


TimezoneOption = Annotated[
    str,
    typer.Option(
        "--timezone",
        help="The user's IANA time zone (Europe/Paris, Asia/Tokyo, ...): its today, for "
        "overdue tasks and the agent's dates, is the date there.",
    ),
]


@users_app.command("create")
def users_create(name: str, timezone: TimezoneOption = DEFAULT_TIMEZONE) -> None:
    """Create a user; prints its new API key alone on the last line."""
    zone = _timezone(timezone)

    async def create(users: UserRepository) -> str:
        _, key = await users.create(name, zone)
        return key

    key = _with_users(_settings(), create)
    typer.echo(f"Created user {name!r} (time zone {zone}). Its API key is shown only once:")
    typer.echo(key)


@users_app.command("set-timezone")
def users_set_timezone(name: str, timezone: str) -> None:
    """Set a user's IANA time zone (its today is the date there)."""
    zone = _timezone(timezone)
    _with_users(_settings(), lambda users: users.set_timezone(name, zone))
    typer.echo(f"The time zone of {name!r} is now {zone}.")


@users_app.command("list")
def users_list() -> None:
    """List users: name, time zone, when created, and the prefixes of their active keys."""
    summaries = _with_users(_settings(), lambda users: users.list_users())
    for summary in summaries:
        keys = ", ".join(f"{prefix}..." for prefix in summary.active_keys) or "(revoked)"
        created = f"{summary.created_at:%Y-%m-%d %H:%M}Z"
        typer.echo(f"{summary.name}\t{summary.timezone}\t{created}\t{keys}")


@users_app.command("revoke")
def users_revoke(name: str) -> None:
    """Revoke every API key of a user."""
    count = _with_users(_settings(), lambda users: users.revoke(name))
    typer.echo(f"Revoked {count} key(s) of {name!r}.")


@users_app.command("rotate")
def users_rotate(name: str) -> None:
    """Revoke a user's keys and issue a new one (printed alone on the last line)."""
    key = _with_users(_settings(), lambda users: users.rotate(name))
    typer.echo(f"Revoked the old keys of {name!r}. The new API key is shown only once:")
    typer.echo(key)


def _quiet_aiosqlite_cleanup(args: threading.ExceptHookArgs) -> None:
    """aiosqlite hands a failed connection's cleanup back to the event loop that asked for
    it; when that failure ended the command and its loop, its thread finds the loop closed
    and would print a traceback after our one line. Nothing is lost: say nothing."""
    thread_name = args.thread.name if args.thread is not None else ""
    if (
        isinstance(args.exc_value, RuntimeError)
        and str(args.exc_value) == "Event loop is closed"
        and "_connection_worker_thread" in thread_name
    ):
        return
    threading.__excepthook__(args)


def main() -> None:
    """The command; a database that is missing, unreachable or not migrated is one line
    on stderr and exit status 1, not a traceback."""
    threading.excepthook = _quiet_aiosqlite_cleanup
    try:
        app()
    except Exception as exc:
        message = explain_database_failure(exc, get_settings().database_url)
        if message is None:
            raise
        _fail(message)
