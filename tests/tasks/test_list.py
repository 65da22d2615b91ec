"""GET /tasks: filters, sorting and keyset pagination."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ApiUser

TODAY = datetime.now(UTC).date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


async def create(user: ApiUser, title: str, **fields: Any) -> int:
    response = await user.client.post("/tasks", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    task_id: int = response.json()["id"]
    return task_id


async def titles(user: ApiUser, **params: Any) -> list[str]:
    response = await user.client.get("/tasks", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
async def catalogue(alice: ApiUser) -> ApiUser:
    """Six tasks with distinct statuses, priorities, dates, tags and text."""
    await create(alice, "Pay invoice", priority="urgent", due_date=day(-2), tags=["work"])
    await create(alice, "buy milk", priority="low", due_date=day(0), tags=["home"])
    await create(alice, "Call bank", status="in_progress", priority="high", due_date=day(3))
    await create(
        alice, "File taxes", status="done", priority="urgent", due_date=day(-5), tags=["home"]
    )
    await create(alice, "Plan trip", status="blocked", description="INVOICE for hotel")
    await create(alice, "Write report", priority="high", due_date=day(10), tags=["work", "q4"])
    return alice


class TestListTasks:
    async def test_empty(self, alice: ApiUser) -> None:
        response = await alice.client.get("/tasks")

        assert response.status_code == 200
        assert response.json() == {
            "items": [],
            "total": 0,
            "total_exact": True,
            "next_cursor": None,
        }

    async def test_default_sort_is_newest_first(self, catalogue: ApiUser) -> None:
        assert await titles(catalogue) == [
            "Write report",
            "Plan trip",
            "File taxes",
            "Call bank",
            "buy milk",
            "Pay invoice",
        ]

    async def test_status_is_repeatable(self, catalogue: ApiUser) -> None:
        assert await titles(catalogue, status=["blocked", "done"]) == ["Plan trip", "File taxes"]

    async def test_priority_is_repeatable(self, catalogue: ApiUser) -> None:
        result = await titles(catalogue, priority=["urgent", "low"], sort="title")
        assert result == ["File taxes", "Pay invoice", "buy milk"]

    async def test_tag_filter_is_case_insensitive(self, catalogue: ApiUser) -> None:
        assert await titles(catalogue, tag="WORK") == ["Write report", "Pay invoice"]

    async def test_tag_filter_lower_cases_as_tags_are_stored(self, alice: ApiUser) -> None:
        await create(alice, "Trip", tags=["İstanbul"])

        assert await titles(alice, tag="İSTANBUL") == ["Trip"]

    async def test_q_searches_title_and_description_case_insensitively(
        self, catalogue: ApiUser
    ) -> None:
        assert await titles(catalogue, q="invoice") == ["Plan trip", "Pay invoice"]

    async def test_q_treats_wildcards_literally(self, alice: ApiUser) -> None:
        await create(alice, "100% done")
        await create(alice, "1000 done")

        assert await titles(alice, q="0%") == ["100% done"]
        assert await titles(alice, q="_") == []

    async def test_due_before_and_after_are_strict(self, catalogue: ApiUser) -> None:
        assert await titles(catalogue, due_before=day(0), sort="due_date") == [
            "File taxes",
            "Pay invoice",
        ]
        assert await titles(catalogue, due_after=day(0), sort="due_date") == [
            "Call bank",
            "Write report",
        ]
        assert await titles(catalogue, due_after=day(-3), due_before=day(5), sort="due_date") == [
            "Pay invoice",
            "buy milk",
            "Call bank",
        ]

    async def test_overdue_means_past_due_and_not_done(self, catalogue: ApiUser) -> None:
        assert await titles(catalogue, overdue="true") == ["Pay invoice"]
        assert await titles(catalogue, overdue="false", sort="title") == [
            "Call bank",
            "File taxes",
            "Plan trip",
            "Write report",
            "buy milk",
        ]

    async def test_filters_combine(self, catalogue: ApiUser) -> None:
        assert await titles(catalogue, tag="home", status="todo") == ["buy milk"]
        assert await titles(catalogue, priority="high", q="report") == ["Write report"]

    async def test_total_counts_all_matches_not_the_page(self, catalogue: ApiUser) -> None:
        response = await catalogue.client.get("/tasks", params={"limit": 2, "tag": "home"})

        body = response.json()
        assert body["total"] == 2
        assert len(body["items"]) == 2
        assert body["next_cursor"] is None

    async def test_sort_by_priority_descending_uses_rank(self, catalogue: ApiUser) -> None:
        assert await titles(catalogue, sort="-priority,title") == [
            "File taxes",
            "Pay invoice",
            "Call bank",
            "Write report",
            "Plan trip",
            "buy milk",
        ]

    async def test_sort_by_due_date_puts_undated_last_both_ways(self, catalogue: ApiUser) -> None:
        ascending = await titles(catalogue, sort="due_date")
        descending = await titles(catalogue, sort="-due_date")

        assert ascending == [
            "File taxes",
            "Pay invoice",
            "buy milk",
            "Call bank",
            "Write report",
            "Plan trip",
        ]
        assert descending == [
            "Write report",
            "Call bank",
            "buy milk",
            "Pay invoice",
            "File taxes",
            "Plan trip",
        ]

    async def test_sort_by_updated_at(self, catalogue: ApiUser) -> None:
        first = (await catalogue.client.get("/tasks", params={"sort": "created_at"})).json()
        await catalogue.client.patch(f"/tasks/{first['items'][0]['id']}", json={"title": "Z"})

        assert (await titles(catalogue, sort="-updated_at"))[0] == "Z"

    @pytest.mark.parametrize(
        "sort", ["name", "-owner_id", "priority,,title", "id", " title", "title,", "", "--title"]
    )
    async def test_unknown_sort_field_is_400(self, catalogue: ApiUser, sort: str) -> None:
        response = await catalogue.client.get("/tasks", params={"sort": sort})

        assert response.status_code == 400
        assert response.json()["type"] == "urn:taskservice:problem:invalid-sort"

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"limit": 0}, "query.limit"),
            ({"limit": 101}, "query.limit"),
            ({"limit": "ten"}, "query.limit"),
            ({"status": "finished"}, "query.status.0"),
            ({"priority": "p1"}, "query.priority.0"),
            ({"due_before": "tomorrow"}, "query.due_before"),
            ({"overdue": "maybe"}, "query.overdue"),
            ({"due_before": "0"}, "query.due_before"),
            ({"due_after": "2026-1-05"}, "query.due_after"),
            ({"q": "a\x00"}, "query.q"),
            ({"tag": "\x00"}, "query.tag"),
        ],
    )
    async def test_invalid_query_is_422(
        self, alice: ApiUser, params: dict[str, Any], field: str
    ) -> None:
        response = await alice.client.get("/tasks", params=params)

        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == [field]


class TestPagination:
    async def test_pages_through_250_tasks_with_inserts_in_between(self, alice: ApiUser) -> None:
        created = {await create(alice, f"task {i:03d}") for i in range(250)}
        seen: list[int] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 40}
            if cursor:
                params["cursor"] = cursor
            body = (await alice.client.get("/tasks", params=params)).json()
            seen.extend(item["id"] for item in body["items"])
            pages += 1
            # New tasks arrive while we page: they are newer than the cursor.
            await create(alice, f"inserted during page {pages}")
            cursor = body["next_cursor"]
            if cursor is None:
                break

        assert pages == 7
        assert len(seen) == len(set(seen)) == 250
        assert set(seen) == created
        assert seen == sorted(seen, reverse=True)

    @pytest.mark.parametrize("sort", ["title", "-priority,due_date", "due_date,-title"])
    async def test_every_sort_pages_without_gaps(self, alice: ApiUser, sort: str) -> None:
        priorities = ["low", "medium", "high", "urgent"]
        for i in range(23):
            await create(
                alice,
                f"t{i % 5}",
                priority=priorities[i % 4],
                due_date=None if i % 3 == 0 else day(i % 4),
            )
        everything = (await alice.client.get("/tasks", params={"sort": sort, "limit": 100})).json()

        paged: list[int] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"sort": sort, "limit": 4}
            if cursor:
                params["cursor"] = cursor
            body = (await alice.client.get("/tasks", params=params)).json()
            assert body["total"] == 23
            paged.extend(item["id"] for item in body["items"])
            cursor = body["next_cursor"]
            if cursor is None:
                break

        assert paged == [item["id"] for item in everything["items"]]

    async def test_filtered_pages(self, alice: ApiUser) -> None:
        for i in range(7):
            await create(alice, f"t{i}", status="done" if i % 2 else "todo")

        first = (await alice.client.get("/tasks", params={"status": "todo", "limit": 3})).json()
        second = (
            await alice.client.get(
                "/tasks", params={"status": "todo", "limit": 3, "cursor": first["next_cursor"]}
            )
        ).json()

        assert [t["title"] for t in first["items"]] == ["t6", "t4", "t2"]
        assert [t["title"] for t in second["items"]] == ["t0"]
        assert second["next_cursor"] is None
        assert first["total"] == second["total"] == 4
