"""What a client may ask of a task listing: filters, sort, page size and cursor.

One model, so that every door that lists tasks (``GET /tasks``, the MCP ``list_tasks``
tool) accepts exactly the same values with the same limits and the same messages.
"""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from taskservice.tasks.listing import DEFAULT_SORT, SORT_PATTERN, SortOrder, TaskFilters
from taskservice.tasks.models import Priority, Status
from taskservice.tasks.schemas import NO_NUL_PATTERN, TAG_MAX, IsoDate

PAGE_MAX = 100
PAGE_DEFAULT = 20


class TaskQuery(BaseModel):
    """Which of your tasks to list, in what order, one page at a time."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": ["todo", "in_progress"], "sort": "due_date"}]}
    )

    status: list[Status] | None = Field(
        default=None, description="Only tasks with one of these statuses."
    )
    priority: list[Priority] | None = Field(
        default=None, description="Only tasks with one of these priorities."
    )
    tag: str | None = Field(
        default=None,
        min_length=1,
        max_length=TAG_MAX,
        pattern=NO_NUL_PATTERN,
        description="Only tasks with this tag (compared lower-cased).",
    )
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=NO_NUL_PATTERN,
        description="Case-insensitive text to find in the title or description.",
    )
    due_before: Annotated[
        IsoDate | None,
        Field(description="Only tasks due strictly before this date (YYYY-MM-DD)."),
    ] = None
    due_after: Annotated[
        IsoDate | None,
        Field(description="Only tasks due strictly after this date (YYYY-MM-DD)."),
    ] = None
    overdue: bool | None = Field(
        default=None,
        description="true: due before today (your today: the date in your time zone) "
        "and not done; false: the others.",
    )
    sort: str = Field(
        default=DEFAULT_SORT,
        max_length=200,
        description="Comma-separated fields of created_at, updated_at, due_date, "
        "priority (by rank, urgent highest), title; prefix '-' for descending. "
        "Tasks without a due date come last either way. Unknown fields are 400.",
        json_schema_extra={"pattern": SORT_PATTERN},
    )
    limit: int = Field(default=PAGE_DEFAULT, ge=1, le=PAGE_MAX, description="Page size.")
    cursor: str | None = Field(
        default=None,
        min_length=1,
        max_length=4096,
        description="`next_cursor` from the previous page, with the same filters and sort "
        "(a cursor is valid only for the user and the query it was issued for).",
    )

    def filters(self, today: date) -> TaskFilters:
        """The filters, ``overdue`` counted from ``today`` (the user's today)."""
        return TaskFilters(
            statuses=self.status or (),
            priorities=self.priority or (),
            tag=self.tag,
            q=self.q,
            due_before=self.due_before,
            due_after=self.due_after,
            overdue=self.overdue,
            today=today,
        )

    def order(self) -> SortOrder:
        """The sort, exactly as :data:`SORT_PATTERN` allows, else ``InvalidSort`` (400)."""
        return SortOrder.parse_strict(self.sort)
