"""What a tool call that waits for the user's approval will do, said for people.

The run's reply adds where to answer ("Approve or reject it at POST ..."); these are the
questions: "Delete task #8 'buy milk'?".
"""

from typing import Any

from taskservice.agent.runs.replies import task_label
from taskservice.agent.schemas import PendingApproval
from taskservice.agent.tools.common import error_output
from taskservice.tasks.repository import TaskNotFound, TaskRepository
from taskservice.tasks.undo import last_change

REJECTED = error_output("the user did not approve this; nothing was done")

SHOWN_MAX = 10
"""The most tasks one question names; it counts the rest."""


async def describe_pending(pending: PendingApproval, tasks: TaskRepository) -> str:
    """``tasks`` acts in the run's session (its actor's ``session_id``)."""
    if pending.tool == "delete_task":
        task_id = pending.arguments.get("task_id")
        if not isinstance(task_id, int):
            return "Delete a task?"
        try:
            task = await tasks.get(task_id)
        except TaskNotFound:
            return f"Delete task #{task_id} (it no longer exists)?"
        return f"Delete {task_label({'id': task.id, 'title': task.title})}?"
    if pending.tool == "delete_tasks":
        return await _delete_tasks(pending.arguments.get("task_ids"), tasks)
    if pending.tool == "undo_last_change":
        return await _undo(tasks)
    arguments = ", ".join(f"{k}={v!r}" for k, v in pending.arguments.items())
    return f"Run {pending.tool}({arguments})?"


async def _delete_tasks(task_ids: Any, tasks: TaskRepository) -> str:
    if not isinstance(task_ids, list) or not all(isinstance(i, int) for i in task_ids):
        return "Delete several tasks?"
    ids = list(dict.fromkeys(task_ids))
    named = []
    for task_id in ids[:SHOWN_MAX]:
        try:
            task = await tasks.get(task_id)
        except TaskNotFound:
            named.append(f"#{task_id} (it does not exist)")
            continue
        named.append(f"#{task.id} '{task.title}'")
    if len(ids) > SHOWN_MAX:
        named.append(f"and {len(ids) - SHOWN_MAX} more")
    noun = "task" if len(ids) == 1 else "tasks"
    return f"Delete {len(ids)} {noun}: {', '.join(named)}?"


async def _undo(tasks: TaskRepository) -> str:
    change = await last_change(tasks)
    created = change.creates if change is not None else []
    if not created:
        return "Undo the last change?"
    names = []
    for event in created:
        title = event.changes.get("title", {}).get("new")
        names.append(task_label({"id": event.task_id, "title": title}))
    which = "which this conversation created"
    return f"Undo: delete {', '.join(str(n) for n in names)}, {which}?"
