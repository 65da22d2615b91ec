"""Every HTTP request measured and logged once: a pure ASGI middleware, the outermost.

Outermost so that it sees every answer, the request-id middleware's own (a 413, a 500
for an unhandled error) included. It adds a timer, a counter, a histogram and one log
line to a request, and buffers nothing (a stream passes through as it is sent).

The route label is the matched route's template (``/tasks/{task_id}``), read from the
scope after the router has matched it; a request no route matched is ``<unmatched>``.
"""

import asyncio
import logging
import time
from typing import Any

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from taskservice.errors import REQUEST_ID_SCOPE_KEY
from taskservice.observability import metrics
from taskservice.observability.context import RequestNote, request_note

access_logger = logging.getLogger("taskservice.access")

UNMATCHED = "<unmatched>"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CLIENT_CLOSED = 499  # as nginx logs a request whose client left before any answer


def route_template(scope: Scope, root_path: str) -> str:
    """The template of the route that answered (its mount's prefix included), else
    :data:`UNMATCHED`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    # A mount adds its path to the root path (FastAPI's router then sets no route).
    prefix = str(scope.get("root_path", ""))[len(root_path) :]
    if isinstance(route, Mount) or (prefix and not isinstance(path, str)):
        return f"{prefix}/{{path}}"
    if not isinstance(path, str):
        return UNMATCHED
    return f"{prefix}{path}"


def method_label(method: str) -> str:
    return method if method in METHODS else "OTHER"


class ObservedRequests:
    """Counts, times and logs each HTTP request (metrics only if ``metrics``)."""

    def __init__(self, app: ASGIApp, *, metrics: bool) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        root_path = str(scope.get("root_path", ""))
        status: int | None = None
        note = RequestNote()
        token = request_note.set(note)
        if self.metrics:
            metrics.HTTP_IN_FLIGHT.inc()

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except asyncio.CancelledError:
            if status is None:
                status = CLIENT_CLOSED
            raise
        except BaseException:
            if status is None:
                status = 500
            raise
        finally:
            request_note.reset(token)
            self._observe(scope, root_path, status or 500, time.perf_counter() - started, note)

    def _observe(
        self, scope: Scope, root_path: str, status: int, seconds: float, note: RequestNote
    ) -> None:
        method = method_label(str(scope.get("method", "")))
        route = route_template(scope, root_path)
        if self.metrics:
            metrics.HTTP_IN_FLIGHT.dec()
            metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
            metrics.HTTP_DURATION.labels(method, route).observe(seconds)
        if access_logger.isEnabledFor(logging.INFO):
            fields: dict[str, Any] = {
                "request_id": scope.get(REQUEST_ID_SCOPE_KEY, "-"),
                "user_id": note.user_id,
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
            }
            access_logger.info(
                "%s %s %d %.1f ms user=%s",
                method,
                route,
                status,
                fields["duration_ms"],
                "-" if note.user_id is None else note.user_id,
                extra=fields,
            )
