"""Specialist steps over lists: a list with what is coming up when it is empty, "show
more" from the conversation's last list, and bulk changes over a selection."""

from dataclasses import replace
from datetime import date, timedelta

from agents.items import TResponseOutputItem

from taskservice.agent.offline import calls
from taskservice.agent.offline import intents as i
from taskservice.agent.offline.conversation import ToolResult, tool_results
from taskservice.agent.offline.dates import week_bounds
from taskservice.agent.offline.list_replies import coming_up, listing, none_found
from taskservice.agent.offline.replies import one
from taskservice.agent.offline.streaming import message
from taskservice.agent.offline.words import STATUS_WORDS, day, names, plural

Output = list[TResponseOutputItem]
BULK_LIMIT = 100
"""At most this many tasks in one bulk change; more is refused with a way to narrow it."""


def _failed(result: ToolResult) -> bool:
    return not isinstance(result.output, dict) or "error" in result.output


def _coming_up(found: i.ListTasks, today: date) -> i.ListTasks | None:
    """What to list when nothing is overdue (this week) or nothing is on today's plate
    (the next 7 days); ``None`` for any other empty list."""
    if found == i.ListTasks(overdue=True):
        return i.ListTasks(due_from=today, due_to=week_bounds(today)[1], open_only=True)
    if found == i.ListTasks(due_to=today, open_only=True):
        return i.ListTasks(
            due_from=today + timedelta(days=1), due_to=today + timedelta(days=7), open_only=True
        )
    return None


def list_step(found: i.ListTasks, results: list[ToolResult], today: date) -> Output:
    lists = [r for r in results if r.name == "list_tasks"]
    if not lists:
        return [calls.call("list_tasks", **calls.list_arguments(found))]
    first = lists[0]
    if _failed(first):
        return [message(one(first, today))]
    if not first.output["tasks"] and (after := _coming_up(found, today)) is not None:
        if len(lists) == 1:
            return [calls.call("list_tasks", **calls.list_arguments(after, limit=5))]
        empty = none_found(first.arguments, today)
        if not _failed(lists[1]):
            return [message(coming_up(empty, lists[1], today))]
        return [message(empty)]
    return [message(listing(first, today))]


def more_step(history: list[dict[str, object]], results: list[ToolResult], today: date) -> Output:
    """The next page of the conversation's last list, through its cursor."""
    if results:
        page = results[0]
        if _failed(page):
            return [message(one(page, today))]
        return [message(listing(page, today, shown_before(history, page)))]
    earlier = [r for r in tool_results(history) if r.name in ("list_tasks", "next_tasks")]
    if not earlier or _failed(earlier[-1]):
        return [message("There is no list to continue. Say 'list my tasks' to start one.")]
    last = earlier[-1]
    if last.name == "next_tasks":
        return [
            message(
                f"That was the top {len(last.output.get('tasks', []))}. For every open task "
                "by priority: 'list open tasks sorted by priority'."
            )
        ]
    cursor = last.output.get("next_cursor")
    if not cursor:
        total = last.output.get("total", len(last.output.get("tasks", [])))
        return [message(f"That was the whole list ({plural(total, 'task')}).")]
    return [calls.call("list_tasks", **{**last.arguments, "cursor": cursor})]


def shown_before(history: list[dict[str, object]], page: ToolResult) -> int:
    """How many tasks the pages before ``page`` (the chain of cursors it continues) held."""
    chain = [r for r in tool_results(history) if r.name == "list_tasks" and not _failed(r)]
    count, cursor = 0, page.arguments.get("cursor")
    for earlier in reversed(chain):
        if not cursor or earlier.output.get("next_cursor") != cursor:
            break
        count += len(earlier.output["tasks"])
        cursor = earlier.arguments.get("cursor")
    return count


def _selection_words(selection: i.ListTasks, today: date) -> str:
    return none_found(calls.list_arguments(selection), today)


def bulk_step(
    intent: i.UpdateTasks | i.DeleteTasks, results: list[ToolResult], today: date
) -> Output:
    """List the selection page by page (or take the ids), then one call for all of them."""
    action = "delete_tasks" if isinstance(intent, i.DeleteTasks) else "update_tasks"
    done = next((r for r in results if r.name == action), None)
    if done is not None:
        return [message(_bulk_reply(intent, done, today))]
    ids = list(intent.ids)
    if intent.selection is not None:
        pages = [r for r in results if r.name == "list_tasks"]
        if pages and _failed(pages[-1]):
            return [message(one(pages[-1], today))]
        total = pages[0].output.get("total", 0) if pages else 0
        if total > BULK_LIMIT:
            return [
                message(
                    f"That is {plural(total, 'task')}, more than the {BULK_LIMIT} I change at "
                    "once. Narrow it down, for example with a tag or a due date."
                )
            ]
        cursor = pages[-1].output.get("next_cursor") if pages else None
        if not pages or cursor:
            selection = replace(intent.selection, sort="due_date,-priority")
            arguments = calls.list_arguments(selection, limit=calls.BULK_PAGE, cursor=cursor)
            return [calls.call("list_tasks", **arguments)]
        ids = sorted(t["id"] for page in pages for t in page.output["tasks"])
        if not ids:
            words = _selection_words(intent.selection, today).rstrip(".")
            return [message(f"{words}, so nothing was changed.")]
    return [calls.bulk(intent, ids)]


def _bulk_reply(intent: i.UpdateTasks | i.DeleteTasks, done: ToolResult, today: date) -> str:
    if _failed(done):
        return one(done, today)
    out = done.output
    tasks = out.get("deleted") if isinstance(intent, i.DeleteTasks) else out.get("updated")
    if not isinstance(tasks, list):
        return one(done, today)
    if isinstance(intent, i.DeleteTasks):
        return f"Deleted {plural(len(tasks), 'task')}: {names(tasks)}."
    changes = []
    if intent.status:
        changes.append(f"marked as {STATUS_WORDS[intent.status]}")
    if intent.priority:
        changes.append(f"set to {intent.priority} priority")
    if intent.due_date:
        changes.append(f"now due {day(intent.due_date, today)}")
    what = " and ".join(changes) or "updated"
    return f"{plural(len(tasks), 'task').capitalize()} {what}: {names(tasks)}."
