"""The offline model's replies, written from the tools' outputs."""

from typing import Any

from taskservice.agent.offline.conversation import ToolResult

HELP = (
    "I understand a fixed set of requests about your tasks. Try:\n"
    "- create: 'add a task to buy milk', 'create task: write report, priority high, due "
    "friday, tagged #work', 'add tasks: a; b; c'\n"
    "- change: 'mark task 3 as done', 'start task 4', 'set priority of task 4 to urgent', "
    "'move task 7 to next monday', 'rename task 2 to call the bank', 'tag task 2 with "
    "#home', 'delete task 9'\n"
    "- find: 'list my tasks', 'show open tasks', 'what is overdue?', 'what is due this "
    "week?', 'search for invoice', 'show task 3', 'how many tasks are done?', 'give me a "
    "status summary'"
)

_STATUS_WORDS = {
    "todo": "to do",
    "in_progress": "in progress",
    "blocked": "blocked",
    "done": "done",
}


def describe(task: dict[str, Any]) -> str:
    parts = [_STATUS_WORDS.get(task["status"], task["status"]), f"{task['priority']} priority"]
    if task.get("due_date"):
        parts.append(f"due {task['due_date']}")
    if task.get("tags"):
        parts.append(" ".join(f"#{t}" for t in task["tags"]))
    return f"#{task['id']} {task['title']!r} ({', '.join(parts)})"


def _bullets(tasks: list[dict[str, Any]]) -> str:
    return "\n".join(f"- {describe(t)}" for t in tasks)


def _one(result: ToolResult) -> str:
    out = result.output
    if not isinstance(out, dict):
        return f"{result.name} did not run: {out}"
    if "error" in out:
        return f"I couldn't do that: {str(out['error']).rstrip('.')}."
    if "created" in out:
        return f"Created task {describe(out['created'])}."
    if "deleted" in out:
        task = out["deleted"]
        return f"Deleted task #{task['id']} {task['title']!r}."
    if "updated" in out:
        return _updated(result.name, out["updated"])
    if "task" in out:
        task = out["task"]
        text = f"Task {describe(task)}."
        if task.get("description"):
            text += f"\n{task['description']}"
        return text
    if "tasks" in out:
        return _listing(out)
    if "count" in out:
        return f"You have {out['count']} task(s) with status {out['status']}."
    if "counts" in out and "overdue" in out:
        return _summary(out)
    if "counts" in out:
        counts = ", ".join(f"{n} {_STATUS_WORDS[s]}" for s, n in out["counts"].items())
        return f"You have {out['total']} task(s): {counts}."
    if "matches" in out:
        return _listing({"tasks": out["matches"], "total": len(out["matches"]), "more": False})
    return str(out)


def _updated(tool: str, task: dict[str, Any]) -> str:
    ref = f"task #{task['id']} {task['title']!r}"
    if tool == "set_status":
        return f"Marked {ref} as {_STATUS_WORDS[task['status']]}."
    if tool == "set_priority":
        return f"Set the priority of {ref} to {task['priority']}."
    if tool == "set_due_date":
        due = task.get("due_date")
        return f"{ref.capitalize()} is now due {due}." if due else f"Removed the due date of {ref}."
    if tool == "rename_task":
        return f"Renamed task #{task['id']} to {task['title']!r}."
    if tool == "add_tags":
        return f"Tagged {ref}: {' '.join('#' + t for t in task['tags'])}."
    return f"Updated {describe(task)}."


def _listing(out: dict[str, Any]) -> str:
    tasks = out["tasks"]
    if not tasks:
        return "No tasks match."
    more = out["total"] - len(tasks)
    at_least = "" if out.get("total_exact", True) else "at least "  # a bounded count
    head = f"{at_least}{out['total']} task(s):" if out["total"] != 1 else "1 task:"
    tail = f"\n...and {at_least}{more} more." if more > 0 else ""
    return f"{head}\n{_bullets(tasks)}{tail}"


def _summary(out: dict[str, Any]) -> str:
    counts = out["counts"]
    open_count = out["total"] - counts.get("done", 0)
    text = (
        f"You have {out['total']} task(s): {open_count} open "
        f"({counts.get('todo', 0)} to do, {counts.get('in_progress', 0)} in progress, "
        f"{counts.get('blocked', 0)} blocked) and {counts.get('done', 0)} done. "
        f"{out['overdue']} overdue; {out['due_next_7_days']} due in the next 7 days."
    )
    if out["next_due"]:
        text += f"\nNext due:\n{_bullets(out['next_due'])}"
    return text


def reply_for(results: list[ToolResult]) -> str:
    return "\n".join(_one(result) for result in results)


def ambiguous(title: str, matches: list[dict[str, Any]]) -> str:
    options = ", ".join(f"#{t['id']} {t['title']!r}" for t in matches)
    return f"Several tasks match {title!r}: {options}. Which one? Answer with its id."


def not_found(title: str) -> str:
    return f"I couldn't find a task titled {title!r}."
