"""list_tasks, get_task, task_history, summary: the REST answers, over MCP."""

from datetime import timedelta
from typing import Any

import httpx
import pytest

from taskservice.tasks.calendar import today_for, utc_now
from tests.conftest import ApiUser
from tests.mcp.conftest import Connect, field_errors, problem, structured, text


async def _create(user: ApiUser, **fields: Any) -> Any:
    response = await user.client.post("/tasks", json=fields)
    assert response.status_code == 201
    return response.json()


@pytest.fixture
async def tasks(alice: ApiUser) -> list[Any]:
    return [
        await _create(alice, title="Write report", priority="high", tags=["work"],
                      due_date="2026-12-04"),
        await _create(alice, title="Buy milk", status="done", tags=["home"]),
        await _create(alice, title="Review the report draft", status="blocked",
                      priority="urgent", due_date="2026-11-01", tags=["Work", "q4"]),
        await _create(alice, title="Plan holiday", status="in_progress", priority="low",
                      description="Somewhere with a report-free beach", due_date="2027-01-10"),
        await _create(alice, title="Call the bank", due_date="2026-12-04"),
    ]  # fmt: skip


NOT_A_DATE = "must be a calendar date written YYYY-MM-DD"

QUERIES: list[dict[str, Any]] = [
    {},
    {"status": ["todo", "blocked"]},
    {"priority": ["high", "urgent"], "sort": "title"},
    {"tag": "WORK"},
    {"q": "report"},
    {"due_before": "2026-12-05", "due_after": "2026-11-01"},
    {"overdue": True},
    {"overdue": False, "sort": "due_date,-priority"},
    {"sort": "-priority,title", "limit": 2},
]


class TestListTasks:
    @pytest.mark.parametrize("query", QUERIES, ids=[str(q) for q in QUERIES])
    async def test_the_page_rest_lists(
        self, connect: Connect, alice: ApiUser, tasks: list[Any], query: dict[str, Any]
    ) -> None:
        async with connect(alice.key) as client:
            result = await client.call_tool("list_tasks", query)
        rest = await alice.client.get("/tasks", params=as_params(query))
        assert rest.status_code == 200
        assert structured(result) == rest.json()

    async def test_filters_select_exactly(
        self, connect: Connect, alice: ApiUser, tasks: list[Any]
    ) -> None:
        async with connect(alice.key) as client:
            work = structured(
                await client.call_tool("list_tasks", {"tag": "work", "sort": "title"})
            )
            found = structured(await client.call_tool("list_tasks", {"q": "REPORT"}))
        assert [t["title"] for t in work["items"]] == ["Review the report draft", "Write report"]
        assert sorted(t["title"] for t in found["items"]) == [
            "Plan holiday",
            "Review the report draft",
            "Write report",
        ]

    async def test_a_cursor_walks_every_page(
        self, connect: Connect, alice: ApiUser, tasks: list[Any]
    ) -> None:
        query = {"sort": "due_date,title", "limit": 2}
        seen: list[str] = []
        cursors: list[str] = []
        async with connect(alice.key) as client:
            page = structured(await client.call_tool("list_tasks", query))
            while True:
                assert page["total"] == 5
                seen += [t["title"] for t in page["items"]]
                if page["next_cursor"] is None:
                    break
                cursors.append(page["next_cursor"])
                page = structured(
                    await client.call_tool("list_tasks", {**query, "cursor": page["next_cursor"]})
                )
        assert seen == [
            "Review the report draft",
            "Call the bank",
            "Write report",
            "Plan holiday",
            "Buy milk",
        ]
        rest = (await alice.client.get("/tasks", params=as_params(query))).json()
        assert rest["next_cursor"] == cursors[0]

    async def test_the_text_lists_the_page(
        self, connect: Connect, alice: ApiUser, tasks: list[Any]
    ) -> None:
        async with connect(alice.key) as client:
            result = await client.call_tool("list_tasks", {"status": ["todo"], "limit": 1})
            empty = await client.call_tool("list_tasks", {"q": "nothing like this"})
        assert text(result) == (
            "1 of 2 matching tasks:\n"
            'Task 5 "Call the bank": todo, medium priority, due 2026-12-04 (version 1).\n'
            "More: pass next_cursor as cursor, with the same filters and sort."
        )
        assert text(empty) == "No tasks on this page; 0 match in all."

    @pytest.mark.parametrize(
        ("query", "slug"),
        [
            ({"sort": "bogus"}, "invalid-sort"),
            ({"sort": "title, -due_date"}, "invalid-sort"),
            ({"cursor": "not-a-cursor"}, "invalid-cursor"),
        ],
    )
    async def test_a_bad_sort_or_cursor_is_rests_400(
        self, connect: Connect, alice: ApiUser, query: dict[str, Any], slug: str
    ) -> None:
        async with connect(alice.key) as client:
            result = await client.call_tool("list_tasks", query)
        rest = await alice.client.get("/tasks", params=as_params(query))
        assert rest.status_code == 400
        expected = {k: rest.json()[k] for k in ("type", "title", "status", "detail")}
        assert problem(result) == expected
        assert expected["type"] == f"urn:taskservice:problem:{slug}"
        assert text(result) == expected["detail"]

    async def test_a_cursor_from_another_query_is_refused(
        self, connect: Connect, alice: ApiUser, tasks: list[Any]
    ) -> None:
        async with connect(alice.key) as client:
            first = structured(await client.call_tool("list_tasks", {"limit": 1}))
            other = await client.call_tool(
                "list_tasks", {"limit": 1, "tag": "work", "cursor": first["next_cursor"]}
            )
        assert problem(other)["detail"] == (
            "The cursor belongs to a different query; use the same filters and sort."
        )

    async def test_bad_values_get_the_messages_of_a_rest_422(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        query = {"limit": 101, "status": ["todo", "someday"], "due_before": "tomorrow", "tag": ""}
        async with connect(alice.key) as client:
            result = await client.call_tool("list_tasks", {**query, "page": 2})
        rest = await alice.client.get("/tasks", params=as_params(query))
        assert rest.status_code == 422
        assert field_errors(problem(result))[:-1] == field_errors(rest.json(), "query.")
        assert field_errors(problem(result)) == [
            ("status.1", "Input should be 'todo', 'in_progress', 'blocked' or 'done'", "enum"),
            ("tag", "String should have at least 1 character", "string_too_short"),
            ("due_before", f"Value error, {NOT_A_DATE}", "value_error"),
            ("limit", "Input should be less than or equal to 100", "less_than_equal"),
            ("page", "Extra inputs are not permitted", "extra_forbidden"),
        ]


class TestGetTask:
    async def test_reads_the_task_rest_reads(
        self, connect: Connect, alice: ApiUser, tasks: list[Any]
    ) -> None:
        async with connect(alice.key) as client:
            result = await client.call_tool("get_task", {"task_id": tasks[2]["id"]})
        assert structured(result) == tasks[2]
        assert text(result) == (
            'Task 3 "Review the report draft": blocked, urgent priority, due 2026-11-01, '
            "tags work, q4 (version 1)."
        )

    async def test_a_missing_task(self, connect: Connect, alice: ApiUser) -> None:
        async with connect(alice.key) as client:
            result = await client.call_tool("get_task", {"task_id": 999})
            not_an_id = await client.call_tool("get_task", {"task_id": "three"})
        assert problem(result) == {
            "type": "urn:taskservice:problem:task-not-found",
            "title": "Not Found",
            "status": 404,
            "detail": "Task 999 does not exist.",
        }
        assert field_errors(problem(not_an_id)) == [
            (
                "task_id",
                "Input should be a valid integer, unable to parse string as an integer",
                "int_parsing",
            )
        ]


class TestTaskHistory:
    async def test_every_change_with_its_door(self, connect: Connect, alice: ApiUser) -> None:
        async with connect(alice.key, name="claude-desktop") as client:
            task_id = structured(await client.call_tool("create_task", {"title": "Draft"}))["id"]
        await alice.client.patch(f"/tasks/{task_id}", json={"priority": "high"})
        async with connect(alice.key, mode="legacy", name="cursor") as client:
            await client.call_tool("update_task", {"task_id": task_id, "status": "done"})
            result = await client.call_tool("task_history", {"task_id": task_id})
        history = structured(result)
        rest = await alice.client.get(f"/tasks/{task_id}/history")
        assert history == {"task_id": task_id, "events": rest.json()}
        assert [(e["actor"], e["action"], sorted(e["changes"])) for e in history["events"]] == [
            ("mcp:claude-desktop", "created", ["priority", "status", "tags", "title"]),
            ("api", "updated", ["priority"]),
            ("mcp", "updated", ["completed_at", "status"]),
        ]
        lines = text(result).splitlines()
        assert lines[0] == f"3 change(s) to task {task_id}, oldest first:"
        assert lines[1].endswith(" mcp:claude-desktop created: title, status, priority, tags")
        assert lines[3].endswith(" mcp updated: status, completed_at")

    async def test_a_missing_task(self, connect: Connect, alice: ApiUser) -> None:
        async with connect(alice.key) as client:
            result = await client.call_tool("task_history", {"task_id": 5})
        assert problem(result)["detail"] == "Task 5 does not exist."


class TestSummary:
    async def test_counts_overdue_and_due_soon(self, connect: Connect, alice: ApiUser) -> None:
        today = today_for("UTC", utc_now())

        def day(offset: int) -> str:
            return (today + timedelta(days=offset)).isoformat()

        await _create(alice, title="late", due_date=day(-1))
        await _create(alice, title="today", priority="high", due_date=day(0))
        await _create(alice, title="in three days", status="in_progress", priority="urgent",
                      due_date=day(3))  # fmt: skip
        await _create(alice, title="in six days", status="blocked", due_date=day(6))
        await _create(alice, title="in seven days", due_date=day(7))
        await _create(alice, title="done today", status="done", due_date=day(0))
        await _create(alice, title="undated")
        async with connect(alice.key) as client:
            result = await client.call_tool("summary", {})
        summary = structured(result)
        assert {k: v for k, v in summary.items() if k != "next_due"} == {
            "today": today.isoformat(),
            "timezone": "UTC",
            "total": 7,
            "counts": {"todo": 4, "in_progress": 1, "blocked": 1, "done": 1},
            "overdue": 1,
            "due_soon": 3,
        }
        assert [t["title"] for t in summary["next_due"]] == [
            "today",
            "in three days",
            "in six days",
        ]
        assert text(result).splitlines()[0] == (
            "7 tasks (4 todo, 1 in_progress, 1 blocked, 1 done); 1 overdue; "
            f"3 due in the next 7 days (from {today.isoformat()}, UTC)."
        )

    async def test_arguments_are_refused(self, connect: Connect, alice: ApiUser) -> None:
        async with connect(alice.key) as client:
            result = await client.call_tool("summary", {"days": 30})
        assert field_errors(problem(result)) == [
            ("days", "Extra inputs are not permitted", "extra_forbidden")
        ]


def as_params(query: dict[str, Any]) -> httpx.QueryParams:
    """The tool's arguments as the query string ``GET /tasks`` takes (lists repeat)."""
    return httpx.QueryParams(query)
