"""The agent's today is the user's: "tomorrow", "overdue" and the instructions' date
follow the user's time zone, on the service's clock (fixed here)."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from agents import RunContextWrapper

from taskservice.agent.context import AgentContext
from taskservice.agent.instructions import with_context
from taskservice.agent.planner import planner
from taskservice.tasks.calendar import Clock
from tests.agent.helpers import ask, calls
from tests.conftest import Users

# 2026-12-02 07:30 UTC: 23:30 on Tuesday 1 December in Los Angeles, 16:30 on Wednesday
# 2 December in Tokyo, 21:30 on the 2nd in Kiritimati (UTC+14), 20:30 on the 1st in
# Pago Pago (UTC-11).
NOW = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return lambda: NOW


@pytest.mark.parametrize(
    ("zone", "tomorrow"),
    [
        ("America/Los_Angeles", "2026-12-02"),
        ("Pacific/Pago_Pago", "2026-12-02"),
        ("UTC", "2026-12-03"),
        ("Asia/Tokyo", "2026-12-03"),
        ("Pacific/Kiritimati", "2026-12-03"),
    ],
)
async def test_tomorrow_is_the_users_tomorrow(users: Users, zone: str, tomorrow: str) -> None:
    user = await users.create("carol", zone)

    reply = await ask(user, "add a task to call the bank tomorrow")

    assert [(name, args["title"], args["due_date"]) for name, args in calls(reply)] == [
        ("create_task", "call the bank", tomorrow)
    ]
    [task] = (await user.client.get("/tasks")).json()["items"]
    assert task["due_date"] == tomorrow


async def test_overdue_is_counted_from_the_users_today(users: Users) -> None:
    """At 23:30 on the 1st in Los Angeles, a task due on the 1st is not late yet; in
    Tokyo, where it is the 2nd, it is."""
    results = {}
    for zone in ("America/Los_Angeles", "Asia/Tokyo"):
        user = await users.create(zone.replace("/", "_"), zone)
        await user.client.post("/tasks", json={"title": "pay rent", "due_date": "2026-12-01"})
        reply = await ask(user, "what is overdue?")
        results[zone] = [t["title"] for t in reply["tool_calls"][0]["output"]["tasks"]]

    assert results == {"America/Los_Angeles": [], "Asia/Tokyo": ["pay rent"]}


def test_the_instructions_give_the_users_date_and_zone() -> None:
    context = AgentContext(
        user_id=1,
        session_id="s",
        run_id="r",
        today=date(2026, 12, 2),
        tool_calls=_NoToolCalls(),
        timezone="Asia/Tokyo",
    )

    instructions = with_context("Base.")(RunContextWrapper(context), planner)

    assert instructions.splitlines()[-1] == (
        "Today is 2026-12-02, Wednesday (time zone Asia/Tokyo)."
    )


class _NoToolCalls:
    async def execute(self, tool: Any, work: Any) -> str:
        raise AssertionError("no tool call here")

    async def read(self, work: Any) -> Any:
        raise AssertionError("no read here")
