"""undo_last_change through POST /agent: it reverts what this conversation did last, as a
whole, asks before deleting a task it created, and refuses over anyone else's edit."""

from typing import Any

from fastapi import FastAPI

from tests.agent.helpers import ask, task
from tests.agent.scripts import outputs, script, turn
from tests.conftest import ApiUser

UNDO: tuple[str, dict[str, Any]] = ("undo_last_change", {})


def create_call(title: str) -> tuple[str, dict[str, Any]]:
    arguments = {"title": title, "description": None, "priority": None, "due_date": None}
    return ("create_task", {**arguments, "tags": None})


async def create(user: ApiUser, title: str, **fields: Any) -> dict[str, Any]:
    response = await user.client.post("/tasks", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def view(body: dict[str, Any], **changed: Any) -> dict[str, Any]:
    fields = ("id", "title", "status", "priority", "due_date", "tags")
    return {**{name: body[name] for name in fields}, **changed}


async def decide(user: ApiUser, reply: dict[str, Any], approve: bool) -> dict[str, Any]:
    (pending,) = reply["pending_approvals"]
    response = await user.client.post(
        f"/agent/sessions/{reply['session_id']}/approvals",
        json={"decisions": [{"id": pending["id"], "approve": approve}]},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def history(user: ApiUser, task_id: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = (await user.client.get(f"/tasks/{task_id}/history")).json()
    return events


class TestUndoACreate:
    async def test_asks_first_then_deletes_the_task(self, app: FastAPI, alice: ApiUser) -> None:
        script(app, turn("planner", create_call("buy milk")), turn("editor", UNDO))
        created = await ask(alice, "add a task to buy milk")
        (made,) = outputs(created)

        asked = await ask(alice, "undo that task", session_id=created["session_id"])

        assert asked["status"] == "waiting_approval"
        task_id = made["created"]["id"]
        question = f"Undo: delete task #{task_id} 'buy milk', which this conversation created?"
        assert [(p["tool"], p["description"]) for p in asked["pending_approvals"]] == [
            ("undo_last_change", question)
        ]
        assert (await alice.client.get(f"/tasks/{task_id}")).status_code == 200

        approved = await decide(alice, asked, approve=True)

        assert outputs(approved) == [
            {"undone": {"reverted": [], "restored": [], "deleted": [made["created"]]}}
        ]
        assert (await alice.client.get(f"/tasks/{task_id}")).status_code == 404
        events = await history(alice, task_id)
        assert [(e["actor"], e["action"]) for e in events] == [
            ("agent:planner", "created"),
            ("agent:editor", "deleted"),
        ]
        assert events[1]["undoes"] == events[0]["change_id"]

    async def test_rejected_keeps_the_task(self, app: FastAPI, alice: ApiUser) -> None:
        script(app, turn("planner", create_call("keep")), turn("editor", UNDO))
        created = await ask(alice, "add a task to keep")
        asked = await ask(alice, "undo that task", session_id=created["session_id"])

        rejected = await decide(alice, asked, approve=False)

        assert outputs(rejected) == [{"error": "the user did not approve this; nothing was done"}]
        task_id = outputs(created)[0]["created"]["id"]
        assert (await task(alice, task_id))["version"] == 1


class TestUndoAnUpdate:
    async def test_values_come_back_without_asking(self, app: FastAPI, alice: ApiUser) -> None:
        t = await create(alice, "report", priority="low")
        script(
            app,
            turn("editor", ("set_priority", {"task_id": t["id"], "priority": "urgent"})),
            turn("editor", UNDO),
        )
        changed = await ask(alice, "make task 1 urgent")

        undone = await ask(alice, "undo that task change", session_id=changed["session_id"])

        assert undone["status"] == "completed"
        assert outputs(undone) == [
            {
                "undone": {
                    "reverted": [{**view(t), "reverted_fields": ["priority"]}],
                    "restored": [],
                    "deleted": [],
                }
            }
        ]
        after = await task(alice, t["id"])
        assert (after["priority"], after["version"]) == ("low", 3)
        last = (await history(alice, t["id"]))[-1]
        assert (last["actor"], last["action"], last["changes"]) == (
            "agent:editor",
            "updated",
            {"priority": {"old": "urgent", "new": "low"}},
        )

    async def test_refused_after_a_concurrent_edit(self, app: FastAPI, alice: ApiUser) -> None:
        t = await create(alice, "report")
        script(
            app,
            turn("editor", ("set_status", {"task_id": t["id"], "status": "done"})),
            turn("editor", UNDO),
        )
        changed = await ask(alice, "mark task 1 as done")
        await alice.client.patch(f"/tasks/{t['id']}", json={"title": "report v2"})

        refused = await ask(alice, "undo that task change", session_id=changed["session_id"])

        assert outputs(refused) == [
            {
                "error": f"Task #{t['id']} was changed since, through the API; undoing would "
                "overwrite that, so nothing was undone."
            }
        ]
        after = await task(alice, t["id"])
        assert (after["title"], after["status"], after["version"]) == ("report v2", "done", 3)

    async def test_twice_undoes_the_change_before_then_nothing_is_left(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        t = await create(alice, "report")
        script(
            app,
            turn("editor", ("set_status", {"task_id": t["id"], "status": "in_progress"})),
            turn("editor", ("add_tags", {"task_id": t["id"], "tags": ["q3"]})),
            turn("editor", UNDO),
            turn("editor", UNDO),
            turn("editor", UNDO),
        )
        session = (await ask(alice, "start task 1"))["session_id"]
        await ask(alice, "tag task 1 with #q3", session_id=session)

        await ask(alice, "undo the task change", session_id=session)
        assert (await task(alice, t["id"]))["tags"] == []
        await ask(alice, "undo the task change", session_id=session)
        assert (await task(alice, t["id"]))["status"] == "todo"
        last = await ask(alice, "undo the task change", session_id=session)

        assert outputs(last) == [{"error": "There is nothing left to undo in this conversation."}]
        assert (await task(alice, t["id"]))["version"] == 5

    async def test_a_new_conversation_has_nothing_to_undo(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        t = await create(alice, "report")
        script(
            app,
            turn("editor", ("set_status", {"task_id": t["id"], "status": "done"})),
            turn("editor", UNDO),
        )
        await ask(alice, "mark task 1 as done")

        other = await ask(alice, "undo the task change")

        assert outputs(other) == [{"error": "There is nothing left to undo in this conversation."}]
        assert (await task(alice, t["id"]))["status"] == "done"


class TestUndoABulkChange:
    async def test_every_task_is_reverted(self, app: FastAPI, alice: ApiUser, bob: ApiUser) -> None:
        a, b = await create(alice, "a"), await create(alice, "b", priority="high")
        theirs = await create(bob, "theirs")
        ids = [a["id"], b["id"]]
        script(
            app,
            turn("editor", ("update_tasks", {"task_ids": ids, "status": "done"})),
            turn("editor", UNDO),
        )
        changed = await ask(alice, "mark both tasks as done")
        await bob.client.patch(f"/tasks/{theirs['id']}", json={"status": "done"})

        undone = await ask(alice, "undo the task change", session_id=changed["session_id"])

        reverted = outputs(undone)[0]["undone"]["reverted"]
        assert reverted == [
            {**view(a), "reverted_fields": ["completed_at", "status"]},
            {**view(b), "reverted_fields": ["completed_at", "status"]},
        ]
        for old in (a, b):
            after = await task(alice, old["id"])
            assert (after["status"], after["completed_at"], after["version"]) == ("todo", None, 3)
        assert (await task(bob, theirs["id"]))["status"] == "done"

    async def test_a_bulk_delete_is_restored(self, app: FastAPI, alice: ApiUser) -> None:
        a, b = await create(alice, "a", tags=["x"]), await create(alice, "b")
        ids = [a["id"], b["id"]]
        script(
            app,
            turn("editor", ("delete_tasks", {"task_ids": ids})),
            turn("editor", UNDO),
        )
        asked = await ask(alice, "delete both tasks")
        await decide(alice, asked, approve=True)

        undone = await ask(alice, "undo the task change", session_id=asked["session_id"])

        assert undone["status"] == "completed"
        assert outputs(undone)[0]["undone"]["restored"] == [view(a), view(b)]
        assert [(await task(alice, i))["version"] for i in ids] == [2, 2]
        assert (await alice.client.get("/tasks", params={"tag": "x"})).json()["total"] == 1
