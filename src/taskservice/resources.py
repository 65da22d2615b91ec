"""What the lifespan builds, in one typed object, and the dependency that reaches it.

``create_app``'s lifespan makes one :class:`Resources` (engine, database sessions,
caches, the agent's runs, the MCP endpoint) and disposes of it at shutdown. Everything
else reaches it through ``ResourcesDep`` or a narrower dependency built on it, never through
``app.state`` directly; tests swap a part with ``app.dependency_overrides``.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, FastAPI, Request

from taskservice.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from taskservice.agent.runs.lifecycle import AgentRuns
    from taskservice.auth.cache import VerifiedKeys
    from taskservice.db import DbSessionMaker
    from taskservice.mcp.server import McpEndpoint
    from taskservice.tasks.calendar import Clock
    from taskservice.tasks.idempotency import IdempotencyStore


@dataclass(frozen=True)
class Resources:
    settings: Settings
    engine: "AsyncEngine"
    db_sessions: "DbSessionMaker"
    verified_keys: "VerifiedKeys"
    idempotency: "IdempotencyStore"
    agent_runs: "AgentRuns"
    mcp: "McpEndpoint"
    clock: "Clock"


def resources_of(app: FastAPI) -> Resources:
    """The app's resources; only valid inside its lifespan."""
    resources = getattr(app.state, "resources", None)
    if not isinstance(resources, Resources):
        raise RuntimeError("the app's lifespan has not started")
    return resources


async def get_resources(request: Request) -> Resources:
    return resources_of(request.app)


ResourcesDep = Annotated[Resources, Depends(get_resources)]
