"""Alembic, driven from code: the CLI, ``serve`` and ``/readyz`` use it.

The scripts live in the repository's ``migrations/`` folder (a wheel carries
them as ``taskservice/migrations``).
"""

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from taskservice.db import database_unavailable

_HERE = Path(__file__).resolve().parent


def script_location() -> Path:
    for candidate in (_HERE / "migrations", _HERE.parents[1] / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise RuntimeError("cannot find the migrations folder next to the taskservice package")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Upgrade the schema. Synchronous: call it before the event loop starts."""
    command.upgrade(alembic_config(database_url), revision)


@lru_cache
def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory(str(script_location())).get_heads())


async def current_revisions(connection: AsyncConnection) -> frozenset[str]:
    """The revisions the database is at; none if it was never migrated. A connection that
    fails on the way is not "never migrated": that error propagates."""
    try:
        rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
    except DBAPIError as exc:
        if database_unavailable(exc) is not None:
            raise
        return frozenset()
    return frozenset(row[0] for row in rows)
