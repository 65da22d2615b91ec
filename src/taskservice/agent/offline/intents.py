"""What the offline model understood a user message to ask for.

The grammar (``grammar.parse``) turns one message into exactly one of these;
the offline model (``model.py``) turns an intent into the tool calls the agent
it is playing would make. A task is named by id, by title (quoted, or unquoted:
then ``loose``, matched by its distinctive words), or by a pronoun ("it",
"this", "its") that the model resolves from the conversation.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

StatusName = Literal["todo", "in_progress", "blocked", "done"]
PriorityName = Literal["low", "medium", "high", "urgent"]
ProgressKind = Literal["finish", "left", "breakdown"]
TalkKind = Literal["greeting", "thanks", "ok", "help"]


@dataclass(frozen=True)
class TaskRef:
    """Exactly one of ``id``, ``title`` is set, or ``pronoun`` is True ("it", "this").
    ``loose``: the title was typed without quotes ("mark buy milk as done")."""

    id: int | None = None
    title: str | None = None
    pronoun: bool = False
    loose: bool = False


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
class ShiftPriority:
    """ "bump X" (``steps`` 1), "lower the priority of X" (-1): from its current priority."""

    ref: TaskRef
    steps: int


@dataclass(frozen=True)
class SetDueDate:
    ref: TaskRef
    due_date: date | None  # None clears it ("remove the due date of task 3")


@dataclass(frozen=True)
class ShiftDueDate:
    """ "push X by 3 days": from the task's due date, or from today if it has none."""

    ref: TaskRef
    days: int


@dataclass(frozen=True)
class Rename:
    ref: TaskRef
    title: str


@dataclass(frozen=True)
class AddTags:
    ref: TaskRef
    tags: tuple[str, ...]


@dataclass(frozen=True)
class RemoveTags:
    ref: TaskRef
    tags: tuple[str, ...]


@dataclass(frozen=True)
class SetDescription:
    ref: TaskRef
    description: str | None  # None clears it


@dataclass(frozen=True)
class DeleteTask:
    ref: TaskRef


@dataclass(frozen=True)
class ListTasks:
    """A filtered list. ``open_only`` means status in todo/in_progress/blocked.
    ``due_from``/``due_to`` are inclusive; ``sort`` is a list_tasks sort ("-priority")."""

    statuses: tuple[StatusName, ...] = ()
    priorities: tuple[PriorityName, ...] = ()
    tag: str | None = None
    query: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue: bool = False
    open_only: bool = False
    sort: str | None = None


@dataclass(frozen=True)
class UpdateTasks:
    """One change to several tasks: those listed by id, or those ``selection`` finds."""

    ids: tuple[int, ...] = ()
    selection: ListTasks | None = None
    status: StatusName | None = None
    priority: PriorityName | None = None
    due_date: date | None = None


@dataclass(frozen=True)
class DeleteTasks:
    """Several tasks deleted with one approval: by id, or those ``selection`` finds."""

    ids: tuple[int, ...] = ()
    selection: ListTasks | None = None


@dataclass(frozen=True)
class Undo:
    """Revert the last change this conversation made."""


# --- find (the reporter) -----------------------------------------------------


@dataclass(frozen=True)
class ShowTask:
    ref: TaskRef


@dataclass(frozen=True)
class CountTasks:
    status: StatusName | None = None  # None: count by every status


@dataclass(frozen=True)
class Summary:
    pass


@dataclass(frozen=True)
class NextTasks:
    """Open tasks ranked by priority, then due date."""

    limit: int = 5


@dataclass(frozen=True)
class MoreResults:
    """ "show more": the next page of the conversation's last list."""


@dataclass(frozen=True)
class Progress:
    """A task-focused question ("help me finish this", "what's left?", "break it down")."""

    ref: TaskRef
    kind: ProgressKind


@dataclass(frozen=True)
class AboutTask:
    """A task named with a verb the grammar does not know: change nothing, say what can be
    done for that task."""

    ref: TaskRef
    verb: str


# --- conversation ----------------------------------------------------------


@dataclass(frozen=True)
class ChooseTask:
    """A bare answer to "which one?": "7", "#7", "task 7", "the one with id 7"."""

    id: int


@dataclass(frozen=True)
class SmallTalk:
    """Greetings, thanks, an "ok", "help", "what can you do?"."""

    kind: TalkKind


@dataclass(frozen=True)
class Clarify:
    """A request the grammar recognises but will not guess at; ``question`` asks or explains."""

    question: str


@dataclass(frozen=True)
class Unknown:
    """Anything outside the grammar: the model answers with what it can do."""

    text: str = field(default="")


Intent = (
    CreateTasks
    | SetStatus
    | SetPriority
    | ShiftPriority
    | SetDueDate
    | ShiftDueDate
    | Rename
    | AddTags
    | RemoveTags
    | SetDescription
    | DeleteTask
    | UpdateTasks
    | DeleteTasks
    | Undo
    | ListTasks
    | ShowTask
    | CountTasks
    | Summary
    | NextTasks
    | MoreResults
    | Progress
    | AboutTask
    | ChooseTask
    | SmallTalk
    | Clarify
    | Unknown
)

CREATE_INTENTS = (CreateTasks,)
CHANGE_INTENTS = (
    SetStatus,
    SetPriority,
    ShiftPriority,
    SetDueDate,
    ShiftDueDate,
    Rename,
    AddTags,
    RemoveTags,
    SetDescription,
    DeleteTask,
    UpdateTasks,
    DeleteTasks,
    Undo,
)
FIND_INTENTS = (
    ListTasks,
    ShowTask,
    CountTasks,
    Summary,
    NextTasks,
    MoreResults,
    Progress,
    AboutTask,
)
DESTRUCTIVE_INTENTS = (DeleteTask, DeleteTasks)
