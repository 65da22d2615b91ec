"""The tool calls a specialist makes for an intent, with every argument the tool takes."""

from datetime import date
from typing import Any

from agents.items import TResponseOutputItem

from taskservice.agent.offline import intents as i
from taskservice.agent.offline.streaming import function_call
from taskservice.agent.tools.common import to_json

BULK_PAGE = 50


def call(name: str, **arguments: Any) -> TResponseOutputItem:
    return function_call(name, to_json(arguments))


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def list_arguments(found: i.ListTasks, **extra: Any) -> dict[str, Any]:
    return {
        "status": list(found.statuses) or None,
        "priority": list(found.priorities) or None,
        "tag": found.tag,
        "query": found.query,
        "due_from": iso(found.due_from),
        "due_to": iso(found.due_to),
        "overdue": found.overdue or None,
        "open_only": found.open_only or None,
        "sort": found.sort,
        "limit": None,
        "cursor": None,
        **extra,
    }


def create(tasks: tuple[i.NewTask, ...]) -> list[TResponseOutputItem]:
    return [
        call(
            "create_task",
            title=t.title,
            description=None,
            priority=t.priority,
            due_date=iso(t.due_date),
            tags=list(t.tags) or None,
        )
        for t in tasks
    ]


def change(intent: i.Intent, task_id: int) -> TResponseOutputItem | None:
    """The one call that changes, shows or deletes the task ``intent`` names."""
    match intent:
        case i.SetStatus(status=status):
            return call("set_status", task_id=task_id, status=status)
        case i.SetPriority(priority=priority):
            return call("set_priority", task_id=task_id, priority=priority)
        case i.SetDueDate(due_date=None):
            return call("clear_due_date", task_id=task_id)
        case i.SetDueDate(due_date=due):
            return call("set_due_date", task_id=task_id, due_date=iso(due))
        case i.Rename(title=title):
            return call("rename_task", task_id=task_id, title=title)
        case i.AddTags(tags=tags):
            return call("add_tags", task_id=task_id, tags=list(tags))
        case i.RemoveTags(tags=tags):
            return call("remove_tags", task_id=task_id, tags=list(tags))
        case i.SetDescription(description=description):
            return call("set_description", task_id=task_id, description=description)
        case i.DeleteTask():
            return call("delete_task", task_id=task_id)
        case i.ShowTask():
            return call("show_task", task_id=task_id)
    return None


def find(intent: i.Intent) -> TResponseOutputItem | None:
    """The one call that answers a find intent naming no task."""
    match intent:
        case i.CountTasks(status=status):
            return call("count_tasks", status=status)
        case i.Summary():
            return call("status_summary")
        case i.NextTasks(limit=limit):
            return call("next_tasks", limit=limit)
        case i.ListTasks() as found:
            return call("list_tasks", **list_arguments(found))
        case i.Undo():
            return call("undo_last_change")
    return None


def bulk(intent: i.UpdateTasks | i.DeleteTasks, ids: list[int]) -> TResponseOutputItem:
    if isinstance(intent, i.DeleteTasks):
        return call("delete_tasks", task_ids=ids)
    return call(
        "update_tasks",
        task_ids=ids,
        status=intent.status,
        priority=intent.priority,
        due_date=iso(intent.due_date),
    )
