"""REST routes for tasks. HTTP concerns only: the repository does the work."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from taskservice.openapi import problem_responses
from taskservice.tasks.dependencies import (
    IdempotencyStoreDep,
    TaskReaderDep,
    TaskRepositoryDep,
    TodayDep,
)
from taskservice.tasks.etag import etag_for, if_match_versions, if_none_match_hits
from taskservice.tasks.idempotency import (
    REPLAY_HEADER,
    Claim,
    IdempotencyStore,
    StoredResponse,
    fingerprint,
)
from taskservice.tasks.models import Task
from taskservice.tasks.query import TaskQuery
from taskservice.tasks.repository import TaskRepository
from taskservice.tasks.schemas import (
    TaskCreate,
    TaskPage,
    TaskPatch,
    TaskRead,
)

router = APIRouter(prefix="/tasks", tags=["tasks"])

TaskId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The task's id.")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="Write only if the task's current `ETag` is listed here (else 412).",
    ),
]
_ETAG_HEADER = {
    "ETag": {
        "description": "The task's entity tag, for `If-Match` and `If-None-Match`.",
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9]+\\.[0-9]+"$'},
    }
}
_TASK_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"headers": _ETAG_HEADER}}


def _task_response(task: Task | TaskRead, status_code: int = 200) -> Response:
    headers = {"ETag": etag_for(task)}
    if status_code == 201:
        headers["Location"] = f"/tasks/{task.id}"
    return Response(
        content=TaskRead.model_validate(task).model_dump_json(),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


@router.post(
    "",
    status_code=201,
    response_model=TaskRead,
    responses={
        201: {
            "headers": {
                **_ETAG_HEADER,
                "Location": {
                    "description": "The new task's URL.",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^/tasks/[0-9]+$"},
                },
                REPLAY_HEADER: {
                    "description": "`true` when this is the stored response of an earlier "
                    "request with the same `Idempotency-Key`.",
                    "schema": {"type": "string", "enum": ["true"]},
                },
            }
        },
        **problem_responses(400, 401, 409, 413, 422),
    },
)
async def create_task(
    body: TaskCreate,
    repository: TaskRepositoryDep,
    idempotency: IdempotencyStoreDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="Makes retries safe: the same key and body replay the first 201 "
            "for 24 hours; the same key with another body is 422; while the first is "
            "still running, 409.",
        ),
    ] = None,
) -> Response:
    """Create a task."""
    if idempotency_key is None:
        return _task_response(await repository.create(body), 201)
    outcome = await idempotency.claim(
        repository.owner_id,
        idempotency_key,
        fingerprint("POST", "/tasks", body.model_dump(mode="json")),
    )
    if isinstance(outcome, StoredResponse):
        return Response(
            content=outcome.body,
            status_code=outcome.status,
            media_type="application/json",
            headers={**outcome.headers, REPLAY_HEADER: "true"},
        )
    return await _create_once(repository, idempotency, outcome, body)


async def _create_once(
    repository: TaskRepository, idempotency: IdempotencyStore, claim: Claim, body: TaskCreate
) -> Response:
    session: AsyncSession = repository.session
    try:
        response = _task_response(await repository.create(body), 201)
        stored_headers = {k: response.headers[k] for k in ("ETag", "Location")}
        await idempotency.complete(
            session, claim, StoredResponse(201, bytes(response.body).decode(), stored_headers)
        )
    except BaseException:
        # Roll back first: on SQLite our open write would block the release.
        await session.rollback()
        await idempotency.release(claim)
        raise
    return response


@router.get("", response_model=TaskPage, responses=problem_responses(400, 401, 422))
async def list_tasks(
    repository: TaskReaderDep, query: Annotated[TaskQuery, Query()], today: TodayDep
) -> TaskPage:
    """List your tasks, filtered and sorted, one page at a time."""
    page = await repository.list_tasks(
        query.filters(today), query.order(), limit=query.limit, cursor=query.cursor
    )
    return TaskPage(
        items=page.items,
        total=page.total,
        total_exact=page.total_exact,
        next_cursor=page.next_cursor,
    )


@router.get(
    "/{task_id}",
    response_model=TaskRead,
    responses={
        **_TASK_RESPONSES,
        304: {
            "description": "Not modified: `If-None-Match` names the current ETag.",
            "headers": _ETAG_HEADER,
        },
        **problem_responses(401, 404, 422),
    },
)
async def get_task(
    task_id: TaskId,
    repository: TaskReaderDep,
    if_none_match: Annotated[
        str | None,
        Header(alias="If-None-Match", description="Answer 304 if the ETag still matches."),
    ] = None,
) -> Response:
    """Read one task."""
    task = await repository.read(task_id)
    if if_none_match_hits(if_none_match, task):
        return Response(status_code=304, headers={"ETag": etag_for(task)})
    return _task_response(task)


@router.put(
    "/{task_id}",
    response_model=TaskRead,
    responses={**_TASK_RESPONSES, **problem_responses(400, 401, 404, 409, 412, 413, 422)},
)
async def replace_task(
    task_id: TaskId, body: TaskCreate, repository: TaskRepositoryDep, if_match: IfMatch = None
) -> Response:
    """Replace a task: fields left out return to their defaults."""
    task = await repository.replace(task_id, body, if_versions=if_match_versions(if_match, task_id))
    return _task_response(task)


@router.patch(
    "/{task_id}",
    response_model=TaskRead,
    responses={**_TASK_RESPONSES, **problem_responses(400, 401, 404, 409, 412, 413, 422)},
    openapi_extra={
        "requestBody": {
            "content": {
                "application/merge-patch+json": {
                    "schema": {"$ref": "#/components/schemas/TaskPatch"}
                }
            }
        }
    },
)
async def update_task(
    task_id: TaskId,
    body: TaskPatch,
    repository: TaskRepositoryDep,
    if_match: IfMatch = None,
) -> Response:
    """Change some fields of a task (JSON merge patch; `application/json` works too)."""
    task = await repository.update(task_id, body, if_versions=if_match_versions(if_match, task_id))
    return _task_response(task)


@router.delete(
    "/{task_id}",
    status_code=204,
    responses=problem_responses(401, 404, 409, 412, 422),
)
async def delete_task(
    task_id: TaskId, repository: TaskRepositoryDep, if_match: IfMatch = None
) -> Response:
    """Delete a task."""
    await repository.delete(task_id, if_versions=if_match_versions(if_match, task_id))
    return Response(status_code=204)
