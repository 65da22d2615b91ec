"""Undoing a conversation's last change, from the history: each change as a whole, the
change before on a second undo, and never over someone else's edit."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from taskservice.db import DbSessionMaker
from taskservice.tasks.events import Actor
from taskservice.tasks.models import Status
from taskservice.tasks.repository import TaskRepository
from taskservice.tasks.schemas import TaskCreate, TaskPatch
from taskservice.tasks.undo import CannotUndo, NothingToUndo, Undone, last_change, undo_last_change
from tests.conftest import ApiUser

T = TypeVar("T")


class Conversation:
    """Changes made as an agent in one session: each call one change, as a run's tool
    calls are."""

    def __init__(self, db_sessions: DbSessionMaker, user: ApiUser, session_id: str) -> None:
        self.db_sessions = db_sessions
        self.user = user
        self.session_id = session_id

    async def call(self, work: Callable[[TaskRepository], Awaitable[T]]) -> T:
        actor = Actor(agent="editor", session_id=self.session_id, change_id=uuid.uuid4().hex)
        async with self.db_sessions() as db, db.begin():
            return await work(TaskRepository(db, self.user.id, actor))

    async def undo(self) -> Undone:
        return await self.call(undo_last_change)


@pytest.fixture
def chat(db_sessions: DbSessionMaker, alice: ApiUser) -> Conversation:
    return Conversation(db_sessions, alice, "s" * 32)


async def read(user: ApiUser, task_id: int) -> dict[str, Any]:
    response = await user.client.get(f"/tasks/{task_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def history(user: ApiUser, task_id: int) -> list[tuple[str, str, str | None]]:
    events = (await user.client.get(f"/tasks/{task_id}/history")).json()
    return [(e["actor"], e["action"], e["undoes"]) for e in events]


class TestUndoACreate:
    async def test_deletes_the_task_and_records_it(
        self, chat: Conversation, alice: ApiUser
    ) -> None:
        task = await chat.call(lambda r: r.create(TaskCreate(title="new")))
        assert task.id is not None
        change = await chat.call(last_change)
        assert change is not None
        assert [e.task_id for e in change.creates] == [task.id]

        undone = await chat.undo()

        assert [t.id for t in undone.deleted] == [task.id]
        assert (undone.reverted, undone.restored) == ([], [])
        assert (await alice.client.get(f"/tasks/{task.id}")).status_code == 404
        assert await history(alice, task.id) == [
            ("agent:editor", "created", None),
            ("agent:editor", "deleted", change.id),
        ]


class TestUndoAnUpdate:
    async def test_previous_values_come_back_completed_at_included(
        self, chat: Conversation, alice: ApiUser
    ) -> None:
        created = await alice.client.post(
            "/tasks", json={"title": "t", "status": "done", "priority": "low", "tags": ["a"]}
        )
        before = created.json()

        await chat.call(
            lambda r: r.update(
                before["id"],
                TaskPatch(status=Status.todo, priority="urgent", tags=["b"], description="d"),
            )
        )
        await chat.undo()

        after = await read(alice, before["id"])
        same = ("status", "priority", "tags", "description", "completed_at", "title")
        assert {k: after[k] for k in same} == {k: before[k] for k in same}
        assert after["version"] == 3
        tagged = (await alice.client.get("/tasks", params={"tag": "a"})).json()
        assert [t["id"] for t in tagged["items"]] == [before["id"]]

    async def test_a_second_undo_undoes_the_change_before_then_nothing_is_left(
        self, chat: Conversation, alice: ApiUser
    ) -> None:
        task = await chat.call(lambda r: r.create(TaskCreate(title="t")))
        assert task.id is not None
        task_id = task.id
        await chat.call(lambda r: r.update(task_id, TaskPatch(priority="high")))
        await chat.call(lambda r: r.update(task_id, TaskPatch(status="done")))

        await chat.undo()
        assert (await read(alice, task_id))["status"] == "todo"
        await chat.undo()
        assert (await read(alice, task_id))["priority"] == "medium"
        await chat.undo()
        assert (await alice.client.get(f"/tasks/{task_id}")).status_code == 404

        with pytest.raises(NothingToUndo) as raised:
            await chat.undo()
        assert raised.value.detail == "There is nothing left to undo in this conversation."

    async def test_refused_after_an_edit_by_someone_else_and_nothing_changes(
        self, chat: Conversation, alice: ApiUser
    ) -> None:
        task_id = (await alice.client.post("/tasks", json={"title": "t"})).json()["id"]
        await chat.call(lambda r: r.update(task_id, TaskPatch(priority="high")))
        await alice.client.patch(f"/tasks/{task_id}", json={"title": "renamed"})

        with pytest.raises(CannotUndo) as raised:
            await chat.undo()

        assert raised.value.detail == (
            f"Task #{task_id} was changed since, through the API; undoing would overwrite "
            "that, so nothing was undone."
        )
        after = await read(alice, task_id)
        assert (after["title"], after["priority"], after["version"]) == ("renamed", "high", 3)

    async def test_another_conversations_change_is_not_this_ones_to_undo(
        self, chat: Conversation, db_sessions: DbSessionMaker, alice: ApiUser
    ) -> None:
        task_id = (await alice.client.post("/tasks", json={"title": "t"})).json()["id"]
        other = Conversation(db_sessions, alice, "o" * 32)
        await other.call(lambda r: r.update(task_id, TaskPatch(priority="high")))

        with pytest.raises(NothingToUndo):
            await chat.undo()

        assert (await read(alice, task_id))["priority"] == "high"

    async def test_refused_when_another_conversation_changed_it_since(
        self, chat: Conversation, db_sessions: DbSessionMaker, alice: ApiUser
    ) -> None:
        task_id = (await alice.client.post("/tasks", json={"title": "t"})).json()["id"]
        await chat.call(lambda r: r.update(task_id, TaskPatch(priority="high")))
        other = Conversation(db_sessions, alice, "o" * 32)
        await other.call(lambda r: r.update(task_id, TaskPatch(status="done")))

        with pytest.raises(CannotUndo) as raised:
            await chat.undo()

        assert "changed since, in another conversation" in raised.value.detail
        after = await read(alice, task_id)
        assert (after["priority"], after["status"]) == ("high", "done")


class TestUndoABulkChange:
    async def test_every_task_is_reverted(self, chat: Conversation, alice: ApiUser) -> None:
        ids = [(await alice.client.post("/tasks", json={"title": t})).json()["id"] for t in "abc"]
        await chat.call(lambda r: r.update_many(ids, TaskPatch(status="done", priority="low")))

        undone = await chat.undo()

        assert sorted(t.id or 0 for t in undone.reverted) == ids
        for task_id in ids:
            after = await read(alice, task_id)
            assert (after["status"], after["priority"], after["completed_at"]) == (
                "todo",
                "medium",
                None,
            )
        assert (await alice.client.get("/tasks", params={"status": "done"})).json()["total"] == 0

    async def test_one_task_edited_since_keeps_the_whole_change(
        self, chat: Conversation, alice: ApiUser
    ) -> None:
        ids = [(await alice.client.post("/tasks", json={"title": t})).json()["id"] for t in "abc"]
        await chat.call(lambda r: r.update_many(ids, TaskPatch(status="done")))
        await alice.client.patch(f"/tasks/{ids[1]}", json={"priority": "high"})

        with pytest.raises(CannotUndo):
            await chat.undo()

        assert [(await read(alice, i))["status"] for i in ids] == ["done", "done", "done"]

    async def test_a_bulk_delete_is_restored_with_ids_values_and_creation_times(
        self, chat: Conversation, alice: ApiUser
    ) -> None:
        before = [
            (await alice.client.post("/tasks", json={"title": t, "tags": [t]})).json() for t in "ab"
        ]
        await chat.call(lambda r: r.delete_many([t["id"] for t in before]))

        undone = await chat.undo()

        assert [t.id for t in undone.restored] == [t["id"] for t in before]
        for old in before:
            new = await read(alice, old["id"])
            assert {k: v for k, v in new.items() if k not in ("version", "updated_at")} == {
                k: v for k, v in old.items() if k not in ("version", "updated_at")
            }
            assert new["version"] == 2  # deleted at 1: its ETags never mean two things
        assert (await alice.client.get("/tasks", params={"tag": "a"})).json()["total"] == 1
        assert (await alice.client.get("/tasks")).json()["total"] == 2
        assert await history(alice, before[0]["id"]) == [
            ("api", "created", None),
            ("agent:editor", "deleted", None),
            ("agent:editor", "created", undone.change.id),
        ]


class TestIsolation:
    async def test_only_the_owners_events_count(
        self, chat: Conversation, db_sessions: DbSessionMaker, bob: ApiUser
    ) -> None:
        same_session = Conversation(db_sessions, bob, chat.session_id)
        task = await same_session.call(lambda r: r.create(TaskCreate(title="bob's")))

        with pytest.raises(NothingToUndo):
            await chat.undo()

        assert (await bob.client.get(f"/tasks/{task.id}")).status_code == 200

    async def test_outside_a_conversation_there_is_nothing_to_undo(
        self, db_sessions: DbSessionMaker, alice: ApiUser
    ) -> None:
        await alice.client.post("/tasks", json={"title": "t"})

        with pytest.raises(NothingToUndo):
            async with db_sessions() as db, db.begin():
                await undo_last_change(TaskRepository(db, alice.id))
