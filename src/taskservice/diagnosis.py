"""What a failed command means for the person running it, in one line.

A mistake in the configuration or a database that is not there is not a bug in the
service: ``taskservice`` says what is wrong and how to fix it, instead of a traceback.
Anything not recognised here is a bug, and keeps its traceback.
"""

import sqlite3

from asyncpg import exceptions as pg_errors
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from taskservice.db import causes, describe
from taskservice.errors import DatabaseUnavailable

_MIGRATE = "run `taskservice migrate` (or `serve` without --no-migrate)"


def explain_settings(exc: ValidationError) -> str:
    """Each invalid setting, by its environment variable (values are never repeated:
    one may be a secret)."""
    return "; ".join(
        f"TASKSERVICE_{'_'.join(str(part) for part in error['loc']).upper()}: "
        + str(error["msg"]).removeprefix("Value error, ")
        for error in exc.errors()
    )


def explain_database_failure(exc: BaseException, database_url: str) -> str | None:
    """One line for a database that is missing, unreachable or not migrated; None for
    anything else."""
    where = _where(database_url)
    unavailable = False
    for cause in causes(exc):
        line = _explain_cause(cause, where)
        if line is not None:
            return line
        unavailable = unavailable or isinstance(cause, DatabaseUnavailable)
    if unavailable:
        return f"cannot connect to the database at {where}: {describe(_innermost(exc))}"
    return None


def _explain_cause(cause: BaseException, where: str) -> str | None:
    if isinstance(cause, pg_errors.InvalidCatalogNameError):
        database = where.rpartition("/")[2]
        return (
            f"database {database!r} does not exist at {where}: create it "
            f"(`createdb {database}`) or correct TASKSERVICE_DATABASE_URL"
        )
    if isinstance(cause, pg_errors.InvalidAuthorizationSpecificationError):
        return f"the database at {where} refused the login: {cause}"
    if isinstance(cause, pg_errors.UndefinedTableError):
        return f"the database at {where} has no tables yet: {_MIGRATE}"
    if isinstance(cause, TimeoutError):
        return f"the database at {where} did not answer in time; is the address right?"
    if isinstance(cause, ConnectionRefusedError):
        return f"cannot reach the database at {where}: connection refused; is it running?"
    if isinstance(cause, OSError):
        return f"cannot reach the database at {where}: {cause.strerror or describe(cause)}"
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", 0) & 0xFF
        if code == sqlite3.SQLITE_CANTOPEN:
            return (
                f"cannot open the SQLite database {where}: does its folder exist, "
                "and may this user write there?"
            )
        if "no such table" in str(cause):
            return f"the SQLite database {where} has no tables yet: {_MIGRATE}"
    return None


def _where(database_url: str) -> str:
    """The database's address, never its password."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def _innermost(exc: BaseException) -> BaseException:
    last = exc
    for cause in causes(exc):
        last = cause
    return last
