"""Answers about one task: its state and the concrete next actions the service can take.

Without a model to plan, the suggestions are built honestly from the task's own fields:
its status, due date, priority and description; nothing is invented.
"""

import re
from datetime import date
from typing import Any

from taskservice.agent.offline.intents import ProgressKind
from taskservice.agent.offline.words import (
    STATUS_WORDS,
    age,
    day,
    days_between,
    label,
    relative,
)

_KNOWN_VERBS = frozenset(
    (
        "mark",
        "set",
        "change",
        "update",
        "move",
        "push",
        "postpone",
        "reschedule",
        "rename",
        "tag",
        "untag",
        "add",
        "delete",
        "remove",
        "make",
        "bump",
        "put",
        "start",
        "finish",
        "complete",
        "show",
        "find",
    )
)


def state(task: dict[str, Any], today: date) -> str:
    """``Task #12 'write report': in progress, high priority, due Thu 3 Dec (in 2 days),
    not blocked, open for 5 days.``"""
    parts = [STATUS_WORDS.get(task["status"], task["status"]), f"{task['priority']} priority"]
    if due := task.get("due_date"):
        parts.append(f"due {day(due, today)} ({relative(due, today)})")
    else:
        parts.append("no due date")
    if task["status"] == "done":
        finished = task.get("completed_at")
        parts.append(f"finished {day(finished[:10], today)}" if finished else "finished")
    else:
        parts.append("blocked" if task["status"] == "blocked" else "not blocked")
        opened = days_between(task.get("created_at"), today)
        if opened is not None:
            parts.append(age(opened))
    return f"Task {label(task)}: {', '.join(parts)}."


def next_actions(task: dict[str, Any], today: date) -> list[str]:
    """What the user can ask for next, from the task's fields."""
    status, due = task["status"], task.get("due_date")
    if status == "done":
        return ["It is done. If something is still missing: 'reopen it'."]
    actions = []
    if status == "blocked":
        actions.append("Once what blocks it is cleared: 'mark it as in progress'.")
    elif status == "todo":
        actions.append("Start on it: 'start it'.")
    if due and date.fromisoformat(due) < today:
        actions.append("It is overdue: 'push it by a week', or 'it's due tomorrow'.")
    elif not due:
        actions.append("Give it a date to aim for: 'it's due friday'.")
    if (
        task["priority"] in ("low", "medium")
        and due
        and (date.fromisoformat(due) - today).days <= 2
    ):
        actions.append("It is due soon: 'bump it to high priority'.")
    if not task.get("description"):
        actions.append("Write down what is left: 'set its description to ...'.")
    actions.append("When it is finished: 'mark it as done'.")
    return actions


def steps_in(description: str | None) -> list[str]:
    """The steps a description lists: one per line, bullet, numbered item or ';'."""
    if not description:
        return []
    pieces = re.split(r"\s*(?:[\r\n]+|;|(?<!\w)\d+[.)]\s+|(?:^|\s)[-*\u2022]\s+)\s*", description)
    steps = [p.strip(" .,") for p in pieces if p and p.strip(" .,")]
    return steps if len(steps) > 1 else []


def progress(task: dict[str, Any], kind: ProgressKind, today: date) -> str:
    lines = [state(task, today)]
    if kind == "breakdown":
        steps = steps_in(task.get("description"))
        if steps:
            numbered = "\n".join(f"{n}. {s}" for n, s in enumerate(steps, start=1))
            lines.append(f"Its description lists {len(steps)} steps:\n{numbered}")
            lines.append(f"To track them as tasks: 'add tasks: {'; '.join(steps)}'.")
        else:
            lines.append(
                "I can't split it into steps myself (that needs a real model). Write the "
                "steps in its description ('set its description to: first ...; then ...') "
                "and ask again, or add them as tasks ('add tasks: first step; second step')."
            )
        return "\n".join(lines)
    if task.get("description"):
        lines.append(f"Its description: {task['description']}")
    lines.append("Next:\n" + "\n".join(f"- {a}" for a in next_actions(task, today)))
    return "\n".join(lines)


def options(task: dict[str, Any], verb: str, today: date) -> str:
    """What can be done for a task the user named with a verb the grammar does not know."""
    if verb and verb not in _KNOWN_VERBS:
        head = f"I can't {verb} a task."
    else:
        head = "I didn't catch all of that."
    return (
        f"{head} {state(task, today)}\nFor it I can:\n"
        "- change its status: 'mark it as done', 'start it'\n"
        "- move its date: 'push it by a week', 'move it to friday'\n"
        "- change its priority: 'make it high priority'\n"
        "- tag it, rename it or describe it: 'tag it #work', 'rename it to ...', "
        "'set its description to ...'\n"
        "- delete it: 'delete it' (you'll be asked to approve)"
    )
