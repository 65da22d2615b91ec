"""Tool results: structured content for programs, a short text for people and models.

A success carries the REST response model as ``structuredContent`` and a line or a
few of text. A failure the caller can fix (no such task, a stale version, an invalid
value) is a tool error result (``isError``): its text says what went wrong, and its
``structuredContent`` is the problem REST would answer with (``type``, ``status``,
``detail`` and, for invalid values, the same ``errors`` a 422 lists).
"""

from typing import Any

from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, ValidationError

from taskservice.errors import AppError, app_error_body, problem_body, validation_errors
from taskservice.tasks.events import TaskEventRead
from taskservice.tasks.schemas import TaskPage, TaskRead
from taskservice.tasks.summary import TaskSummary


def success(value: BaseModel, text: str) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=value.model_dump(mode="json"),
    )


def failure(problem: dict[str, Any], text: str) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=problem,
        is_error=True,
    )


def app_error(exc: AppError) -> CallToolResult:
    return failure(app_error_body(exc), exc.detail)


def invalid_arguments(exc: ValidationError) -> CallToolResult:
    errors = validation_errors(exc.errors())
    problem = problem_body(
        status=422,
        slug="validation-failed",
        detail="The arguments did not pass validation; see `errors`.",
        errors=errors,
    )
    listed = "; ".join(f"{error.field or 'arguments'}: {error.message}" for error in errors)
    return failure(problem, f"Invalid arguments: {listed}")


def describe_task(task: TaskRead) -> str:
    parts = [task.status.value, f"{task.priority.value} priority"]
    if task.due_date is not None:
        parts.append(f"due {task.due_date.isoformat()}")
    if task.tags:
        parts.append("tags " + ", ".join(task.tags))
    return f'Task {task.id} "{task.title}": {", ".join(parts)} (version {task.version}).'


def describe_page(page: TaskPage) -> str:
    if not page.items:
        at_least = "" if page.total_exact else "at least "
        return f"No tasks on this page; {at_least}{page.total} match in all."
    matching = f"{page.total}" if page.total_exact else f"at least {page.total}"
    lines = [f"{len(page.items)} of {matching} matching tasks:"]
    lines += [describe_task(task) for task in page.items]
    if page.next_cursor is not None:
        lines.append("More: pass next_cursor as cursor, with the same filters and sort.")
    return "\n".join(lines)


def describe_history(task_id: int, events: list[TaskEventRead]) -> str:
    lines = [f"{len(events)} change(s) to task {task_id}, oldest first:"]
    for event in events:
        changed = ", ".join(event.changes) or "nothing"
        lines.append(f"{event.at.isoformat()} {event.actor} {event.action}: {changed}")
    return "\n".join(lines)


def describe_summary(summary: TaskSummary) -> str:
    counts = ", ".join(f"{n} {status.value}" for status, n in summary.counts.items())
    lines = [
        f"{summary.total} tasks ({counts}); {summary.overdue} overdue; "
        f"{summary.due_soon} due in the next 7 days (from {summary.today.isoformat()}, "
        f"{summary.timezone})."
    ]
    lines += [describe_task(task) for task in summary.next_due]
    return "\n".join(lines)
