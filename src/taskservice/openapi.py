"""OpenAPI details that make generated SDKs pleasant: clean operation ids and
every error response declared with its real ``application/problem+json`` schema."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

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
    503: "The service is not ready.",
    504: "The model provider did not answer in time.",
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
                responses = operation.setdefault("responses", {})
                responses.setdefault(
                    "500",
                    {
                        "description": _DESCRIPTIONS[500],
                        "content": {
                            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                        },
                    },
                )
                for status, response in responses.items():
                    content = response.get("content")
                    if status[0] in "45" and content and "application/json" in content:
                        content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
