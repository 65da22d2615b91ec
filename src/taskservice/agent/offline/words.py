"""How the offline model says things: tasks, dates, counts, lists."""

from datetime import date, datetime
from typing import Any

from taskservice.agent.offline.intents import PriorityName

STATUS_WORDS = {
    "todo": "to do",
    "in_progress": "in progress",
    "blocked": "blocked",
    "done": "done",
}
PRIORITY_ORDER: tuple[PriorityName, ...] = ("low", "medium", "high", "urgent")


def day(value: date | str, today: date) -> str:
    """A date as a weekday and a date ("Tue 1 Dec"), with the year when it is not this
    year's."""
    when = date.fromisoformat(value) if isinstance(value, str) else value
    text = f"{when:%a} {when.day} {when:%b}"
    return text if when.year == today.year else f"{text} {when.year}"


def plural(count: int, noun: str, many: str | None = None) -> str:
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def is_overdue(task: dict[str, Any], today: date) -> bool:
    due = task.get("due_date")
    return isinstance(due, str) and task.get("status") != "done" and date.fromisoformat(due) < today


def describe(task: dict[str, Any], today: date) -> str:
    """``#3 'pay invoice' (to do, urgent priority, due Mon 30 Nov, overdue, #money)``."""
    status = task.get("status", "")
    parts = [STATUS_WORDS.get(status, status), f"{task.get('priority')} priority"]
    if task.get("due_date"):
        parts.append(f"due {day(task['due_date'], today)}")
        if is_overdue(task, today):
            parts.append("overdue")
    if task.get("tags"):
        parts.append(hashtags(task["tags"]))
    return f"{label(task)} ({', '.join(parts)})"


def label(task: dict[str, Any]) -> str:
    """``#3 'pay invoice'``."""
    return f"#{task['id']} {task.get('title', '')!r}"


def names(tasks: list[dict[str, Any]]) -> str:
    """``#1 'a', #2 'b' and #3 'c'``."""
    labels = [label(t) for t in tasks]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def hashtags(tags: list[str]) -> str:
    return " ".join(f"#{t}" for t in tags)


def bullets(tasks: list[dict[str, Any]], today: date) -> str:
    return "\n".join(f"- {describe(t, today)}" for t in tasks)


def days_between(start: str | None, today: date) -> int | None:
    """Whole days from an ISO date or datetime to ``today``."""
    if not start:
        return None
    try:
        when = datetime.fromisoformat(start).date()
    except ValueError:
        return None
    return (today - when).days


def age(days: int) -> str:
    if days <= 0:
        return "opened today"
    return f"open for {plural(days, 'day')}"


def relative(due: str, today: date) -> str:
    """How far ``due`` is from today: "today", "tomorrow", "in 3 days", "2 days ago"."""
    delta = (date.fromisoformat(due) - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return f"in {plural(delta, 'day')}" if delta > 0 else f"{plural(-delta, 'day')} ago"
