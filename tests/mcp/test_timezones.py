"""The MCP tools count from the caller's today, the date in their time zone: the
``summary`` and the ``overdue`` filter of ``list_tasks``, either side of UTC.

At the fixed instant 2026-12-01 10:30 UTC it is 2026-12-02 in Pacific/Kiritimati and
2026-11-30 in Pacific/Pago_Pago.
"""

from datetime import UTC, datetime

import pytest

from taskservice.tasks.calendar import Clock
from tests.conftest import Users
from tests.mcp.conftest import Connect, structured, text

NOW = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return lambda: NOW


@pytest.mark.parametrize(
    ("zone", "today", "overdue", "due_soon"),
    [
        ("Pacific/Kiritimati", "2026-12-02", 2, 1),
        ("UTC", "2026-12-01", 1, 2),
        ("Pacific/Pago_Pago", "2026-11-30", 0, 3),
    ],
)
async def test_summary_and_overdue_count_from_the_callers_today(
    connect: Connect, users: Users, zone: str, today: str, overdue: int, due_soon: int
) -> None:
    user = await users.create("carol", zone)
    for due in ("2026-11-30", "2026-12-01", "2026-12-02"):
        await user.client.post("/tasks", json={"title": f"due {due}", "due_date": due})

    async with connect(user.key) as client:
        summary = await client.call_tool("summary", {})
        late = await client.call_tool("list_tasks", {"overdue": True})

    assert {k: structured(summary)[k] for k in ("today", "timezone", "overdue", "due_soon")} == {
        "today": today,
        "timezone": zone,
        "overdue": overdue,
        "due_soon": due_soon,
    }
    assert text(summary).splitlines()[0].endswith(f"(from {today}, {zone}).")
    assert structured(late)["total"] == overdue
