"""What the offline model understood a user message to ask for.

The grammar (``grammar.parse``) turns one message into exactly one of these;
the offline model (``model.py``) turns an intent into the tool calls the agent
it is playing would make. A task is named by id, by quoted title, or by a
pronoun ("it", "this") that the model resolves from the conversation.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

StatusName = Literal["todo", "in_progress", "blocked", "done"]
PriorityName = Literal["low", "medium", "high", "urgent"]


@dataclass(frozen=True)
class TaskRef:
    """Exactly one of ``id``, ``title`` is set, or ``pronoun`` is True ("it", "this")."""

    id: int | None = None
    title: str | None = None
    pronoun: bool = False


# --- create (the planner) ---------------------------------------------------


@dataclass(frozen=True)
class NewTask:
    title: str
    priority: PriorityName | None = None
    due_date: date | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CreateTasks:
    tasks: tuple[NewTask, ...]


# --- change (the editor) ------------------------------------------------------


@dataclass(frozen=True)
class SetStatus:
    ref: TaskRef
    status: StatusName


@dataclass(frozen=True)
class SetPriority:
    ref: TaskRef
    priority: PriorityName


@dataclass(frozen=True)
class SetDueDate:
    ref: TaskRef
    due_date: date | None  # None clears it ("remove the due date of task 3")


@dataclass(frozen=True)
class Rename:
    ref: TaskRef
    title: str


@dataclass(frozen=True)
class AddTags:
    ref: TaskRef
    tags: tuple[str, ...]


@dataclass(frozen=True)
class DeleteTask:
    ref: TaskRef


# --- find (the reporter) -----------------------------------------------------


@dataclass(frozen=True)
class ListTasks:
    """A filtered list. ``open_only`` means status in todo/in_progress/blocked.
    ``due_from``/``due_to`` are inclusive."""

    statuses: tuple[StatusName, ...] = ()
    priorities: tuple[PriorityName, ...] = ()
    tag: str | None = None
    query: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue: bool = False
    open_only: bool = False


@dataclass(frozen=True)
class ShowTask:
    ref: TaskRef


@dataclass(frozen=True)
class CountTasks:
    status: StatusName | None = None  # None: count by every status


@dataclass(frozen=True)
class Summary:
    pass


# --- conversation ----------------------------------------------------------


@dataclass(frozen=True)
class ChooseTask:
    """A bare answer to "which one?": "7", "#7", "task 7", "the one with id 7"."""

    id: int


@dataclass(frozen=True)
class Unknown:
    """Anything outside the grammar: the model answers with what it can do."""

    text: str = field(default="")


Intent = (
    CreateTasks
    | SetStatus
    | SetPriority
    | SetDueDate
    | Rename
    | AddTags
    | DeleteTask
    | ListTasks
    | ShowTask
    | CountTasks
    | Summary
    | ChooseTask
    | Unknown
)

CREATE_INTENTS = (CreateTasks,)
CHANGE_INTENTS = (SetStatus, SetPriority, SetDueDate, Rename, AddTags, DeleteTask)
FIND_INTENTS = (ListTasks, ShowTask, CountTasks, Summary)
