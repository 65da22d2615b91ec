"""The tools. Their names are part of the contract; each is a thin adapter over the
repository, as the REST routes are."""

from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from taskservice.mcp import results
from taskservice.mcp.arguments import (
    CreateTaskArguments,
    DeleteTaskArguments,
    ListTasksArguments,
    NoArguments,
    TaskIdArguments,
    UpdateTaskArguments,
    task_tool,
)
from taskservice.mcp.auth import caller_timezone
from taskservice.mcp.calls import McpContext, caller_today, run
from taskservice.tasks.events import TaskEventRead
from taskservice.tasks.repository import TaskRepository
from taskservice.tasks.schemas import TaskPage, TaskRead
from taskservice.tasks.summary import TaskSummary, summarize

READING = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
CREATING = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False
)
# Destructive: they overwrite or remove what is there. Idempotent: the same call again
# changes nothing more (an update to the same values writes nothing; a second delete
# finds no task).
CHANGING = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False
)


class TaskHistory(BaseModel):
    task_id: int
    events: list[TaskEventRead] = Field(description="Every change, oldest first.")


class DeletedTask(BaseModel):
    deleted: TaskRead = Field(description="The task as it was when it was deleted.")


def _versions(expected: int | None) -> set[int] | None:
    return None if expected is None else {expected}


async def list_tasks(arguments: ListTasksArguments, ctx: McpContext) -> CallToolResult:
    """List your tasks, filtered and sorted, one page at a time. The result says how many
    match in all; when next_cursor is not null, pass it as cursor (with the same filters
    and sort) for the next page."""

    async def work(tasks: TaskRepository) -> CallToolResult:
        order = arguments.order()
        page = await tasks.list_tasks(
            arguments.filters(caller_today(ctx)),
            order,
            limit=arguments.limit,
            cursor=arguments.cursor,
        )
        result = TaskPage(
            items=page.items,
            total=page.total,
            total_exact=page.total_exact,
            next_cursor=page.next_cursor,
        )
        return results.success(result, results.describe_page(result))

    return await run(ctx, work)


async def get_task(arguments: TaskIdArguments, ctx: McpContext) -> CallToolResult:
    """Read one of your tasks: every field, and its version (for expected_version)."""

    async def work(tasks: TaskRepository) -> CallToolResult:
        task = await tasks.read(arguments.task_id)
        return results.success(task, results.describe_task(task))

    return await run(ctx, work)


async def create_task(arguments: CreateTaskArguments, ctx: McpContext) -> CallToolResult:
    """Create a task. Only the title is required; status defaults to todo and priority to
    medium."""

    async def work(tasks: TaskRepository) -> CallToolResult:
        task = TaskRead.model_validate(await tasks.create(arguments))
        return results.success(task, "Created " + results.describe_task(task))

    return await run(ctx, work)


async def update_task(arguments: UpdateTaskArguments, ctx: McpContext) -> CallToolResult:
    """Change some fields of a task: only the fields you pass change (null clears
    description or due_date). With expected_version, the change happens only if nobody
    changed the task since you read it at that version."""

    async def work(tasks: TaskRepository) -> CallToolResult:
        updated = await tasks.update(
            arguments.task_id,
            arguments.patch(),
            if_versions=_versions(arguments.expected_version),
        )
        task = TaskRead.model_validate(updated)
        return results.success(task, "Updated " + results.describe_task(task))

    return await run(ctx, work)


async def delete_task(arguments: DeleteTaskArguments, ctx: McpContext) -> CallToolResult:
    """Delete a task for good (its history stays). With expected_version, only if nobody
    changed it since you read it at that version."""

    async def work(tasks: TaskRepository) -> CallToolResult:
        deleted = await tasks.delete(
            arguments.task_id, if_versions=_versions(arguments.expected_version)
        )
        result = DeletedTask(deleted=TaskRead.model_validate(deleted))
        return results.success(result, "Deleted " + results.describe_task(result.deleted))

    return await run(ctx, work)


async def task_history(arguments: TaskIdArguments, ctx: McpContext) -> CallToolResult:
    """Every change to one of your tasks, oldest first: who made it (api, agent:<name>,
    mcp or mcp:<client>), which fields changed from what to what, and when."""

    async def work(tasks: TaskRepository) -> CallToolResult:
        events = [TaskEventRead.model_validate(e) for e in await tasks.history(arguments.task_id)]
        result = TaskHistory(task_id=arguments.task_id, events=events)
        return results.success(result, results.describe_history(arguments.task_id, events))

    return await run(ctx, work)


async def summary(arguments: NoArguments, ctx: McpContext) -> CallToolResult:
    """An overview of your tasks: how many have each status, how many are overdue, and
    the next ones due in the coming 7 days, counted from your today (the date in your
    time zone)."""

    async def work(tasks: TaskRepository) -> CallToolResult:
        result = await summarize(tasks, caller_today(ctx), caller_timezone())
        return results.success(result, results.describe_summary(result))

    return await run(ctx, work)


TOOLS: list[Tool] = [
    task_tool(
        list_tasks,
        arguments=ListTasksArguments,
        output=TaskPage,
        title="List tasks",
        annotations=READING,
    ),
    task_tool(
        get_task,
        arguments=TaskIdArguments,
        output=TaskRead,
        title="Get a task",
        annotations=READING,
    ),
    task_tool(
        create_task,
        arguments=CreateTaskArguments,
        output=TaskRead,
        title="Create a task",
        annotations=CREATING,
    ),
    task_tool(
        update_task,
        arguments=UpdateTaskArguments,
        output=TaskRead,
        title="Update a task",
        annotations=CHANGING,
    ),
    task_tool(
        delete_task,
        arguments=DeleteTaskArguments,
        output=DeletedTask,
        title="Delete a task",
        annotations=CHANGING,
    ),
    task_tool(
        task_history,
        arguments=TaskIdArguments,
        output=TaskHistory,
        title="Task history",
        annotations=READING,
    ),
    task_tool(
        summary, arguments=NoArguments, output=TaskSummary, title="Summary", annotations=READING
    ),
]
