"""OpenAPI details that make generated SDKs pleasant and the contract exact: clean
operation ids, every error response declared with its real ``application/problem+json``
schema, the headers every response carries, request body examples as written, and
links from a returned task to the operations on it (which also drive stateful tests)."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from taskservice.errors import PROBLEM_MEDIA_TYPE, Problem, ValidationProblem

_DESCRIPTIONS = {
    400: "The request is malformed: invalid JSON, a bad cursor or an unknown sort field.",
    401: "The API key is missing, invalid or revoked.",
    404: "No such resource for this user (another user's resource looks exactly the same).",
    409: "The request conflicts with the resource's current state; retry later.",
    412: "The `If-Match` precondition failed: the resource has changed.",
    413: "The request body is larger than 1 MiB.",
    422: "The request did not pass validation; `errors` lists each field.",
    429: "Too many requests at once; retry after `Retry-After` seconds.",
    500: "An unexpected error; quote the `request_id` when reporting it.",
    502: "The model provider failed or refused the request.",
    503: "The database is unavailable (`database-unavailable`; retry after `Retry-After` "
    "seconds), or the service is not ready.",
    504: "The model provider did not answer in time.",
}

_REQUEST_ID_HEADER = {
    "description": "The request's id (the client's own `X-Request-ID` if it sent a sane one); "
    "problem bodies repeat it as `request_id`.",
    "required": True,
    "schema": {"type": "string"},
}
_STATUS_HEADERS: dict[str, dict[str, Any]] = {
    "401": {
        "WWW-Authenticate": {
            "description": "The authentication scheme to use.",
            "required": True,
            "schema": {"type": "string", "enum": ["Bearer"]},
        }
    },
    "429": {
        "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        }
    },
    "503": {
        "Retry-After": {
            "description": "Seconds to wait before retrying (when the database is unavailable).",
            "required": False,
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        }
    },
}

_TASK_READ_REF = "#/components/schemas/TaskRead"
_TASK_ID = "$response.body#/id"
_ETAG = "$response.header.ETag"
# From any response that returns a task to the operations on that task. Writes carry the
# returned ETag as `If-Match`, the way a careful client chains them.
_TASK_LINKS: dict[str, dict[str, Any]] = {
    "get_task": {
        "operationId": "get_task",
        "parameters": {"path.task_id": _TASK_ID},
        "description": "Read this task again.",
    },
    "replace_task": {
        "operationId": "replace_task",
        "parameters": {"path.task_id": _TASK_ID, "header.If-Match": _ETAG},
        "description": "Replace this task, unless it changed since this response.",
    },
    "update_task": {
        "operationId": "update_task",
        "parameters": {"path.task_id": _TASK_ID, "header.If-Match": _ETAG},
        "description": "Change fields of this task, unless it changed since this response.",
    },
    "delete_task": {
        "operationId": "delete_task",
        "parameters": {"path.task_id": _TASK_ID, "header.If-Match": _ETAG},
        "description": "Delete this task, unless it changed since this response.",
    },
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` for a route that may answer with these problem statuses."""
    return {
        code: {
            "model": ValidationProblem if code == 422 else Problem,
            "description": _DESCRIPTIONS[code],
        }
        for code in codes
    }


def operation_id(route: APIRoute) -> str:
    """Operation ids are the route functions' names: ``create_task``, ``list_tasks``."""
    return route.name


def _returns_a_task(status: str, response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return status.startswith("2") and schema.get("$ref") == _TASK_READ_REF


def _not_nullable(schema: dict[str, Any]) -> None:
    """A parameter is sent or left out, never null: drop the ``null`` that FastAPI adds to
    an optional parameter's schema, so SDKs type it ``str``, not ``str | None``."""
    variants = schema.get("anyOf")
    if not variants or {"type": "null"} not in variants:
        return
    rest = [variant for variant in variants if variant != {"type": "null"}]
    del schema["anyOf"]
    if len(rest) == 1:
        schema.update(rest[0])
    else:
        schema["anyOf"] = rest


def _complete_operation(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        _not_nullable(parameter.get("schema", {}))
    responses = operation.setdefault("responses", {})
    # Any operation may fail unexpectedly; any that needs a key needs the database.
    for status in (500, 503) if "security" in operation else (500,):
        responses.setdefault(
            str(status),
            {
                "description": _DESCRIPTIONS[status],
                "content": {
                    PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                },
            },
        )
    for status, response in responses.items():
        content = response.get("content")
        if status[0] in "45" and content:
            # Errors are problem+json even on a route whose success is JSON or SSE.
            for media_type in ("application/json", "text/event-stream"):
                if media_type in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop(media_type)
        headers = response.setdefault("headers", {})
        headers.setdefault("X-Request-ID", _REQUEST_ID_HEADER)
        for name, header in _STATUS_HEADERS.get(status, {}).items():
            headers.setdefault(name, header)
        if _returns_a_task(status, response):
            response.setdefault("links", {}).update(_TASK_LINKS)


def _body_models(app: FastAPI) -> list[type[BaseModel]]:
    models = []
    for route in iter_route_contexts(app.routes):
        body_field = getattr(route, "body_field", None)
        annotation = body_field.field_info.annotation if body_field is not None else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            models.append(annotation)
    return models


def _restore_examples(schema: dict[str, Any], models: list[type[BaseModel]]) -> None:
    """FastAPI drops every ``null`` from the document, also inside examples; an example
    such as ``{"due_date": null}`` (clear the date) must keep its meaning."""
    components = schema.get("components", {}).get("schemas", {})
    for model in models:
        examples = model.model_json_schema().get("examples")
        if examples is not None and model.__name__ in components:
            components[model.__name__]["examples"] = examples


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            servers=app.servers,
        )
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                _complete_operation(operation)
        _restore_examples(schema, _body_models(app))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
