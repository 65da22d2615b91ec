"""One tool call: who is calling, through which client, in one unit of work.

The user comes from the verified API key (:func:`caller_id`); the history actor is
``mcp``, or ``mcp:<name>`` when the client names itself. Where the name comes from
depends on the protocol era, since the endpoint is stateless (no session between
requests): a 2026-07-28 client stamps its ``clientInfo`` on every request, so every
call has it; a client that uses the ``initialize`` handshake sends its name only in
that one request, which no later call can see, so its changes are recorded as ``mcp``.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import anyio
from mcp.server.mcpserver import Context
from mcp_types import CallToolResult
from pydantic import ValidationError

from taskservice.db import DbSessionMaker
from taskservice.errors import AppError
from taskservice.mcp import results
from taskservice.mcp.auth import caller_id, caller_timezone
from taskservice.tasks.calendar import Clock, today_for, utc_now
from taskservice.tasks.events import Actor
from taskservice.tasks.repository import TaskRepository

CLIENT_NAME_MAX = 64


@dataclass(frozen=True)
class McpState:
    """What the MCP server's lifespan gives every handler."""

    db_sessions: DbSessionMaker
    clock: Clock = utc_now


McpContext = Context[McpState, Any]


def caller_today(ctx: McpContext) -> date:
    """The caller's today: the date in their time zone now."""
    return today_for(caller_timezone(), ctx.request_context.lifespan_context.clock())


def client_name(ctx: McpContext) -> str | None:
    """The name the client gave in its ``clientInfo`` for this request, if any: printable
    characters only, at most 64 (it is the client's word, stored in the history)."""
    params = ctx.request_context.session.client_params
    if params is None:
        return None
    name = "".join(char for char in params.client_info.name if char.isprintable()).strip()
    return name[:CLIENT_NAME_MAX] or None


@asynccontextmanager
async def caller_tasks(ctx: McpContext) -> AsyncIterator[TaskRepository]:
    """The caller's tasks for one call, which is one unit of work: committed when the
    call succeeds, rolled back (shielded from cancellation, so no connection goes back
    to the pool with its transaction open) when it fails."""
    actor = Actor(mcp=True, mcp_client=client_name(ctx))
    async with ctx.request_context.lifespan_context.db_sessions() as db:
        try:
            yield TaskRepository(db, caller_id(), actor)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await db.rollback()
            raise
        await db.commit()


async def run(
    ctx: McpContext, work: Callable[[TaskRepository], Awaitable[CallToolResult]]
) -> CallToolResult:
    """``work`` on the caller's tasks; a failure the caller can fix becomes an error result."""
    try:
        async with caller_tasks(ctx) as tasks:
            return await work(tasks)
    except AppError as exc:
        return results.app_error(exc)
    except ValidationError as exc:
        return results.invalid_arguments(exc)
