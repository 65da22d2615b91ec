"""GET /tasks/{id}/history: REST and agent changes in one history, with their actors."""

from tests.agent.helpers import ask
from tests.conftest import ApiUser


class TestTaskHistory:
    async def test_rest_and_agent_changes_share_one_history(self, alice: ApiUser) -> None:
        created = (await alice.client.post("/tasks", json={"title": "report"})).json()
        await alice.client.patch(f"/tasks/{created['id']}", json={"priority": "high"})
        answer = await ask(alice, f"mark task {created['id']} as done")

        response = await alice.client.get(f"/tasks/{created['id']}/history")

        assert response.status_code == 200
        events = response.json()
        assert [(e["actor"], e["action"], e["session_id"]) for e in events] == [
            ("api", "created", None),
            ("api", "updated", None),
            ("agent:editor", "updated", answer["session_id"]),
        ]
        assert events[0]["changes"]["title"] == {"old": None, "new": "report"}
        assert events[1]["changes"] == {"priority": {"old": "medium", "new": "high"}}
        done = events[2]["changes"]
        assert set(done) == {"status", "completed_at"}
        assert done["status"] == {"old": "todo", "new": "done"}
        assert done["completed_at"]["old"] is None
        assert [e["at"] for e in events] == sorted(e["at"] for e in events)

    async def test_agent_created_task_history(self, alice: ApiUser) -> None:
        answer = await ask(alice, "add a task to water plants #home")
        task_id = answer["tool_calls"][0]["output"]["created"]["id"]

        events = (await alice.client.get(f"/tasks/{task_id}/history")).json()

        assert [(e["actor"], e["action"]) for e in events] == [("agent:planner", "created")]
        assert events[0]["changes"]["tags"] == {"old": None, "new": ["home"]}

    async def test_a_write_that_changes_nothing_records_nothing(self, alice: ApiUser) -> None:
        created = (await alice.client.post("/tasks", json={"title": "same"})).json()
        await alice.client.patch(f"/tasks/{created['id']}", json={"title": "same"})
        await alice.client.put(f"/tasks/{created['id']}", json={"title": "same"})

        events = (await alice.client.get(f"/tasks/{created['id']}/history")).json()

        assert [e["action"] for e in events] == ["created"]

    async def test_missing_or_other_users_task_is_404(self, alice: ApiUser, bob: ApiUser) -> None:
        theirs = (await bob.client.post("/tasks", json={"title": "bob"})).json()

        assert (await alice.client.get(f"/tasks/{theirs['id']}/history")).status_code == 404
        assert (await alice.client.get("/tasks/999/history")).status_code == 404
