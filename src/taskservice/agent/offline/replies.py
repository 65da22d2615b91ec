"""The offline model's replies, written from the tools' outputs: counts and names, dates
as weekdays, and what to say next when a list is cut."""

from datetime import date, timedelta
from typing import Any

from taskservice.agent.offline.conversation import ToolResult
from taskservice.agent.offline.dates import week_bounds
from taskservice.agent.offline.words import (
    STATUS_WORDS,
    bullets,
    day,
    describe,
    hashtags,
    label,
    names,
    plural,
)

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
        head = f"{total} {words}{sort}:"
    more = total - shown_before - len(tasks)
    tail = f"\n...and {more} more; say 'show more'." if more > 0 else ""
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


def _updated(tool: str, task: dict[str, Any], today: date) -> str:
    ref = f"task {label(task)}"
    if tool == "set_status":
        return f"Marked {ref} as {STATUS_WORDS[task['status']]}."
    if tool == "set_priority":
        return f"Set the priority of {ref} to {task['priority']}."
    if tool in ("set_due_date", "clear_due_date"):
        due = task.get("due_date")
        return (
            f"Task {label(task)} is now due {day(due, today)}."
            if due
            else (f"Removed the due date of {ref}.")
        )
    if tool == "rename_task":
        return f"Renamed task #{task['id']} to {task['title']!r}."
    if tool == "add_tags":
        return f"Tagged {ref}: {' '.join('#' + t for t in task['tags'])}."
    if tool == "set_description":
        text = task.get("description")
        return (
            f"Set the description of {ref}: {text}"
            if text
            else (f"Removed the description of {ref}.")
        )
    return f"Updated {describe(task, today)}."


def _many(tool: str, tasks: list[dict[str, Any]], verb: str) -> str:
    if not tasks:
        return f"No tasks were {verb}."
    return f"{verb.capitalize()} {plural(len(tasks), 'task')}: {names(tasks)}."


def one(result: ToolResult, today: date) -> str:
    """The reply for one tool's output."""
    out = result.output
    if not isinstance(out, dict):
        return f"{result.name} did not run: {out}"
    if "error" in out:
        return f"I couldn't do that: {str(out['error']).rstrip('.')}."
    if "created" in out:
        return f"Created task {describe(out['created'], today)}."
    if isinstance(out.get("deleted"), list):
        return _many(result.name, out["deleted"], "deleted")
    if "deleted" in out:
        return f"Deleted task {label(out['deleted'])}."
    if isinstance(out.get("updated"), list):
        return _many(result.name, out["updated"], "updated")
    if "removed" in out:
        return _untagged(out)
    if "undone" in out:
        return undone(out["undone"])
    if "updated" in out:
        return _updated(result.name, out["updated"], today)
    if "task" in out:
        task = out["task"]
        text = f"Task {describe(task, today)}."
        return f"{text}\n{task['description']}" if task.get("description") else text
    if "tasks" in out and result.name == "next_tasks":
        return ranked(out, today)
    if "tasks" in out:
        return listing(result, today)
    if "count" in out:
        verb = "is" if out["count"] == 1 else "are"
        count = "No" if out["count"] == 0 else str(out["count"])
        noun = "task" if out["count"] == 1 else "tasks"
        return f"{count} {noun} {verb} {STATUS_WORDS[out['status']]}."
    if "counts" in out and "overdue" in out:
        return summary(out, today)
    if "counts" in out:
        counts = ", ".join(f"{n} {STATUS_WORDS[s]}" for s, n in out["counts"].items())
        return f"You have {plural(out['total'], 'task')}: {counts}."
    if "matches" in out:
        found = {"tasks": out["matches"], "total": len(out["matches"])}
        return listing(ToolResult(result.name, {}, found), today)
    return str(out)


def _untagged(out: dict[str, Any]) -> str:
    task, removed, missing = out["updated"], out.get("removed", []), out.get("not_on_task", [])
    parts = [f"Removed {hashtags(removed)} from task {label(task)}." if removed else ""]
    if missing:
        parts.append(f"It had no {hashtags(missing)} tag.")
    left = task.get("tags", [])
    parts.append(f"Its tags now: {hashtags(left)}." if left else "It has no tags now.")
    return " ".join(p for p in parts if p)


_FIELDS = {
    "title": "title",
    "description": "description",
    "status": "status",
    "priority": "priority",
    "due_date": "due date",
    "tags": "tags",
}


def undone(out: dict[str, Any]) -> str:
    """What an undo did: changes reverted, tasks restored, created tasks deleted."""
    parts = []
    for task in out.get("reverted", []):
        fields = [_FIELDS[f] for f in task.get("reverted_fields", []) if f in _FIELDS]
        if fields:
            what = ", ".join(fields[:-1]) + (" and " if len(fields) > 1 else "") + fields[-1]
            parts.append(f"Undone: task {label(task)} has its {what} back.")
        else:
            parts.append(f"Undone: task {label(task)} is back as it was.")
    if restored := out.get("restored", []):
        parts.append(f"Undone: restored {plural(len(restored), 'task')}: {names(restored)}.")
    if deleted := out.get("deleted", []):
        parts.append(
            f"Undone: deleted {plural(len(deleted), 'task')} it had created: {names(deleted)}."
        )
    return "\n".join(parts) or "There was nothing to undo."


def summary(out: dict[str, Any], today: date) -> str:
    counts = out["counts"]
    open_count = out["total"] - counts.get("done", 0)
    overdue, soon = out["overdue"], out["due_next_7_days"]
    text = (
        f"You have {plural(out['total'], 'task')}: {open_count} open "
        f"({counts.get('todo', 0)} to do, {counts.get('in_progress', 0)} in progress, "
        f"{counts.get('blocked', 0)} blocked) and {counts.get('done', 0)} done. "
        f"{overdue} {'is' if overdue == 1 else 'are'} overdue; {soon} "
        f"{'is' if soon == 1 else 'are'} due in the next 7 days."
    )
    if out["next_due"]:
        text += f"\nNext due:\n{bullets(out['next_due'], today)}"
    return text


def reply_for(results: list[ToolResult], today: date) -> str:
    return "\n".join(one(result, today) for result in results)


def ambiguous(title: str, matches: list[dict[str, Any]]) -> str:
    options = ", ".join(label(t) for t in matches)
    return f"Several tasks match {title!r}: {options}. Which one? Answer with its id."


def not_found(title: str) -> str:
    return f"No task matches {title!r}. Say 'list my tasks' to see them, or name one by its id."
