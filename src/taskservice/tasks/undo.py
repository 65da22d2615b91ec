"""Undoing the last change an agent conversation made, from the history the repository
records (see ``events``).

One change is what one tool call wrote: its events share a ``change_id``. The last
change of a conversation is its newest change that is neither an undo nor undone
already, so undoing again reverts the change before, until none is left.

Each task of the change is reverted as its event says, all or nothing:
- a task it created is deleted (the agent asks the user's approval for that first);
- a task it changed gets its previous values back (``completed_at`` included);
- a task it deleted is restored, with its id, values and creation time.

Safe against edits made since: a task is reverted only if every event after the
change's own is this conversation's undoing of a later change of its own, and the task
is still at the version the last of those events recorded (an If-Match). Otherwise
nothing is undone and the error says which task changed and by whom.
"""

from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from taskservice.db import utcnow
from taskservice.errors import Conflict, NotFound
from taskservice.tasks.errors import TaskNotFound
from taskservice.tasks.events import TaskEvent
from taskservice.tasks.models import Priority, Status, Task
from taskservice.tasks.repository import TaskRepository


class NothingToUndo(NotFound):
    slug = "nothing-to-undo"


class CannotUndo(Conflict):
    slug = "cannot-undo"


@dataclass(frozen=True)
class Change:
    id: str
    events: tuple[TaskEvent, ...]

    @property
    def creates(self) -> list[TaskEvent]:
        """The events of tasks it created: undoing it deletes them."""
        return [event for event in self.events if event.action == "created"]


@dataclass
class Undone:
    change: Change
    reverted: list[Task] = field(default_factory=list)
    restored: list[Task] = field(default_factory=list)
    deleted: list[Task] = field(default_factory=list)


async def last_change(tasks: TaskRepository) -> Change | None:
    """The change :func:`undo_last_change` would revert now, if any."""
    session_id = tasks.actor.session_id
    if session_id is None:
        return None
    mine = (
        col(TaskEvent.owner_id) == tasks.owner_id,
        col(TaskEvent.session_id) == session_id,
    )
    undone = select(col(TaskEvent.undoes)).where(*mine, col(TaskEvent.undoes).is_not(None))
    latest = (
        select(col(TaskEvent.change_id))
        .where(
            *mine,
            col(TaskEvent.change_id).is_not(None),
            col(TaskEvent.undoes).is_(None),
            col(TaskEvent.change_id).not_in(undone),
        )
        .order_by(col(TaskEvent.id).desc())
        .limit(1)
    )
    change_id = await tasks.session.scalar(latest)
    if change_id is None:
        return None
    events = await tasks.session.execute(
        select(TaskEvent)
        .where(*mine, col(TaskEvent.change_id) == change_id)
        .order_by(col(TaskEvent.id))
    )
    return Change(change_id, tuple(events.scalars()))


async def undo_last_change(tasks: TaskRepository) -> Undone:
    """Revert the last change of the conversation ``tasks`` acts in (its actor's
    session), recording the undo as a change of its own that names the one it undoes."""
    await tasks.begin_writing()
    change = await last_change(tasks)
    if change is None:
        raise NothingToUndo("There is nothing left to undo in this conversation.")
    current = await _lock(tasks, change)
    again = await last_change(tasks)
    if again is None or again.id != change.id:  # another undo got there while we waited
        raise NothingToUndo("That change has just been undone; nothing more was changed.")
    undone_ids = await _undone_ids(tasks)
    expected = {e.task_id: await _expected_version(tasks, e, undone_ids) for e in change.events}
    for event in change.events:
        task = current.get(event.task_id)
        if event.action == "deleted" and task is not None:
            raise CannotUndo(f"Task #{event.task_id} exists again; nothing was undone.")
        if event.action != "deleted" and (task is None or task.version != expected[event.task_id]):
            raise CannotUndo(
                f"Task #{event.task_id} was changed since; undoing would overwrite that, "
                "so nothing was undone."
            )
    undoing = TaskRepository(tasks.session, tasks.owner_id, replace(tasks.actor, undoes=change.id))
    undone = Undone(change)
    for event in change.events:
        old = {name: _typed(name, values.get("old")) for name, values in event.changes.items()}
        versions = {expected[event.task_id] or 0}
        if event.action == "created":
            undone.deleted.append(await undoing.delete(event.task_id, if_versions=versions))
        elif event.action == "updated":
            undone.reverted.append(await undoing.revert(event.task_id, old, if_versions=versions))
        else:
            created_at = await _created_at(tasks, event.task_id)
            undone.restored.append(
                await undoing.restore(
                    event.task_id, old, version=event.version or 0, created_at=created_at
                )
            )
    return undone


async def _lock(tasks: TaskRepository, change: Change) -> dict[int, Task]:
    """The change's tasks that exist now, locked until the undo commits."""
    current: dict[int, Task] = {}
    for task_id in sorted({event.task_id for event in change.events}):
        with suppress(TaskNotFound):
            current[task_id] = await tasks.get(task_id, for_update=True)
    return current


async def _undone_ids(tasks: TaskRepository) -> set[str]:
    """The changes this conversation has undone."""
    rows = await tasks.session.scalars(
        select(col(TaskEvent.undoes)).where(
            col(TaskEvent.owner_id) == tasks.owner_id,
            col(TaskEvent.session_id) == tasks.actor.session_id,
            col(TaskEvent.undoes).is_not(None),
        )
    )
    return {undone for undone in rows if undone is not None}


async def _expected_version(
    tasks: TaskRepository, event: TaskEvent, undone_ids: set[str]
) -> int | None:
    """The version the task must still be at for ``event`` to be undone: the one its
    last event recorded, if every event since is this conversation's (an undo, or part
    of a change it undid); else :class:`CannotUndo`, naming who changed it."""
    later = await tasks.session.scalars(
        select(TaskEvent)
        .where(
            col(TaskEvent.owner_id) == tasks.owner_id,
            col(TaskEvent.task_id) == event.task_id,
            col(TaskEvent.id) > event.id,
        )
        .order_by(col(TaskEvent.id))
    )
    version = event.version
    for since in later:
        ours = since.session_id == event.session_id and (
            since.undoes is not None or since.change_id in undone_ids
        )
        if not ours:
            raise CannotUndo(
                f"Task #{event.task_id} was changed since, {_by(since)}; undoing would "
                "overwrite that, so nothing was undone."
            )
        version = since.version
    return version


async def _created_at(tasks: TaskRepository, task_id: int) -> datetime:
    first = await tasks.session.scalar(
        select(TaskEvent)
        .where(col(TaskEvent.owner_id) == tasks.owner_id, col(TaskEvent.task_id) == task_id)
        .order_by(col(TaskEvent.id))
        .limit(1)
    )
    return first.at if first is not None and first.action == "created" else utcnow()


def _by(event: TaskEvent) -> str:
    if event.actor.startswith("agent:"):
        return "in another conversation" if event.session_id else "by an agent"
    if event.actor.startswith("mcp"):
        return "over MCP"
    return "through the API"


def _typed(name: str, value: Any) -> Any:
    """A field's value as the history stores it (JSON) back as the task holds it."""
    if value is None:
        return None
    if name == "status":
        return Status(value)
    if name == "priority":
        return Priority(value)
    if name == "due_date":
        return date.fromisoformat(value)
    if name == "completed_at":
        return datetime.fromisoformat(value)
    return value
