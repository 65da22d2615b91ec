"""What a tool call that waits for the user's approval will do, said for people."""

from taskservice.agent.runs.replies import task_label
from taskservice.agent.schemas import PendingApproval
from taskservice.agent.tools.common import error_output
from taskservice.tasks.repository import TaskNotFound, TaskRepository

REJECTED = error_output("the user did not approve this; nothing was done")


async def describe_pending(pending: PendingApproval, tasks: TaskRepository) -> str:
    if pending.tool == "delete_task":
        task_id = pending.arguments.get("task_id")
        if not isinstance(task_id, int):
            return "Delete a task?"
        try:
            task = await tasks.get(task_id)
        except TaskNotFound:
            return f"Delete task #{task_id} (it no longer exists)?"
        return f"Delete {task_label({'id': task.id, 'title': task.title})}?"
    arguments = ", ".join(f"{k}={v!r}" for k, v in pending.arguments.items())
    return f"Run {pending.tool}({arguments})?"
