"""The offline model's replies, written from the tools' outputs: counts and names, dates
as weekdays, and what to say next when a list is cut."""

from datetime import date
from typing import Any

from taskservice.agent.offline.conversation import ToolResult
from taskservice.agent.offline.list_replies import listing, ranked
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
