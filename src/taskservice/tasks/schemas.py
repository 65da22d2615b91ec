"""What the API (and the agent's tools) accept and return for tasks.

Constraints are checked exactly as the OpenAPI schema states them, so a value
the schema allows is accepted and one it forbids is rejected: titles may be up
to 200 characters as sent, must contain a character that is neither white space
nor invisible (Unicode Cf), and are stored stripped; tags are lower-cased and
de-duplicated (first occurrence wins).
"""

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    MISSING,
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from taskservice.tasks.models import Priority, Status

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
TAG_MAX = 40
TAGS_MAX = 20

# What Python's str.strip() removes, spelled out so that every regex engine (ECMAScript
# in browsers, Rust in pydantic-core, Python's re) reads the patterns below the same way;
# `\s` means something different in each of them.
WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The invisible format characters (Unicode category Cf: zero-width spaces and joiners,
# direction marks, the soft hyphen, tag characters...), as of Unicode 14 (Python 3.11);
# those outside the BMP are written as themselves, since `\u` takes only four digits.
FORMAT = (
    r"\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
# No text may hold U+0000: PostgreSQL cannot store it.
NO_NUL_PATTERN = r"^[^\x00]*$"
# A title needs one character that shows: neither white space nor a format character.
TITLE_PATTERN = rf"^[^\x00]*[^\x00{WHITESPACE}{FORMAT}][^\x00]*$"
_VISIBLE = re.compile(rf"[^{WHITESPACE}{FORMAT}]")
TAG_PATTERN = rf"^[^\x00{WHITESPACE}#,]+$"


def _strip_title(value: str) -> str:
    if "\x00" in value:
        raise ValueError("title must not contain U+0000")
    if not _VISIBLE.search(value):  # blank once white space and invisible characters go
        raise ValueError("title must not be blank")
    return value.strip()


def normalise_tag(tag: str) -> str:
    """Lower-case a tag, one character at a time: a character whose lower case is longer
    (such as 'İ') stays as it is, so a tag never grows past its 40 characters."""
    return "".join(lower if len(lower := char.lower()) == 1 else char for char in tag)


def _normalise_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(normalise_tag(tag) for tag in tags))


Title = Annotated[
    str,
    Field(
        min_length=1,
        max_length=TITLE_MAX,
        description="1-200 characters, at least one of them visible (not white space, not a "
        "Unicode format character such as U+200B); stored stripped.",
        json_schema_extra={"pattern": TITLE_PATTERN},
        examples=["Write the quarterly report"],
    ),
    AfterValidator(_strip_title),
]
Description = Annotated[
    str,
    Field(
        max_length=DESCRIPTION_MAX,
        pattern=NO_NUL_PATTERN,
        description="Free text, up to 10,000 characters.",
    ),
]
Tag = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TAG_MAX, pattern=TAG_PATTERN),
]
Tags = Annotated[
    list[Tag],
    Field(
        max_length=TAGS_MAX,
        description=(
            "Up to 20 tags of 1-40 characters without spaces, '#' or ','. "
            "Stored lower-cased; duplicates are merged."
        ),
        examples=[["work", "q4"]],
    ),
    AfterValidator(_normalise_tags),
]


def _iso_date(value: Any) -> Any:
    """Accept only ``YYYY-MM-DD`` (or a ``date``): not numbers, not timestamps."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return date.fromisoformat(value)
    raise ValueError("must be a calendar date written YYYY-MM-DD")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A date written exactly ``YYYY-MM-DD``, as the schema's ``format: date`` says."""

DueDate = Annotated[
    IsoDate,
    Field(description="An ISO 8601 calendar date (YYYY-MM-DD).", examples=["2026-12-04"]),
]
TaskStatus = Annotated[
    Status,
    Field(description="todo, in_progress, blocked or done; done sets completed_at."),
]
TaskPriority = Annotated[Priority, Field(description="low, medium, high or urgent.")]


class TaskCreate(BaseModel):
    """A new task. Also the body of ``PUT``: omitted optional fields take their defaults."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Write the quarterly report",
                    "description": "Numbers from finance first.",
                    "status": "todo",
                    "priority": "high",
                    "due_date": "2026-12-04",
                    "tags": ["work", "q4"],
                }
            ]
        },
    )

    title: Title
    description: Description | None = None
    status: TaskStatus = Status.todo
    priority: TaskPriority = Priority.medium
    due_date: DueDate | None = None
    tags: Tags = Field(default_factory=list)


class TaskPatch(BaseModel):
    """JSON merge patch (RFC 7396): only the fields present change; ``null`` clears a
    nullable field (``description``, ``due_date``); an empty object changes nothing."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "done"}, {"due_date": None, "tags": ["home"]}]},
    )

    title: Title | MISSING = MISSING
    description: Description | MISSING | None = MISSING
    status: TaskStatus | MISSING = MISSING
    priority: TaskPriority | MISSING = MISSING
    due_date: DueDate | MISSING | None = MISSING
    tags: Tags | MISSING = MISSING

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with their validated values."""
        return {name: getattr(self, name) for name in self.model_fields_set}

    @classmethod
    def replacing(cls, data: TaskCreate) -> "TaskPatch":
        """Every field, as ``data`` (already validated) has it: a full replacement."""
        values = {name: getattr(data, name) for name in TaskCreate.model_fields}
        return cls.model_construct(_fields_set=set(values), **values)


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str | None
    status: Status
    priority: Priority
    due_date: date | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = Field(
        description="When the task became `done`; null while it is not done."
    )
    version: int = Field(description="Starts at 1 and grows by one with every change.")


# Past this many matches, a list's total is not counted further (see TaskPage.total).
EXACT_TOTAL_MAX = 1_000


class TaskPage(BaseModel):
    items: list[TaskRead]
    total: int = Field(
        description="How many tasks match the filters, across all pages. Exact when the "
        "filters are only `status` and `priority` (however many match), and whenever at "
        f"most {EXACT_TOTAL_MAX:,} tasks match. With any other filter (`tag`, `q`, "
        f"`due_before`, `due_after`, `overdue`), counting stops after {EXACT_TOTAL_MAX:,}: "
        f"then `total` is {EXACT_TOTAL_MAX:,}, a lower bound, and `total_exact` is false."
    )
    total_exact: bool = Field(
        description=f"false when `total` is a lower bound ({EXACT_TOTAL_MAX:,} counted, "
        "more match); true when it is the exact count."
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
