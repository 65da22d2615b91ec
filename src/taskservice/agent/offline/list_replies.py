"""Replies about lists: which tasks a list holds and how many, what is coming up when it
is empty, and how to see the rest when it is cut."""

from datetime import date, timedelta
from typing import Any

from taskservice.agent.offline.conversation import ToolResult
from taskservice.agent.offline.dates import week_bounds
from taskservice.agent.offline.words import STATUS_WORDS, bullets, day, describe, plural

_SORTS = {
    "-priority,due_date": "highest priority first",
    "priority,due_date": "lowest priority first",
    "due_date,-priority": "by due date",
    "-due_date,-priority": "latest due first",
    "title": "by title",
    "-created_at": "newest first",
    "created_at": "oldest first",
    "-updated_at": "recently changed first",
}


def iso(today: date, days: int) -> str:
    return (today + timedelta(days=days)).isoformat()


def _window(args: dict[str, Any], today: date) -> str:
    start, end = args.get("due_from"), args.get("due_to")
    if not end:
        return f"due on or after {day(start, today)}" if start else ""
    if start == end:
        names_ = {today.isoformat(): "today", (today + timedelta(days=1)).isoformat(): "tomorrow"}
        return f"due {names_.get(end) or day(end, today)}"
    if (start, end) == (iso(today, 1), iso(today, 7)):
        return "due in the next 7 days"
    monday, sunday = week_bounds(today)
    if end == sunday.isoformat() and start in (today.isoformat(), monday.isoformat()):
        return "due this week"
    if (
        start == (monday + timedelta(weeks=1)).isoformat()
        and end == (sunday + timedelta(weeks=1)).isoformat()
    ):
        return "due next week"
    if not start:
        return f"due by {day(end, today)}"
    return f"due {day(start, today)} to {day(end, today)}"


def _kind(args: dict[str, Any], today: date) -> tuple[str, str]:
    """The words before and after "tasks" that say which tasks a list holds."""
    before: list[str] = []
    if args.get("overdue"):
        before.append("overdue")
    if args.get("status"):
        before.append(" or ".join(STATUS_WORDS[s] for s in args["status"]))
    elif args.get("open_only"):
        before.append("open")
    if args.get("priority"):
        before.append(" or ".join(args["priority"]) + "-priority")
    after = []
    if args.get("tag"):
        after.append(f"tagged #{args['tag']}")
    if args.get("query"):
        after.append(f"mentioning {args['query']!r}")
    if window := _window(args, today):
        after.append(window)
    return " ".join(before), " ".join(after)


def is_plate(args: dict[str, Any], today: date) -> bool:
    """Whether a list is "on my plate today": due today or earlier, not done."""
    return (args.get("due_to"), args.get("due_from"), args.get("open_only")) == (
        today.isoformat(),
        None,
        True,
    ) and not args.get("status")


def none_found(args: dict[str, Any], today: date) -> str:
    if is_plate(args, today):
        return "Nothing is on your plate today: no open task is due today or overdue."
    before, after = _kind(args, today)
    if before == "overdue" and not after:
        return "No tasks are overdue."
    return " ".join(["No", *filter(None, [before, "tasks", after])]) + "."


def listing(result: ToolResult, today: date, shown_before: int = 0) -> str:
    """A list's reply: how many and which, each with its state; how to see the rest."""
    args, out = result.arguments, result.output
    tasks, total = out["tasks"], out.get("total", len(out["tasks"]))
    if not tasks:
        return "That was the whole list." if shown_before else none_found(args, today)
    before, after = _kind(args, today)
    if shown_before:
        first, last = shown_before + 1, shown_before + len(tasks)
        span = f"Task {first}" if first == last else f"Tasks {first}-{last}"
        head = f"{span} of {total}:"
    elif is_plate(args, today):
        head = f"On your plate today (due today or overdue): {plural(total, 'task')}:"
    else:
        words = " ".join(filter(None, [before, "task" if total == 1 else "tasks", after]))
        sort = f", {_SORTS[args['sort']]}" if args.get("sort") in _SORTS else ""
        at_least = "" if out.get("total_exact", True) else "at least "
        head = f"{at_least}{total} {words}{sort}:"
    more = total - shown_before - len(tasks)
    at_least = "" if out.get("total_exact", True) else "at least "  # a bounded count
    tail = f"\n...and {at_least}{more} more; say 'show more'." if more > 0 else ""
    return f"{head}\n{bullets(tasks, today)}{tail}"


def coming_up(empty: str, result: ToolResult, today: date) -> str:
    """ "No tasks are overdue. 3 are due this week: ..." from an empty list and the next."""
    tasks, total = result.output["tasks"], result.output.get("total", 0)
    _, when = _kind(result.arguments, today)
    if not tasks:
        return f"{empty.rstrip('.')}, and none are {when}."
    verb = "is" if total == 1 else "are"
    more = f"\n...and {total - len(tasks)} more." if total > len(tasks) else ""
    return f"{empty} {total} {verb} {when}:\n{bullets(tasks, today)}{more}"


def ranked(out: dict[str, Any], today: date) -> str:
    tasks = out.get("tasks", [])
    if not tasks:
        return "Nothing is open. Add a task: 'add a task to call mom tomorrow'."
    lines = "\n".join(f"{n}. {describe(t, today)}" for n, t in enumerate(tasks, start=1))
    return f"Work on these next (highest priority, then soonest due):\n{lines}"
