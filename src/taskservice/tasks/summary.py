"""A short summary of one user's tasks: counts by status, overdue, and what is due soon.

"Today" is the UTC date, as everywhere in the service (``overdue`` filters use it too).
"""

from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, Field

from taskservice.tasks.listing import SortOrder, TaskFilters
from taskservice.tasks.models import Status
from taskservice.tasks.repository import TaskRepository
from taskservice.tasks.schemas import EXACT_TOTAL_MAX, TaskRead

OPEN_STATUSES = (Status.todo, Status.in_progress, Status.blocked)
SOON_DAYS = 7
NEXT_DUE_SHOWN = 3


class TaskSummary(BaseModel):
    today: date = Field(description="The date the summary counts from (UTC).")
    total: int = Field(description="All your tasks.")
    counts: dict[Status, int] = Field(description="How many tasks have each status.")
    overdue: int = Field(description="Not done, and due before today.")
    due_soon: int = Field(
        description=f"Not done, and due today or in the {SOON_DAYS - 1} days after it "
        f"(counted up to {EXACT_TOTAL_MAX:,}, as a list's total)."
    )
    next_due: list[TaskRead] = Field(
        description=f"Up to {NEXT_DUE_SHOWN} of those, soonest (then most urgent) first."
    )


def today_utc() -> date:
    return datetime.now(UTC).date()


async def summarize(tasks: TaskRepository, today: date) -> TaskSummary:
    counts = await tasks.count_by_status()
    soon = await tasks.list_tasks(
        TaskFilters(
            statuses=OPEN_STATUSES,
            due_after=today - timedelta(days=1),
            due_before=today + timedelta(days=SOON_DAYS),
            today=today,
        ),
        SortOrder.parse("due_date,-priority"),
        limit=NEXT_DUE_SHOWN,
    )
    return TaskSummary(
        today=today,
        total=sum(counts.values()),
        counts=counts,
        overdue=await tasks.count_overdue(today),
        due_soon=soon.total,
        next_due=soon.items,
    )
