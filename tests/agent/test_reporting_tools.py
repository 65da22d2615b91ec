"""The reporter's tools through POST /agent: a list continued with its cursor, what to
work on next, and finding a task by the words of its title."""

from typing import Any

from fastapi import FastAPI

from tests.agent.helpers import ask
from tests.agent.scripts import outputs, script, turn
from tests.conftest import ApiUser

NO_FILTERS: dict[str, Any] = {
    "status": None,
    "priority": None,
    "tag": None,
    "query": None,
    "due_from": None,
    "due_to": None,
    "overdue": None,
    "open_only": None,
    "sort": "title",
    "limit": 2,
}


async def create(user: ApiUser, title: str, **fields: Any) -> int:
    response = await user.client.post("/tasks", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    task_id: int = response.json()["id"]
    return task_id


class TestListWithCursor:
    async def test_each_page_continues_exactly_where_the_last_ended(
        self, app: FastAPI, alice: ApiUser, bob: ApiUser
    ) -> None:
        for title in ("e", "a", "d", "b", "c"):
            await create(alice, title)
            await create(bob, title)
        model = script(app, turn("reporter", ("list_tasks", NO_FILTERS)))
        first = outputs(await ask(alice, "list my tasks by title"))[0]
        assert [t["title"] for t in first["tasks"]] == ["a", "b"]
        assert (first["total"], first["more"]) == (5, True)
        assert model.remaining_steps == 0

        pages = []
        cursor = first["next_cursor"]
        while cursor is not None:
            script(app, turn("reporter", ("list_tasks", {**NO_FILTERS, "cursor": cursor})))
            page = outputs(await ask(alice, "show more tasks"))[0]
            pages.append(([t["title"] for t in page["tasks"]], page["total"], page["more"]))
            cursor = page["next_cursor"]

        assert pages == [(["c", "d"], 5, True), (["e"], 5, False)]

    async def test_a_cursor_for_another_list_is_refused(self, app: FastAPI, alice: ApiUser) -> None:
        for title in ("a", "b", "c"):
            await create(alice, title)
        script(app, turn("reporter", ("list_tasks", NO_FILTERS)))
        cursor = outputs(await ask(alice, "list my tasks"))[0]["next_cursor"]
        other = {**NO_FILTERS, "sort": "-title", "cursor": cursor}
        script(app, turn("reporter", ("list_tasks", other)))

        reply = await ask(alice, "list my tasks")

        assert outputs(reply) == [
            {"error": "The cursor belongs to a different query; use the same filters and sort."}
        ]

    async def test_inclusive_due_window(self, app: FastAPI, alice: ApiUser) -> None:
        for day in ("2026-03-01", "2026-03-02", "2026-03-08", "2026-03-09"):
            await create(alice, day, due_date=day)
        window = {**NO_FILTERS, "due_from": "2026-03-02", "due_to": "2026-03-08", "limit": 10}
        script(app, turn("reporter", ("list_tasks", window)))

        reply = await ask(alice, "list tasks due that week")

        assert [t["title"] for t in outputs(reply)[0]["tasks"]] == ["2026-03-02", "2026-03-08"]


class TestNextTasks:
    async def test_open_tasks_most_urgent_then_soonest_due(
        self, app: FastAPI, alice: ApiUser, bob: ApiUser
    ) -> None:
        await create(bob, "bob's urgent", priority="urgent")
        await create(alice, "low", priority="low")
        await create(alice, "high undated", priority="high")
        await create(alice, "urgent but done", priority="urgent", status="done")
        await create(alice, "high soon", priority="high", due_date="2026-06-01")
        await create(alice, "urgent blocked", priority="urgent", status="blocked")
        await create(alice, "medium", due_date="2026-01-01")
        script(app, turn("reporter", ("next_tasks", {"limit": 4})))

        reply = await ask(alice, "what should I work on next with my tasks?")

        (listed,) = outputs(reply)
        assert [t["title"] for t in listed["tasks"]] == [
            "urgent blocked",
            "high soon",
            "high undated",
            "medium",
        ]
        assert (listed["total"], listed["more"]) == (5, True)

    async def test_the_default_is_five(self, app: FastAPI, alice: ApiUser) -> None:
        for n in range(7):
            await create(alice, f"t{n}")
        script(app, turn("reporter", ("next_tasks", {})))

        reply = await ask(alice, "next tasks")

        assert [t["title"] for t in outputs(reply)[0]["tasks"]] == [f"t{n}" for n in range(5)]


class TestFindTasks:
    async def test_every_match_with_its_id(self, app: FastAPI, alice: ApiUser) -> None:
        milk = await create(alice, "Buy milk")
        both = await create(alice, "buy MILK and eggs")
        await create(alice, "call mom")
        script(
            app,
            turn("editor", ("find_tasks", {"title": "milk"})),
            turn("editor", ("find_tasks", {"title": "buy milk"})),
        )

        several = await ask(alice, "mark the milk task as done")
        exact = await ask(alice, "mark buy milk task as done")

        assert [(t["id"], t["title"]) for t in outputs(several)[0]["matches"]] == [
            (milk, "Buy milk"),
            (both, "buy MILK and eggs"),
        ]
        assert [t["id"] for t in outputs(exact)[0]["matches"]] == [milk]
