"""Request ids on every response, the body size limit, and the last resort: a 503 for a
database that cannot be reached, else a 500.

A pure ASGI middleware (no ``BaseHTTPMiddleware``): it does not buffer streamed
responses and adds one header and one try/except per request.

The body limit is ours rather than FastAPI's ``max_body_size`` because that one
answers a declared ``Content-Length`` over the limit with a plain-text 413 that
replaces the response at send time, past every exception handler; our contract
is that every error is ``application/problem+json``.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from taskservice.db import database_unavailable, describe
from taskservice.errors import REQUEST_ID_SCOPE_KEY, app_error_body, problem_body, problem_response

logger = logging.getLogger("taskservice.request")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_INTERNAL_ERROR = problem_body(
    status=500,
    slug="internal-error",
    detail="An unexpected error occurred. Quote the request id when reporting it.",
)


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        incoming = None
        content_length = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
            elif name == b"content-length":
                content_length = value
        request_id = (
            incoming if incoming and _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        )
        scope[REQUEST_ID_SCOPE_KEY] = request_id
        token = request_id_var.set(request_id)
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            if content_length is not None and _too_large(content_length, self.max_body_bytes):
                # Refused before reading: a declared length over the limit. (A chunked
                # body is counted as it arrives, by FastAPI's own `max_body_size`.)
                body = problem_body(
                    status=413,
                    detail=f"The request body is larger than {self.max_body_bytes} bytes.",
                )
                body["instance"] = scope["path"]
                body["request_id"] = request_id
                await problem_response(body)(scope, receive, send_with_id)
                return
            await self.app(scope, self._limited(receive), send_with_id)
        except Exception as exc:
            unavailable = database_unavailable(exc)
            where = f"{scope['method']} {scope['path']}"
            if unavailable is not None:
                logger.warning("database unavailable in %s: %s", where, describe(exc))
            else:
                # Logged here with the request id; the client gets no trace, no SQL.
                logger.exception("unhandled error in %s", where)
            if response_started:
                raise
            if unavailable is not None:
                body, headers = app_error_body(unavailable), unavailable.headers
            else:
                body, headers = _INTERNAL_ERROR.copy(), {}
            body["instance"] = scope["path"]
            body["request_id"] = request_id
            headers = {**headers, "X-Request-ID": request_id}
            await problem_response(body, headers)(scope, receive, send)
        finally:
            request_id_var.reset(token)

    def _limited(self, receive: Receive) -> Receive:
        """Count a body as it arrives; over the limit, FastAPI renders our 413."""
        received = 0

        async def receive_with_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise HTTPException(413)
            return message

        return receive_with_limit


def _too_large(content_length: bytes, limit: int) -> bool:
    try:
        return int(content_length) > limit
    except ValueError:
        return False
