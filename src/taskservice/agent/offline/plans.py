"""What a specialist does for an intent, one model call at a time.

Each model call sees the tool results of this turn so far and makes the next calls, or
writes the reply once it has what it needs: resolve the task named ("it" is the
conversation's task; a title goes through find_tasks, and several matches are a "which
one?" question that changes nothing), read it when the change depends on its current
fields (push by a span, bump, a task-focused question), act, then reply.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from agents.items import TResponseOutputItem

from taskservice.agent.offline import calls
from taskservice.agent.offline import intents as i
from taskservice.agent.offline.answers import UNKNOWN, WHICH_TASK
from taskservice.agent.offline.coaching import options, progress
from taskservice.agent.offline.conversation import ToolResult, last_mentioned_task
from taskservice.agent.offline.lists import bulk_step, list_step, more_step
from taskservice.agent.offline.replies import ambiguous, not_found, one
from taskservice.agent.offline.streaming import message
from taskservice.agent.offline.words import PRIORITY_ORDER, day, label, plural

Output = list[TResponseOutputItem]


@dataclass(frozen=True)
class Situation:
    """What the specialist knows at this model call."""

    intent: i.Intent
    today: date
    focus: int | None
    items: list[dict[str, Any]]  # the whole conversation, this turn included
    history: list[dict[str, Any]]  # the conversation before this turn's message
    results: list[ToolResult]  # this specialist's tool results in this turn

    def first(self, name: str) -> ToolResult | None:
        return next((r for r in self.results if r.name == name), None)


def say(text: str) -> Output:
    return [message(text)]


def _failed(result: ToolResult) -> bool:
    return not isinstance(result.output, dict) or "error" in result.output


def _resolve(ref: i.TaskRef, s: Situation) -> tuple[int, dict[str, Any] | None] | Output:
    """The task ``ref`` names, with its fields when a lookup returned them."""
    if ref.pronoun:
        task_id = s.focus or last_mentioned_task(s.items)
        return (task_id, None) if task_id is not None else say(WHICH_TASK)
    if ref.title is None:
        assert ref.id is not None
        return ref.id, None
    found = s.first("find_tasks")
    if found is None:
        return [calls.call("find_tasks", title=ref.title)]
    if _failed(found):
        return say(one(found, s.today))
    matches = found.output.get("matches", [])
    if not matches:
        vague = isinstance(s.intent, i.AboutTask) and ref.loose
        return say(UNKNOWN if vague else not_found(ref.title))
    if len(matches) > 1:
        return say(ambiguous(ref.title, matches))
    return matches[0]["id"], matches[0]


def _read(task_id: int, s: Situation) -> dict[str, Any] | Output:
    shown = s.first("show_task")
    if shown is None:
        return [calls.call("show_task", task_id=task_id)]
    if _failed(shown):
        return say(one(shown, s.today))
    task: dict[str, Any] = shown.output["task"]
    return task


def _shifted(
    intent: i.ShiftDueDate | i.ShiftPriority, task: dict[str, Any], s: Situation
) -> i.Intent | str:
    """The absolute change a relative one means for ``task``, or why there is none."""
    ref = i.TaskRef(id=task["id"])
    if isinstance(intent, i.ShiftDueDate):
        base = date.fromisoformat(task["due_date"]) if task.get("due_date") else s.today
        return i.SetDueDate(ref, base + timedelta(days=intent.days))
    rank = PRIORITY_ORDER.index(task["priority"]) + intent.steps
    if not 0 <= rank < len(PRIORITY_ORDER):
        edge = "highest" if intent.steps > 0 else "lowest"
        return f"Task {label(task)} is already {task['priority']}, the {edge} priority."
    return i.SetPriority(ref, PRIORITY_ORDER[rank])


def _shift_reply(intent: i.Intent, before: dict[str, Any], after: ToolResult, today: date) -> str:
    if _failed(after):
        return one(after, today)
    task = after.output["updated"]
    if isinstance(intent, i.ShiftPriority):
        verb = "Raised" if intent.steps > 0 else "Lowered"
        return (
            f"{verb} the priority of task {label(task)} from {before['priority']} to "
            f"{task['priority']}."
        )
    assert isinstance(intent, i.ShiftDueDate)
    was = before.get("due_date")
    span = (
        plural(abs(intent.days), "day")
        if intent.days % 7
        else plural(abs(intent.days) // 7, "week")
    )
    direction = "Pushed" if intent.days > 0 else "Brought forward"
    since = f"from {day(was, today)}" if was else "from today (it had no due date)"
    return f"{direction} task {label(task)} by {span}, {since} to {day(task['due_date'], today)}."


def _one_task(intent: i.Intent, ref: i.TaskRef, s: Situation) -> Output:
    resolved = _resolve(ref, s)
    if isinstance(resolved, list):
        return resolved
    task_id, found = resolved
    if isinstance(intent, i.Progress | i.AboutTask):
        task = _read(task_id, s)
        if isinstance(task, list):
            return task
        if isinstance(intent, i.Progress):
            return say(progress(task, intent.kind, s.today))
        return say(options(task, intent.verb, s.today))
    if isinstance(intent, i.ShiftDueDate | i.ShiftPriority):
        task = found if found is not None else _read(task_id, s)
        if isinstance(task, list):
            return task
        absolute = _shifted(intent, task, s)
        if isinstance(absolute, str):
            return say(absolute)
        action = calls.change(absolute, task_id)
        assert action is not None
        name = "set_priority" if isinstance(intent, i.ShiftPriority) else "set_due_date"
        changed = s.first(name)
        return [action] if changed is None else say(_shift_reply(intent, task, changed, s.today))
    action = calls.change(intent, task_id)
    assert action is not None
    done = [r for r in s.results if r.name != "find_tasks"]
    return [action] if not done else say("\n".join(one(r, s.today) for r in done))


def step(s: Situation) -> Output:
    """The next tool calls for ``s.intent``, or the reply."""
    intent = s.intent
    ref: i.TaskRef | None = getattr(intent, "ref", None)
    if ref is not None:
        return _one_task(intent, ref, s)
    if isinstance(intent, i.CreateTasks):
        return calls.create(intent.tasks) if not s.results else say(_replies(s))
    if isinstance(intent, i.UpdateTasks | i.DeleteTasks):
        return bulk_step(intent, s.results, s.today)
    if isinstance(intent, i.ListTasks):
        return list_step(intent, s.results, s.today)
    if isinstance(intent, i.MoreResults):
        return more_step(s.history, s.results, s.today)
    if (action := calls.find(intent)) is not None:
        return [action] if not s.results else say(_replies(s))
    return say(UNKNOWN)


def _replies(s: Situation) -> str:
    return "\n".join(one(r, s.today) for r in s.results)
