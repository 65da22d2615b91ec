"""Liveness and readiness. Neither needs an API key."""

import asyncio

from fastapi import APIRouter
from pydantic import BaseModel

from taskservice.db import database_unavailable
from taskservice.errors import DatabaseUnavailable, ServiceUnavailable
from taskservice.migrations import current_revisions, head_revisions
from taskservice.openapi import problem_responses
from taskservice.resources import ResourcesDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str
    migrations: str


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """200 while the process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses=problem_responses(503))
async def readyz(resources: ResourcesDep) -> Readiness:
    """200 when the database answers and its schema is at the latest migration."""
    engine = resources.engine
    try:
        async with asyncio.timeout(5), engine.connect() as connection:
            current = await current_revisions(connection)
    except TimeoutError as exc:
        raise DatabaseUnavailable("The database does not answer.") from exc
    except Exception as exc:
        unavailable = database_unavailable(exc)
        if unavailable is None:
            raise
        raise unavailable from exc
    heads = await asyncio.to_thread(head_revisions)
    if current != heads:
        raise ServiceUnavailable(
            f"The database schema is at {sorted(current) or 'nothing'}, "
            f"not at the latest migration {sorted(heads)}; run `taskservice migrate`."
        )
    return Readiness(status="ready", database="ok", migrations=",".join(sorted(heads)))
