"""``/mcp``: a stateless Streamable HTTP MCP endpoint in the app's own process.

Stateless with JSON responses, so any worker or instance can answer any request: no
session lives between requests. The app's lifespan builds one :class:`McpEndpoint`
(in ``Resources``) and runs its session manager; the ``/mcp`` route forwards to it.
"""

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Any

from fastapi import FastAPI
from mcp.server import MCPServer
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver.context import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types import CallToolResult, InputRequiredResult, Resource
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from taskservice import __version__
from taskservice.auth.cache import VerifiedKeys
from taskservice.config import Settings
from taskservice.db import DbSessionMaker
from taskservice.errors import problem_body, problem_response
from taskservice.mcp import results
from taskservice.mcp.auth import ApiKeyVerifier
from taskservice.mcp.calls import McpState
from taskservice.mcp.resources import (
    TASK_MIME_TYPE,
    TASK_URI_TEMPLATE,
    list_task_resources,
    read_task,
)
from taskservice.mcp.tools import TOOLS
from taskservice.observability.mcp_calls import McpMeter
from taskservice.resources import resources_of
from taskservice.tasks.calendar import Clock, utc_now

MCP_PATH = "/mcp"

INSTRUCTIONS = """\
The tasks of the user whose API key this connection carries (no other user's tasks are \
reachable). list_tasks finds tasks (filters, sort, a page at a time with a cursor); \
get_task reads one; create_task, update_task and delete_task change them (pass \
expected_version from your last read so as not to overwrite someone else's change); \
task_history shows who changed what; summary gives an overview. Dates are YYYY-MM-DD; \
"today" is the UTC date. Each task is also a resource, task://{id}."""

# Required by the SDK's AuthSettings, used only to publish OAuth metadata, which this
# server does not (API keys are issued by `taskservice users create`, not by OAuth).
_NO_ISSUER = "https://taskservice.invalid"


class TaskMcpServer(MCPServer[McpState]):
    def __init__(self, state: McpState, verifier: ApiKeyVerifier, *, metered: bool) -> None:
        @asynccontextmanager
        async def lifespan(_: MCPServer[McpState]) -> AsyncIterator[McpState]:
            yield state

        with _root_logging_untouched():
            super().__init__(
                name="taskservice",
                title="Tasks",
                version=__version__,
                instructions=INSTRUCTIONS,
                token_verifier=verifier,
                auth=AuthSettings(issuer_url=_NO_ISSUER, resource_server_url=None),
                tools=TOOLS,
                lifespan=lifespan,
            )
        self.state = state
        self.meter = McpMeter(enabled=metered, tools=(tool.name for tool in TOOLS))
        self.resource(TASK_URI_TEMPLATE, name="task", title="Task", mime_type=TASK_MIME_TYPE)(
            read_task
        )

    async def call_tool(
        self,
        name: str,
        arguments: dict[str, Any],
        context: Context[McpState, Any] | None = None,
    ) -> CallToolResult | InputRequiredResult:
        """Invalid arguments come back as REST's field errors, not pydantic's text. Each
        call is counted by tool and outcome (ok, error: a result with ``isError``, failed:
        an exception)."""
        started, outcome = time.perf_counter(), "failed"
        try:
            try:
                result = await super().call_tool(name, arguments, context)
            except ToolError as exc:
                if not isinstance(exc.__cause__, ValidationError):
                    raise
                result = results.invalid_arguments(exc.__cause__)
            outcome = "error" if getattr(result, "is_error", False) else "ok"
            return result
        finally:
            self.meter.call(name, outcome, time.perf_counter() - started)

    async def list_resources(self) -> list[Resource]:
        return [*await super().list_resources(), *await list_task_resources(self.state.db_sessions)]


@contextmanager
def _root_logging_untouched() -> Iterator[None]:
    """``MCPServer()`` calls ``logging.basicConfig`` (a handler on the root logger at
    INFO) when the root logger has none. Logging is the application's to configure
    (``taskservice serve`` does), so leave the root logger as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def transport_security(allowed_hosts: list[str]) -> TransportSecuritySettings:
    """Host (and, from browsers, Origin) checking against DNS rebinding: requests to
    another host name get 421. ``*`` turns it off, for a proxy that checks hosts."""
    if "*" in allowed_hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    origins = [f"{scheme}://{host}" for host in allowed_hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(allowed_hosts=allowed_hosts, allowed_origins=origins)


class McpEndpoint:
    """The MCP server and its Streamable HTTP app, for one lifespan of the app."""

    def __init__(
        self,
        settings: Settings,
        db_sessions: DbSessionMaker,
        verified_keys: VerifiedKeys,
        clock: Clock = utc_now,
    ) -> None:
        self.server = TaskMcpServer(
            McpState(db_sessions, clock),
            ApiKeyVerifier(verified_keys, db_sessions),
            metered=settings.metrics,
        )
        self.http_app = self.server.streamable_http_app(
            streamable_http_path=MCP_PATH,
            stateless_http=True,
            json_response=True,
            max_request_body_size=settings.max_body_bytes,
            transport_security=transport_security(settings.mcp_allowed_hosts),
        )
        self.http_app.add_exception_handler(
            HTTPException, _body_limit_problem(settings.max_body_bytes)
        )

    def running(self) -> AbstractAsyncContextManager[None]:
        """The session manager's run, which must enclose every request (the SDK's
        Starlette lifespan would do it, but a mounted app's lifespan never runs)."""
        return self.server.session_manager.run()


def _body_limit_problem(limit: int) -> Callable[[Request, Exception], Awaitable[Response]]:
    """A body over the limit sent in chunks is refused as it arrives (by the request-id
    middleware, as everywhere in the app): answer with the same problem as elsewhere."""

    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        detail = exc.detail
        if exc.status_code == 413:
            detail = f"The request body is larger than {limit} bytes."
        body = problem_body(status=exc.status_code, detail=detail, request=request)
        return problem_response(body, exc.headers)

    return problem


class _ForwardToEndpoint:
    """ASGI: hands a request to this lifespan's endpoint."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await resources_of(scope["app"]).mcp.http_app(scope, receive, send)


def install_mcp(app: FastAPI) -> None:
    app.router.routes.append(Route(MCP_PATH, _ForwardToEndpoint(), name="mcp"))
