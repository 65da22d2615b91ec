"""The planner's tools: create tasks."""

from typing import Any

from agents import function_tool

from taskservice.agent.tools.common import (
    Ctx,
    PriorityArg,
    task_view,
    unexpected_tool_error,
    with_tasks,
)
from taskservice.tasks.repository import TaskRepository
from taskservice.tasks.schemas import TaskCreate


@function_tool(failure_error_function=unexpected_tool_error)
async def create_task(
    ctx: Ctx,
    title: str,
    description: str | None,
    priority: PriorityArg | None,
    due_date: str | None,
    tags: list[str] | None,
) -> str:
    """Create one task for the user. Call it once per task when asked for several.

    Args:
        title: What to do, 1-200 characters.
        description: Optional details.
        priority: low, medium (the default), high or urgent.
        due_date: Optional due date, YYYY-MM-DD.
        tags: Optional tags, single words without '#'.
    """
    fields: dict[str, Any] = {"title": title, "description": description, "tags": tags or []}
    if priority is not None:
        fields["priority"] = priority
    if due_date is not None:
        fields["due_date"] = due_date

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        task = await tasks.create(TaskCreate.model_validate(fields))
        return {"created": task_view(task)}

    return await with_tasks(ctx, work)


PLANNING_TOOLS = [create_task]
