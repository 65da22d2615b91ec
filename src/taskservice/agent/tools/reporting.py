"""The reporter's tools: list, search, show, count, summarise, what next; and find by
title."""

from typing import Any

from agents import function_tool

from taskservice.agent.tools.common import (
    Ctx,
    PriorityArg,
    StatusArg,
    parse_day,
    task_view,
    unexpected_tool_error,
    with_tasks,
)
from taskservice.tasks.listing import DueWindow, SortOrder
from taskservice.tasks.models import OPEN_STATUSES, Priority, Status
from taskservice.tasks.repository import TaskRepository
from taskservice.tasks.summary import summarize
from taskservice.tasks.tags import tag_name

FOUND_MAX = 20
PAGE_MAX = 50


@function_tool(failure_error_function=unexpected_tool_error)
async def find_tasks(ctx: Ctx, title: str) -> str:
    """Find the user's tasks by title: the task with exactly that title (ignoring case)
    if there is one, else every task whose title holds all the words given (ignoring case
    and accents). Use it to turn a title the user mentions into a task id; if several
    match, ask the user which one.

    Args:
        title: The title, or distinctive words of it ("milk" for "buy milk").
    """

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        found = await tasks.find_by_title(title, limit=FOUND_MAX)
        return {"matches": [task_view(t) for t in found]}

    return await with_tasks(ctx, work)


@function_tool(failure_error_function=unexpected_tool_error)
async def list_tasks(
    ctx: Ctx,
    status: list[StatusArg] | None,
    priority: list[PriorityArg] | None,
    tag: str | None,
    query: str | None,
    due_from: str | None,
    due_to: str | None,
    overdue: bool | None,
    open_only: bool | None,
    sort: str | None,
    limit: int | None,
    cursor: str | None = None,
) -> str:
    """List the user's tasks. Every filter is optional and they combine. When
    next_cursor is not null there are more: call again with the same arguments and
    cursor=next_cursor for the next page.

    Args:
        status: Only these statuses.
        priority: Only these priorities.
        tag: Only tasks with this tag.
        query: Text to find in the title or description (case-insensitive).
        due_from: Only tasks due on or after this date, YYYY-MM-DD.
        due_to: Only tasks due on or before this date, YYYY-MM-DD.
        overdue: true for tasks past their due date and not done.
        open_only: true for tasks that are not done.
        sort: Comma-separated fields of created_at, updated_at, due_date, priority, title;
            '-' before a field for descending. Default: due_date,-priority.
        limit: How many tasks to return, 1-50 (default 20).
        cursor: next_cursor from the previous page of this same list; null for the first.
    """

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        window = DueWindow(parse_day(due_from, "due_from"), parse_day(due_to, "due_to"))
        statuses = [Status(s) for s in status or []] or (list(OPEN_STATUSES) if open_only else [])
        filters = window.filters(
            statuses=statuses,
            priorities=[Priority(p) for p in priority or []],
            tag=tag_name(tag) if tag else None,
            q=query or None,
            overdue=True if overdue else None,
            today=ctx.context.today,
        )
        size = max(1, min(limit or 20, PAGE_MAX))
        page = await tasks.list_tasks(
            filters, SortOrder.parse(sort or "due_date,-priority"), limit=size, cursor=cursor
        )
        listed: dict[str, Any] = {
            "total": page.total,
            "tasks": [task_view(t) for t in page.items],
            "more": page.next_cursor is not None,
            "next_cursor": page.next_cursor,
        }
        if not page.total_exact:  # counting stopped there: at least that many match
            listed["total_exact"] = False
        return listed

    return await with_tasks(ctx, work)


@function_tool(failure_error_function=unexpected_tool_error)
async def show_task(ctx: Ctx, task_id: int) -> str:
    """Show one task in full.

    Args:
        task_id: The task's id.
    """

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        return {"task": task_view(await tasks.read(task_id), detailed=True)}

    return await with_tasks(ctx, work)


@function_tool(failure_error_function=unexpected_tool_error)
async def count_tasks(ctx: Ctx, status: StatusArg | None) -> str:
    """Count the user's tasks, by status.

    Args:
        status: Count only this status; null counts every status.
    """

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        counts = await tasks.count_by_status()
        if status is not None:
            return {"status": status, "count": counts[Status(status)]}
        return {"counts": {str(s): n for s, n in counts.items()}, "total": sum(counts.values())}

    return await with_tasks(ctx, work)


@function_tool(failure_error_function=unexpected_tool_error)
async def status_summary(ctx: Ctx) -> str:
    """A short summary: counts by status, overdue, due in the next 7 days, and the next
    tasks due."""

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        summary = await summarize(tasks, ctx.context.today, ctx.context.timezone)
        return {
            "counts": {str(s): n for s, n in summary.counts.items()},
            "total": summary.total,
            "overdue": summary.overdue,
            "due_next_7_days": summary.due_soon,
            "next_due": [task_view(t) for t in summary.next_due],
        }

    return await with_tasks(ctx, work)


@function_tool(failure_error_function=unexpected_tool_error)
async def next_tasks(ctx: Ctx, limit: int = 5) -> str:
    """What to work on next: open tasks (not done), most urgent priority first, then
    soonest due (tasks without a due date after those with one).

    Args:
        limit: How many to return, 1-50 (default 5).
    """

    async def work(tasks: TaskRepository) -> dict[str, Any]:
        page = await tasks.next_tasks(limit=max(1, min(limit, PAGE_MAX)))
        return {
            "total": page.total,
            "tasks": [task_view(t) for t in page.items],
            "more": page.next_cursor is not None,
        }

    return await with_tasks(ctx, work)


REPORTING_TOOLS = [list_tasks, find_tasks, show_task, count_tasks, status_summary, next_tasks]
