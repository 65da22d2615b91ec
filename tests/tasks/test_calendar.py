"""The user's today: the date in their time zone, on the service's clock. The REST
``overdue`` filter counts from it, either side of UTC.

The clock is fixed (the ``clock`` fixture): at 2026-12-01 10:30 UTC it is already
2026-12-02 00:30 in Pacific/Kiritimati (UTC+14) and still 2026-11-30 23:30 in
Pacific/Pago_Pago (UTC-11).
"""

from datetime import UTC, date, datetime

import pytest

from taskservice.tasks.calendar import Clock, UnknownTimezone, checked_timezone, today_for
from tests.conftest import Users

NOW = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
DUE = ["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"]


@pytest.fixture
def clock() -> Clock:
    return lambda: NOW


class TestTodayFor:
    @pytest.mark.parametrize(
        ("zone", "now", "today"),
        [
            ("UTC", NOW, date(2026, 12, 1)),
            ("Pacific/Kiritimati", NOW, date(2026, 12, 2)),
            ("Pacific/Pago_Pago", NOW, date(2026, 11, 30)),
            # 23:30 in Tokyo is 14:30 UTC the same day; 00:30 the next day is 15:30 UTC.
            ("Asia/Tokyo", datetime(2026, 12, 1, 14, 30, tzinfo=UTC), date(2026, 12, 1)),
            ("Asia/Tokyo", datetime(2026, 12, 1, 15, 30, tzinfo=UTC), date(2026, 12, 2)),
            # 23:30 in Los Angeles (UTC-8 in December) is 07:30 UTC the next day.
            ("America/Los_Angeles", datetime(2026, 12, 2, 7, 30, tzinfo=UTC), date(2026, 12, 1)),
            # Daylight saving time: UTC-7 in July.
            ("America/Los_Angeles", datetime(2026, 7, 2, 6, 30, tzinfo=UTC), date(2026, 7, 1)),
            ("America/Los_Angeles", datetime(2026, 7, 2, 7, 30, tzinfo=UTC), date(2026, 7, 2)),
        ],
    )
    def test_the_date_there(self, zone: str, now: datetime, today: date) -> None:
        assert today_for(zone, now) == today


class TestCheckedTimezone:
    @pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "Asia/Tokyo", "Etc/GMT+5"])
    def test_iana_names_are_accepted(self, zone: str) -> None:
        assert checked_timezone(zone) == zone

    @pytest.mark.parametrize(
        "zone", ["Mars/Olympus_Mons", "asia/tokyo", "", "../../etc/passwd", "UTC ", "+09:00"]
    )
    def test_anything_else_is_refused(self, zone: str) -> None:
        with pytest.raises(UnknownTimezone) as refused:
            checked_timezone(zone)
        assert refused.value.detail == (
            f"Unknown time zone {zone!r}: use an IANA name such as Europe/Paris, "
            "America/New_York or UTC."
        )


class TestOverdueFilter:
    @pytest.mark.parametrize(
        ("zone", "overdue"),
        [
            ("Pacific/Kiritimati", ["2026-11-29", "2026-11-30", "2026-12-01"]),
            ("UTC", ["2026-11-29", "2026-11-30"]),
            ("Pacific/Pago_Pago", ["2026-11-29"]),
        ],
    )
    async def test_counts_from_the_users_today(
        self, users: Users, zone: str, overdue: list[str]
    ) -> None:
        user = await users.create("carol", zone)
        for due in DUE:
            await user.client.post("/tasks", json={"title": f"due {due}", "due_date": due})
        done = {"title": "done", "due_date": DUE[0], "status": "done"}
        await user.client.post("/tasks", json=done)

        late = await user.client.get("/tasks", params={"overdue": "true", "sort": "due_date"})
        others = await user.client.get("/tasks", params={"overdue": "false", "sort": "due_date"})

        assert [t["due_date"] for t in late.json()["items"]] == overdue
        assert [t["title"] for t in others.json()["items"]] == [
            "done",
            *(f"due {due}" for due in DUE if due not in overdue),
        ]

    async def test_two_users_see_their_own_today_at_the_same_instant(self, users: Users) -> None:
        east = await users.create("east", "Pacific/Kiritimati")
        west = await users.create("west", "Pacific/Pago_Pago")
        for user in (east, west):
            await user.client.post("/tasks", json={"title": "x", "due_date": "2026-12-01"})

        east_late = await east.client.get("/tasks", params={"overdue": "true"})
        west_late = await west.client.get("/tasks", params={"overdue": "true"})

        assert (east_late.json()["total"], west_late.json()["total"]) == (1, 0)
