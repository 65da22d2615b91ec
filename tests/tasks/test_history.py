"""GET /tasks/{id}/history outlives the task: its owner reads it after a delete."""

from sqlalchemy import text

from taskservice.db import DbSessionMaker
from tests.conftest import ApiUser


class TestHistoryOfADeletedTask:
    async def test_owner_reads_it_to_the_deleted_event(self, alice: ApiUser) -> None:
        created = (await alice.client.post("/tasks", json={"title": "gone", "tags": ["x"]})).json()
        await alice.client.patch(f"/tasks/{created['id']}", json={"status": "done"})
        assert (await alice.client.delete(f"/tasks/{created['id']}")).status_code == 204

        response = await alice.client.get(f"/tasks/{created['id']}/history")

        assert response.status_code == 200
        events = response.json()
        assert [(e["actor"], e["action"]) for e in events] == [
            ("api", "created"),
            ("api", "updated"),
            ("api", "deleted"),
        ]
        deleted = events[-1]["changes"]
        assert deleted["title"] == {"old": "gone", "new": None}
        assert deleted["status"] == {"old": "done", "new": None}
        assert deleted["tags"] == {"old": ["x"], "new": None}
        assert (await alice.client.get(f"/tasks/{created['id']}")).status_code == 404

    async def test_anyone_else_gets_404(self, alice: ApiUser, bob: ApiUser) -> None:
        created = (await alice.client.post("/tasks", json={"title": "gone"})).json()
        await alice.client.delete(f"/tasks/{created['id']}")

        response = await bob.client.get(f"/tasks/{created['id']}/history")

        assert response.status_code == 404
        assert response.json()["type"] == "urn:taskservice:problem:task-not-found"

    async def test_a_task_that_never_was_is_404(self, alice: ApiUser) -> None:
        response = await alice.client.get("/tasks/999/history")

        assert response.status_code == 404
        assert response.json()["type"] == "urn:taskservice:problem:task-not-found"

    async def test_a_task_older_than_the_history_has_an_empty_one(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        created = (await alice.client.post("/tasks", json={"title": "old"})).json()
        async with db_sessions() as db, db.begin():
            await db.execute(text("DELETE FROM task_events"))

        response = await alice.client.get(f"/tasks/{created['id']}/history")

        assert response.status_code == 200
        assert response.json() == []
