"""GET /tasks/{id}/history: every change to a task, whichever door it came through."""

from fastapi import APIRouter

from taskservice.openapi import problem_responses
from taskservice.tasks.dependencies import TaskRepositoryDep
from taskservice.tasks.events import TaskEventRead
from taskservice.tasks.router import TaskId

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get(
    "/{task_id}/history",
    response_model=list[TaskEventRead],
    responses=problem_responses(401, 404, 422),
)
async def get_task_history(task_id: TaskId, repository: TaskRepositoryDep) -> list[TaskEventRead]:
    """Every change to the task, oldest first: who (`api`, `agent:<name>`, `mcp[:<client>]`),
    what, when. A deleted task's history stays readable, ending with its `deleted` event."""
    return [TaskEventRead.model_validate(event) for event in await repository.history(task_id)]
