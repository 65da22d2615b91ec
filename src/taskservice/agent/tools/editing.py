"""The editor's tools: change status, priority, due date, title, tags; delete."""

from typing import Any

from agents import function_tool

from taskservice.agent.tools.common import (
    Ctx,
    PriorityArg,
    StatusArg,
    task_view,
    unexpected_tool_error,
    with_tasks,
)
from taskservice.agent.tools.reporting import find_tasks
from taskservice.tasks.repository import TaskRepository
from taskservice.tasks.schemas import TaskPatch


async def _patch(ctx: Ctx, task_id: int, fields: dict[str, Any]) -> str:
    """Change fields through the same validation as ``PATCH /tasks/{id}``."""

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        patch = TaskPatch.model_validate(fields)
        task = await tasks.update(task_id, patch.changes())
        return {"updated": task_view(task)}

    return await with_tasks(ctx, work)


@function_tool(failure_error_function=unexpected_tool_error)
async def set_status(ctx: Ctx, task_id: int, status: StatusArg) -> str:
    """Set a task's status.

    Args:
        task_id: The task's id.
        status: todo, in_progress, blocked or done.
    """
    return await _patch(ctx, task_id, {"status": status})


@function_tool(failure_error_function=unexpected_tool_error)
async def set_priority(ctx: Ctx, task_id: int, priority: PriorityArg) -> str:
    """Set a task's priority.

    Args:
        task_id: The task's id.
        priority: low, medium, high or urgent.
    """
    return await _patch(ctx, task_id, {"priority": priority})


@function_tool(failure_error_function=unexpected_tool_error)
async def set_due_date(ctx: Ctx, task_id: int, due_date: str | None) -> str:
    """Set or clear a task's due date.

    Args:
        task_id: The task's id.
        due_date: The new due date, YYYY-MM-DD; null removes the due date.
    """
    return await _patch(ctx, task_id, {"due_date": due_date})


@function_tool(failure_error_function=unexpected_tool_error)
async def rename_task(ctx: Ctx, task_id: int, title: str) -> str:
    """Give a task a new title.

    Args:
        task_id: The task's id.
        title: The new title, 1-200 characters.
    """
    return await _patch(ctx, task_id, {"title": title})


@function_tool(failure_error_function=unexpected_tool_error)
async def add_tags(ctx: Ctx, task_id: int, tags: list[str]) -> str:
    """Add tags to a task (it keeps the ones it has).

    Args:
        task_id: The task's id.
        tags: Tags to add, single words without '#'.
    """

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        current = await tasks.get(task_id)
        patch = TaskPatch.model_validate({"tags": [*current.tags, *tags]})
        task = await tasks.update(task_id, patch.changes())
        return {"updated": task_view(task)}

    return await with_tasks(ctx, work)


@function_tool(failure_error_function=unexpected_tool_error, needs_approval=True)
async def delete_task(ctx: Ctx, task_id: int) -> str:
    """Delete a task for good. The user must approve this before it runs.

    Args:
        task_id: The task's id.
    """

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        task = await tasks.delete(task_id)
        return {"deleted": task_view(task)}

    return await with_tasks(ctx, work)


EDITING_TOOLS = [
    find_tasks,
    set_status,
    set_priority,
    set_due_date,
    rename_task,
    add_tags,
    delete_task,
]
