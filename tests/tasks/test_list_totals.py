"""``total`` on a list page: exact from the counters for status and priority; counted no
further than EXACT_TOTAL_MAX for any other filter, and then said to be a lower bound."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlmodel import col

from taskservice.db import DbSessionMaker
from taskservice.tasks import counts
from taskservice.tasks.models import Task, TaskTag
from taskservice.tasks.schemas import EXACT_TOTAL_MAX
from tests.conftest import ApiUser

TODAY = datetime.now(UTC).date()


async def bulk_tasks(db_sessions: DbSessionMaker, owner_id: int, count: int) -> None:
    """``count`` tasks written at once around the repository (as a bulk load would), each
    matching every filter below; then the counters recounted (``counts.rebuild``)."""
    now = datetime.now(UTC)
    rows = [
        {
            "owner_id": owner_id,
            "title": f"Bulk {n}",
            "title_folded": f"bulk {n}",
            "status": "todo",
            "priority": "high",
            "due_date": TODAY - timedelta(days=2),
            "tags": ["bulk"],
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for n in range(count)
    ]
    async with db_sessions() as db, db.begin():
        created = await db.execute(insert(Task).returning(col(Task.id)), rows)
        ids = created.scalars().all()
        tags = [{"task_id": i, "tag": "bulk", "owner_id": owner_id} for i in ids]
        await db.execute(insert(TaskTag), tags)
        await counts.rebuild(db)


BOUNDED_FILTERS: list[dict[str, Any]] = [
    {"tag": "bulk"},
    {"q": "bulk"},
    {"due_before": TODAY.isoformat()},
    {"due_after": (TODAY - timedelta(days=10)).isoformat()},
    {"overdue": "true"},
    {"status": "todo", "tag": "bulk"},
]


class TestListTotals:
    async def test_status_and_priority_totals_are_exact_past_the_bound(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        await bulk_tasks(db_sessions, alice.id, EXACT_TOTAL_MAX + 1)

        for params in ({}, {"status": "todo"}, {"status": "todo", "priority": "high"}):
            page = (await alice.client.get("/tasks", params={**params, "limit": 1})).json()
            assert (page["total"], page["total_exact"]) == (EXACT_TOTAL_MAX + 1, True)

    @pytest.mark.parametrize("params", BOUNDED_FILTERS)
    async def test_other_filters_count_up_to_the_bound_and_say_so(
        self, alice: ApiUser, db_sessions: DbSessionMaker, params: dict[str, Any]
    ) -> None:
        await bulk_tasks(db_sessions, alice.id, EXACT_TOTAL_MAX + 1)

        past = (await alice.client.get("/tasks", params={**params, "limit": 2})).json()
        first = past["items"][0]["id"]
        assert (await alice.client.delete(f"/tasks/{first}")).status_code == 204
        at = (await alice.client.get("/tasks", params={**params, "limit": 2})).json()

        assert (past["total"], past["total_exact"], len(past["items"])) == (
            EXACT_TOTAL_MAX,
            False,
            2,
        )
        assert (at["total"], at["total_exact"]) == (EXACT_TOTAL_MAX, True)

    async def test_a_bounded_total_counts_only_the_owners_tasks(
        self, alice: ApiUser, bob: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        await bulk_tasks(db_sessions, bob.id, EXACT_TOTAL_MAX + 1)
        await bulk_tasks(db_sessions, alice.id, 3)

        page = (await alice.client.get("/tasks", params={"tag": "bulk"})).json()

        assert (page["total"], page["total_exact"], len(page["items"])) == (3, True, 3)

    async def test_the_schema_says_when_total_is_a_lower_bound(self, alice: ApiUser) -> None:
        schema = (await alice.client.get("/openapi.json")).json()
        page = schema["components"]["schemas"]["TaskPage"]["properties"]

        assert "counting stops after 1,000" in page["total"]["description"]
        assert page["total_exact"]["type"] == "boolean"
