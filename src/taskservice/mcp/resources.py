"""Tasks as resources, ``task://{id}``, so a client can attach them as context.

``resources/templates/list`` offers the template; ``resources/list`` names the caller's
most recently updated tasks (the SDK's handler takes no cursor, so the list is capped;
any other task is read through the template by id).
"""

from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp_types import Resource

from taskservice.db import DbSessionMaker
from taskservice.mcp.auth import caller_id
from taskservice.mcp.calls import McpContext, caller_tasks
from taskservice.tasks.listing import SortOrder, TaskFilters
from taskservice.tasks.repository import TaskNotFound, TaskRepository
from taskservice.tasks.schemas import TaskRead

TASK_URI_TEMPLATE = "task://{id}"
TASK_MIME_TYPE = "application/json"
LISTED_TASKS_MAX = 100
_TASK_ID_MAX = 2**31 - 1


def task_uri(task_id: int) -> str:
    return f"task://{task_id}"


# The parameter is named as the template's variable, which the SDK requires.
async def read_task(id: str, ctx: McpContext) -> str:
    """One of your tasks as JSON: the same fields get_task returns."""
    unknown = ResourceNotFoundError(f"Unknown resource: task://{id}")
    if not (id.isascii() and id.isdigit() and len(id) <= 10) or not 1 <= int(id) <= _TASK_ID_MAX:
        raise unknown
    async with caller_tasks(ctx) as tasks:
        try:
            task = await tasks.read(int(id))
        except TaskNotFound as exc:
            raise unknown from exc
        return task.model_dump_json()


async def list_task_resources(db_sessions: DbSessionMaker) -> list[Resource]:
    """The caller's most recently updated tasks, as resources."""
    async with db_sessions() as db:
        page = await TaskRepository(db, caller_id()).list_tasks(
            TaskFilters(), SortOrder.parse("-updated_at"), limit=LISTED_TASKS_MAX
        )
    return [_as_resource(task) for task in page.items]


def _as_resource(task: TaskRead) -> Resource:
    details = [task.status.value, f"{task.priority.value} priority"]
    if task.due_date is not None:
        details.append(f"due {task.due_date.isoformat()}")
    return Resource(
        uri=task_uri(task.id),
        name=f"task-{task.id}",
        title=task.title,
        description=", ".join(details),
        mime_type=TASK_MIME_TYPE,
    )
