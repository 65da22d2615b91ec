"""One error hierarchy, rendered as RFC 9457 problem details in one place.

The domain raises these types; the REST layer renders them with
:func:`install_error_handlers` and the agent tools turn the same exceptions into
tool output. Nothing below the routers raises ``HTTPException``.
"""

import json
import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import compile_path

from taskservice.resources import resources_of

logger = logging.getLogger("taskservice.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:taskservice:problem:"
REQUEST_ID_SCOPE_KEY = "taskservice.request_id"


class FieldError(BaseModel):
    field: str = Field(description="Where the bad value is, e.g. `body.tags.3` or `query.limit`.")
    message: str = Field(description="What is wrong with it, for people.")
    type: str = Field(description="A machine-readable error code, e.g. `string_too_long`.")


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(
        description="What kind of problem: a URN to switch on.",
        examples=["urn:taskservice:problem:task-not-found"],
    )
    title: str = Field(description="The HTTP status phrase.", examples=["Not Found"])
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str = Field(
        description="What happened in this case, for people.",
        examples=["Task 42 does not exist."],
    )
    instance: str = Field(description="The request path.", examples=["/tasks/42"])
    request_id: str = Field(
        description="Also in the `X-Request-ID` header; quote it when reporting a problem."
    )


class ValidationProblem(Problem):
    errors: list[FieldError]


class AppError(Exception):
    """Base of every error the service reports to a client on purpose."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"

    def __init__(self, detail: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = dict(headers or {})
        # Members added to the problem object (e.g. the agent's `run_id`).
        self.extra: dict[str, Any] = {}

    @property
    def title(self) -> str:
        return HTTPStatus(self.status).phrase


class BadRequest(AppError):
    status = 400
    slug = "bad-request"


class Unauthorized(AppError):
    status = 401
    slug = "unauthorized"

    def __init__(self, detail: str = "A valid API key is required.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class NotFound(AppError):
    status = 404
    slug = "not-found"


class Conflict(AppError):
    status = 409
    slug = "conflict"


class PreconditionFailed(AppError):
    status = 412
    slug = "precondition-failed"


class UnprocessableContent(AppError):
    """422. Its problem has ``errors`` like a validation failure, so that a client reads
    every 422 the same way; ``field`` says what was unacceptable."""

    status = 422
    slug = "unprocessable"
    field: str = "body"

    def __init__(
        self, detail: str, *, field: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(detail, headers=headers)
        if field is not None:
            self.field = field


class TooManyRequests(AppError):
    status = 429
    slug = "too-many-requests"

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_s)})


class BadGateway(AppError):
    status = 502
    slug = "bad-gateway"


class ServiceUnavailable(AppError):
    status = 503
    slug = "service-unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached or did not answer in time (see
    ``db.database_unavailable``): 503, and a client may retry after ``Retry-After``."""

    slug = "database-unavailable"
    retry_after_s: ClassVar[int] = 5

    def __init__(self, detail: str = "The database is unavailable; try again shortly.") -> None:
        super().__init__(detail, headers={"Retry-After": str(self.retry_after_s)})


class GatewayTimeout(AppError):
    status = 504
    slug = "gateway-timeout"


def _slug_for_status(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")
    except ValueError:
        return "error"


def problem_body(
    *,
    status: int,
    detail: str,
    slug: str | None = None,
    title: str | None = None,
    request: Request | None = None,
    errors: Sequence[FieldError] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + (slug or _slug_for_status(status)),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
        body["request_id"] = request.scope.get(REQUEST_ID_SCOPE_KEY)
    if errors is not None:
        body["errors"] = [e.model_dump() for e in errors]
    return body


def problem_response(body: dict[str, Any], headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        content=json.dumps(body, separators=(",", ":")),
        status_code=int(body["status"]),
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def app_error_body(exc: AppError, request: Request | None = None) -> dict[str, Any]:
    errors = None
    if isinstance(exc, UnprocessableContent):
        errors = [FieldError(field=exc.field, message=exc.detail, type=exc.slug.replace("-", "_"))]
    body = problem_body(
        status=exc.status,
        detail=exc.detail,
        slug=exc.slug,
        title=exc.title,
        request=request,
        errors=errors,
    )
    return {**body, **exc.extra}


def _field_path(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc)


def validation_errors(raw: Sequence[Any]) -> list[FieldError]:
    return [
        FieldError(
            field=_field_path(err.get("loc", ())),
            message=str(err.get("msg", "invalid value")),
            type=str(err.get("type", "value_error")),
        )
        for err in raw
    ]


async def _handle_app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return problem_response(app_error_body(exc, request), exc.headers)


async def _handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    if any(err.get("type") == "json_invalid" for err in raw):
        return problem_response(
            problem_body(
                status=400,
                slug="malformed-json",
                detail="The request body is not valid JSON.",
                request=request,
            )
        )
    return problem_response(
        problem_body(
            status=422,
            slug="validation-failed",
            detail="The request did not pass validation; see `errors`.",
            request=request,
            errors=validation_errors(raw),
        )
    )


async def _handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    slug = None
    if exc.status_code == 400 and detail == "There was an error parsing the body":
        slug, detail = "malformed-json", "The request body is not valid JSON."
    elif exc.status_code == 404 and detail == "Not Found":
        detail = f"No route matches {request.method} {request.url.path}."
    elif exc.status_code == 405:
        # Starlette names only the methods of the first route on the path; RFC 9110 wants all.
        headers = {**headers, "Allow": ", ".join(_allowed_methods(request))}
    elif exc.status_code == 413:
        limit = resources_of(request.app).settings.max_body_bytes
        detail = f"The request body is larger than {limit} bytes."
    return problem_response(
        problem_body(status=exc.status_code, detail=detail, slug=slug, request=request),
        headers,
    )


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (included routers' routes too)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        if route.path is not None and route.methods:
            path_regex, _, _ = compile_path(route.path)
            if path_regex.match(request.scope["path"]):
                methods |= route.methods
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _handle_app_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
