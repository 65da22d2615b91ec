"""The editor's tools: change one task's fields, tags or existence; change or delete
several at once; undo the conversation's last change."""

from typing import Any

from agents import RunContextWrapper, function_tool

from taskservice.agent.context import AgentContext
from taskservice.agent.tools.common import (
    Ctx,
    PriorityArg,
    StatusArg,
    error_output,
    task_view,
    task_views,
    unexpected_tool_error,
    with_tasks,
)
from taskservice.agent.tools.reporting import find_tasks
from taskservice.tasks.repository import TaskRepository
from taskservice.tasks.schemas import TaskPatch
from taskservice.tasks.tags import tag_name
from taskservice.tasks.undo import last_change
from taskservice.tasks.undo import undo_last_change as undo_change


async def _patch(ctx: Ctx, task_id: int, fields: dict[str, Any]) -> str:
    """Change fields through the same validation as ``PATCH /tasks/{id}``."""

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        task = await tasks.update(task_id, TaskPatch.model_validate(fields))
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
async def clear_due_date(ctx: Ctx, task_id: int) -> str:
    """Remove a task's due date.

    Args:
        task_id: The task's id.
    """
    return await _patch(ctx, task_id, {"due_date": None})


@function_tool(failure_error_function=unexpected_tool_error)
async def set_description(ctx: Ctx, task_id: int, description: str | None) -> str:
    """Set a task's description (its details), replacing the one it has; null or an
    empty text removes it.

    Args:
        task_id: The task's id.
        description: The new description, up to 10,000 characters; null or "" clears it.
    """
    cleared = description is None or not description.strip()
    return await _patch(ctx, task_id, {"description": None if cleared else description})


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
        tags: Tags to add, single words ('#' optional).
    """

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        return {"updated": task_view(await tasks.add_tags(task_id, tags))}

    return await with_tasks(ctx, work)


@function_tool(failure_error_function=unexpected_tool_error)
async def remove_tags(ctx: Ctx, task_id: int, tags: list[str]) -> str:
    """Remove tags from a task (it keeps the others).

    Args:
        task_id: The task's id.
        tags: Tags to remove, single words ('#' optional).
    """

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        had = list((await tasks.get(task_id, for_update=True)).tags)
        task = await tasks.remove_tags(task_id, tags)
        named = list(dict.fromkeys(tag_name(tag) for tag in tags))
        return {
            "updated": task_view(task),
            "removed": [tag for tag in named if tag in had],
            "not_on_task": [tag for tag in named if tag not in had],
        }

    return await with_tasks(ctx, work)


@function_tool(failure_error_function=unexpected_tool_error)
async def update_tasks(
    ctx: Ctx,
    task_ids: list[int],
    status: StatusArg | None = None,
    priority: PriorityArg | None = None,
    due_date: str | None = None,
) -> str:
    """Change several tasks at once, all or none: if one of them does not exist,
    nothing changes. Give at least one of status, priority, due_date; null leaves that
    field as it is.

    Args:
        task_ids: The tasks' ids (at most 100).
        status: The new status for all of them, or null.
        priority: The new priority for all of them, or null.
        due_date: The new due date for all of them, YYYY-MM-DD, or null.
    """
    fields = {"status": status, "priority": priority, "due_date": due_date}
    changes = {name: value for name, value in fields.items() if value is not None}
    if not changes:
        return error_output("give at least one of status, priority, due_date; nothing was done")

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        updated = await tasks.update_many(task_ids, TaskPatch.model_validate(changes))
        return {"updated": task_views(updated)}

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


@function_tool(failure_error_function=unexpected_tool_error, needs_approval=True)
async def delete_tasks(ctx: Ctx, task_ids: list[int]) -> str:
    """Delete several tasks for good, all or none: if one of them does not exist, none
    is deleted. The user approves the whole set once, before it runs.

    Args:
        task_ids: The tasks' ids (at most 100).
    """

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        return {"deleted": task_views(await tasks.delete_many(task_ids))}

    return await with_tasks(ctx, work)


async def _undo_deletes_a_task(
    ctx: RunContextWrapper[AgentContext], arguments: dict[str, Any], call_id: str
) -> bool:
    """Undo asks the user first when it would delete a task (one this conversation
    created); reverting a change or restoring a deleted task needs no approval."""

    async def work(tasks: TaskRepository) -> bool:
        change = await last_change(tasks)
        return change is not None and bool(change.creates)

    return bool(await ctx.context.tool_calls.read(work))


@function_tool(failure_error_function=unexpected_tool_error, needs_approval=_undo_deletes_a_task)
async def undo_last_change(ctx: Ctx) -> str:
    """Undo the last change this conversation made (what one tool call changed: one
    task, or a whole bulk change), unless someone changed those tasks since. A task it
    created is deleted (the user approves that first); a changed task gets its previous
    values back; a deleted task is restored. Calling it again undoes the change before.
    """

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        undone = await undo_change(tasks)
        changed = {event.task_id: sorted(event.changes) for event in undone.change.events}
        return {
            "undone": {
                "reverted": [
                    {**task_view(task), "reverted_fields": changed[task.id or 0]}
                    for task in undone.reverted
                ],
                "restored": task_views(undone.restored),
                "deleted": task_views(undone.deleted),
            }
        }

    return await with_tasks(ctx, work)


EDITING_TOOLS = [
    find_tasks,
    set_status,
    set_priority,
    set_due_date,
    clear_due_date,
    set_description,
    rename_task,
    add_tags,
    remove_tags,
    update_tasks,
    delete_task,
    delete_tasks,
    undo_last_change,
]
