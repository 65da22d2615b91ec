"""The task rules every door shares, on the repository itself: typed patches, tags added
and removed, inclusive due windows, what is open, the "next" ranking, bulk changes, and
finding a task by the words of its title."""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from taskservice.db import DbSessionMaker
from taskservice.tasks.errors import TaskNotFound, TasksNotFound, TooManyTasks
from taskservice.tasks.listing import DueWindow, SortOrder, TaskFilters
from taskservice.tasks.models import OPEN_STATUSES, Priority, Status
from taskservice.tasks.repository import BULK_MAX, TaskRepository
from taskservice.tasks.schemas import TaskCreate, TaskPatch
from taskservice.tasks.tags import tag_name, with_tags, without_tags
from tests.conftest import ApiUser

T = TypeVar("T")


async def on_tasks(
    db_sessions: DbSessionMaker, user: ApiUser, work: Callable[[TaskRepository], Awaitable[T]]
) -> T:
    """``work`` on ``user``'s tasks, in one transaction that commits."""
    async with db_sessions() as db, db.begin():
        return await work(TaskRepository(db, user.id))


async def create(user: ApiUser, title: str, **fields: Any) -> int:
    response = await user.client.post("/tasks", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    task_id: int = response.json()["id"]
    return task_id


async def read(user: ApiUser, task_id: int) -> dict[str, Any]:
    response = await user.client.get(f"/tasks/{task_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestOpenStatuses:
    def test_open_is_every_status_but_done(self) -> None:
        assert set(OPEN_STATUSES) == set(Status) - {Status.done}


class TestDueWindow:
    @pytest.mark.parametrize(
        ("first", "last", "after", "before"),
        [
            (date(2026, 3, 1), date(2026, 3, 7), date(2026, 2, 28), date(2026, 3, 8)),
            (date(2026, 3, 1), None, date(2026, 2, 28), None),
            (None, date(2026, 12, 31), None, date(2027, 1, 1)),
            (None, None, None, None),
            (date.min, date.max, None, None),
        ],
    )
    def test_inclusive_ends_become_strict_bounds(
        self, first: date | None, last: date | None, after: date | None, before: date | None
    ) -> None:
        window = DueWindow(first, last)

        assert (window.due_after, window.due_before) == (after, before)

    @given(st.dates(), st.dates())
    def test_never_overflows(self, first: date, last: date) -> None:
        filters = DueWindow(first, last).filters(statuses=OPEN_STATUSES)

        assert filters.statuses == OPEN_STATUSES
        assert filters.due_after is None or filters.due_after < first
        assert filters.due_before is None or filters.due_before > last

    async def test_both_ends_are_included(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        for day in ("2026-02-28", "2026-03-01", "2026-03-04", "2026-03-07", "2026-03-08"):
            await create(alice, day, due_date=day)
        await create(alice, "undated")
        window = DueWindow(date(2026, 3, 1), date(2026, 3, 7))

        async def titles(tasks: TaskRepository) -> list[str]:
            page = await tasks.list_tasks(window.filters(), order(), limit=10)
            return [t.title for t in page.items]

        assert await on_tasks(db_sessions, alice, titles) == [
            "2026-03-01",
            "2026-03-04",
            "2026-03-07",
        ]


def order() -> SortOrder:
    return SortOrder.parse("due_date")


class TestTags:
    @pytest.mark.parametrize(
        ("current", "added", "result"),
        [
            (["home"], ["#Work", "home", "q4"], ["home", "work", "q4"]),
            ([], ["a", "A", "#a"], ["a"]),
            (["x"], [], ["x"]),
        ],
    )
    def test_added(self, current: list[str], added: list[str], result: list[str]) -> None:
        assert with_tags(current, added) == result

    @pytest.mark.parametrize(
        ("current", "removed", "result"),
        [
            (["home", "work", "q4"], ["#WORK"], ["home", "q4"]),
            (["home"], ["nope"], ["home"]),
            (["a", "b"], ["a", "b"], []),
        ],
    )
    def test_removed(self, current: list[str], removed: list[str], result: list[str]) -> None:
        assert without_tags(current, removed) == result

    def test_a_tag_as_people_write_it(self) -> None:
        assert [tag_name(t) for t in ("#Home", " work ", "Q4")] == ["home", "work", "q4"]

    async def test_add_and_remove_through_the_repository(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        task_id = await create(alice, "t", tags=["home"])

        await on_tasks(db_sessions, alice, lambda r: r.add_tags(task_id, ["#Work", "home"]))
        assert (await read(alice, task_id))["tags"] == ["home", "work"]
        await on_tasks(db_sessions, alice, lambda r: r.remove_tags(task_id, ["HOME", "zzz"]))

        after = await read(alice, task_id)
        assert (after["tags"], after["version"]) == (["work"], 3)
        listed = (await alice.client.get("/tasks", params={"tag": "home"})).json()
        assert listed["total"] == 0
        assert (await alice.client.get("/tasks", params={"tag": "work"})).json()["total"] == 1

    async def test_more_than_twenty_tags_are_refused_and_nothing_changes(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        task_id = await create(alice, "t", tags=[f"t{i}" for i in range(19)])

        with pytest.raises(ValidationError):
            await on_tasks(db_sessions, alice, lambda r: r.add_tags(task_id, ["a", "b"]))

        assert len((await read(alice, task_id))["tags"]) == 19


class TestTypedPatch:
    async def test_only_the_fields_in_the_patch_change(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        task_id = await create(alice, "t", description="keep", priority="high")

        await on_tasks(
            db_sessions,
            alice,
            lambda r: r.update(task_id, TaskPatch(status=Status.done, due_date=None)),
        )

        after = await read(alice, task_id)
        assert (after["status"], after["description"], after["priority"]) == (
            "done",
            "keep",
            "high",
        )
        assert after["completed_at"] is not None

    def test_replacing_sets_every_field(self) -> None:
        patch = TaskPatch.replacing(TaskCreate(title="x", tags=["A"]))

        assert patch.changes() == {
            "title": "x",
            "description": None,
            "status": Status.todo,
            "priority": Priority.medium,
            "due_date": None,
            "tags": ["a"],
        }


class TestNextRanking:
    async def test_open_tasks_by_priority_then_due_date_undated_last_then_id(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        ids = {
            title: await create(alice, title, **fields)
            for title, fields in [
                ("high undated", {"priority": "high"}),
                ("high later", {"priority": "high", "due_date": "2026-05-02"}),
                ("high sooner", {"priority": "high", "due_date": "2026-05-01"}),
                ("urgent done", {"priority": "urgent", "status": "done"}),
                ("low blocked", {"priority": "low", "status": "blocked"}),
                ("urgent started", {"priority": "urgent", "status": "in_progress"}),
                ("high undated too", {"priority": "high"}),
                ("medium", {}),
            ]
        }

        page = await on_tasks(db_sessions, alice, lambda r: r.next_tasks(limit=6))

        assert [t.title for t in page.items] == [
            "urgent started",
            "high sooner",
            "high later",
            "high undated",
            "high undated too",
            "medium",
        ]
        assert page.total == 7
        assert ids["urgent done"] not in [t.id for t in page.items]


class TestBulk:
    async def test_update_many_changes_each_in_the_order_given(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        a, b, c = [await create(alice, t) for t in ("a", "b", "c")]

        changed = await on_tasks(
            db_sessions,
            alice,
            lambda r: r.update_many([c, a, c], TaskPatch(status=Status.done)),
        )

        assert [t.id for t in changed] == [c, a]
        assert [(await read(alice, i))["status"] for i in (a, b, c)] == ["done", "todo", "done"]
        counts = (await alice.client.get("/tasks", params={"status": "done"})).json()
        assert counts["total"] == 2

    async def test_one_missing_id_changes_nothing(
        self, alice: ApiUser, bob: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        a = await create(alice, "a")
        bobs = await create(bob, "bob's")

        with pytest.raises(TaskNotFound) as raised:
            await on_tasks(
                db_sessions, alice, lambda r: r.update_many([a, bobs], TaskPatch(status="done"))
            )

        assert raised.value.detail == f"Task {bobs} does not exist."
        assert (await read(alice, a))["status"] == "todo"
        assert (await read(bob, bobs))["status"] == "todo"

    async def test_delete_many_is_all_or_nothing(
        self, alice: ApiUser, bob: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        a, b = await create(alice, "a"), await create(alice, "b")
        bobs = await create(bob, "bob's")

        with pytest.raises(TasksNotFound) as raised:
            await on_tasks(db_sessions, alice, lambda r: r.delete_many([a, bobs, 999]))
        assert raised.value.detail == f"Tasks {bobs} and 999 do not exist; nothing was changed."
        assert (await alice.client.get("/tasks")).json()["total"] == 2

        deleted = await on_tasks(db_sessions, alice, lambda r: r.delete_many([b, a]))

        assert [t.title for t in deleted] == ["b", "a"]
        assert (await alice.client.get("/tasks")).json()["total"] == 0
        assert (await bob.client.get("/tasks")).json()["total"] == 1

    @pytest.mark.parametrize(
        ("ids", "detail"),
        [
            ([], "Name at least one task."),
            (list(range(1, BULK_MAX + 2)), "One change can name at most 100 tasks, not 101."),
        ],
    )
    async def test_bounds(
        self, alice: ApiUser, db_sessions: DbSessionMaker, ids: list[int], detail: str
    ) -> None:
        with pytest.raises(TooManyTasks) as raised:
            await on_tasks(db_sessions, alice, lambda r: r.delete_many(ids))

        assert raised.value.detail == detail


class TestFindByTitle:
    TITLES = ("buy milk", "buy milk and eggs", "write the report", "Café crème", "Report Q3")

    async def found(self, db_sessions: DbSessionMaker, user: ApiUser, title: str) -> list[str]:
        tasks = await on_tasks(db_sessions, user, lambda r: r.find_by_title(title, limit=20))
        return [t.title for t in tasks]

    @pytest.mark.parametrize(
        ("title", "found"),
        [
            ("buy milk", ["buy milk"]),
            ("BUY MILK", ["buy milk"]),
            ("milk", ["buy milk", "buy milk and eggs"]),
            ("eggs milk", ["buy milk and eggs"]),
            ("report", ["write the report", "Report Q3"]),
            ("the report", ["write the report"]),
            ("cafe creme", ["Café crème"]),
            ("CAFÉ", ["Café crème"]),
            ("crème café", ["Café crème"]),
            ("tea", []),
            ("   ", []),
            ("%", []),
        ],
    )
    async def test_matches(
        self, alice: ApiUser, bob: ApiUser, db_sessions: DbSessionMaker, title: str, found: Any
    ) -> None:
        for t in self.TITLES:
            await create(alice, t)
            await create(bob, t)

        assert await self.found(db_sessions, alice, title) == found

    async def test_other_users_tasks_are_never_found(
        self, alice: ApiUser, bob: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        await create(bob, "buy milk")
        await create(bob, "café")

        assert await self.found(db_sessions, alice, "milk") == []
        assert await self.found(db_sessions, alice, "cafe") == []


class TestOverdueStillMeansOpen:
    async def test_done_tasks_are_never_overdue(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        await create(alice, "late", due_date="2026-01-01")
        await create(alice, "late but done", due_date="2026-01-01", status="done")
        filters = TaskFilters(overdue=True, today=date(2026, 6, 1))

        page = await on_tasks(db_sessions, alice, lambda r: r.list_tasks(filters, order(), limit=5))

        assert [t.title for t in page.items] == ["late"]
