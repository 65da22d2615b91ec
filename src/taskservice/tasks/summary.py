"""A short summary of one user's tasks: counts by status, overdue, and what is due soon.

"Today" is the user's today, the date in their time zone (``calendar.py``), as
everywhere in the service (``overdue`` filters use it too).
"""

from datetime import date, timedelta

from pydantic import BaseModel, Field

from taskservice.tasks.listing import DueWindow, SortOrder
from taskservice.tasks.models import OPEN_STATUSES, Status
from taskservice.tasks.repository import TaskRepository
from taskservice.tasks.schemas import EXACT_TOTAL_MAX, TaskRead

SOON_DAYS = 7
NEXT_DUE_SHOWN = 3


class TaskSummary(BaseModel):
    today: date = Field(description="The date the summary counts from: your today.")
    timezone: str = Field(description="Your time zone, where it is that date.")
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


async def summarize(tasks: TaskRepository, today: date, timezone: str) -> TaskSummary:
    """The summary as of ``today``, the date in ``timezone``."""
    counts = await tasks.count_by_status()
    soon = await tasks.list_tasks(
        DueWindow(today, today + timedelta(days=SOON_DAYS - 1)).filters(
            statuses=OPEN_STATUSES, today=today
        ),
        SortOrder.parse("due_date,-priority"),
        limit=NEXT_DUE_SHOWN,
    )
    return TaskSummary(
        today=today,
        timezone=timezone,
        total=sum(counts.values()),
        counts=counts,
        overdue=await tasks.count_overdue(today),
        due_soon=soon.total,
        next_due=soon.items,
    )
