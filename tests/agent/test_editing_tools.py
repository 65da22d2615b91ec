"""The editor's newer tools through POST /agent: the description, removing tags, clearing
the due date, and changing or deleting several tasks at once (one approval for a delete)."""

from typing import Any

from fastapi import FastAPI

from taskservice.agent.tools.editing import undo_last_change, update_tasks
from taskservice.tasks.models import Priority, Status
from tests.agent.helpers import ask, task
from tests.agent.scripts import outputs, script, turn
from tests.conftest import ApiUser


async def create(user: ApiUser, title: str, **fields: Any) -> dict[str, Any]:
    response = await user.client.post("/tasks", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def view(body: dict[str, Any], **changed: Any) -> dict[str, Any]:
    """The tools' short view of a task read over REST, with ``changed`` fields."""
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


class TestSetDescription:
    async def test_sets_then_clears_with_null_or_empty(self, app: FastAPI, alice: ApiUser) -> None:
        t = await create(alice, "report")
        script(
            app,
            turn("editor", ("set_description", {"task_id": t["id"], "description": "Q3 numbers"})),
            turn("editor", ("set_description", {"task_id": t["id"], "description": None})),
            turn("editor", ("set_description", {"task_id": t["id"], "description": "again"})),
            turn("editor", ("set_description", {"task_id": t["id"], "description": "  "})),
        )

        first = await ask(alice, "add a description to task 1: Q3 numbers")
        assert outputs(first) == [{"updated": view(t)}]
        assert (await task(alice, t["id"]))["description"] == "Q3 numbers"
        await ask(alice, "clear the description of task 1")
        assert (await task(alice, t["id"]))["description"] is None
        await ask(alice, "set the description of task 1 to again")
        await ask(alice, "clear the description of task 1")

        after = await task(alice, t["id"])
        assert (after["description"], after["version"]) == (None, 5)


class TestRemoveTags:
    async def test_removes_those_it_has_and_says_which_it_lacked(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        t = await create(alice, "report", tags=["work", "q3", "home"])
        script(app, turn("editor", ("remove_tags", {"task_id": t["id"], "tags": ["#Work", "x"]})))

        reply = await ask(alice, "remove the #work tag from task 1")

        assert outputs(reply) == [
            {"updated": view(t, tags=["q3", "home"]), "removed": ["work"], "not_on_task": ["x"]}
        ]
        assert (await task(alice, t["id"]))["tags"] == ["q3", "home"]
        tagged = await alice.client.get("/tasks", params={"tag": "work"})
        assert tagged.json()["total"] == 0


class TestAddTags:
    async def test_adds_to_those_it_has(self, app: FastAPI, alice: ApiUser) -> None:
        t = await create(alice, "report", tags=["work"])
        script(app, turn("editor", ("add_tags", {"task_id": t["id"], "tags": ["#Q3", "work"]})))

        reply = await ask(alice, "tag task 1 with #q3")

        assert outputs(reply) == [{"updated": view(t, tags=["work", "q3"])}]


class TestClearDueDate:
    async def test_removes_the_due_date(self, app: FastAPI, alice: ApiUser) -> None:
        t = await create(alice, "report", due_date="2026-12-04")
        script(app, turn("editor", ("clear_due_date", {"task_id": t["id"]})))

        reply = await ask(alice, "clear the due date of task 1")

        assert outputs(reply) == [{"updated": view(t, due_date=None)}]
        assert (await task(alice, t["id"]))["due_date"] is None


class TestUpdateTasks:
    async def test_changes_every_task_in_one_call(self, app: FastAPI, alice: ApiUser) -> None:
        a, b, c = [await create(alice, title) for title in ("a", "b", "c")]
        arguments = {"task_ids": [a["id"], c["id"]], "status": "done", "due_date": "2026-12-24"}
        script(app, turn("editor", ("update_tasks", arguments)))

        reply = await ask(alice, "mark a and c as done, due christmas eve")

        done = {"status": "done", "due_date": "2026-12-24"}
        assert outputs(reply) == [{"updated": [view(a, **done), view(c, **done)]}]
        assert [(await task(alice, t["id"]))["status"] for t in (a, b, c)] == [
            "done",
            "todo",
            "done",
        ]

    async def test_another_users_id_changes_nothing(
        self, app: FastAPI, alice: ApiUser, bob: ApiUser
    ) -> None:
        mine = await create(alice, "mine")
        theirs = await create(bob, "theirs")
        ids = [mine["id"], theirs["id"]]
        script(app, turn("editor", ("update_tasks", {"task_ids": ids, "priority": "urgent"})))

        reply = await ask(alice, "make them urgent")

        assert outputs(reply) == [{"error": f"Task {theirs['id']} does not exist."}]
        assert (await task(alice, mine["id"]))["priority"] == "medium"
        assert (await task(bob, theirs["id"]))["priority"] == "medium"

    async def test_nothing_to_change_is_an_error(self, app: FastAPI, alice: ApiUser) -> None:
        t = await create(alice, "a")
        script(app, turn("editor", ("update_tasks", {"task_ids": [t["id"]]})))

        reply = await ask(alice, "update task 1")

        assert outputs(reply) == [
            {"error": "give at least one of status, priority, due_date; nothing was done"}
        ]
        assert (await task(alice, t["id"]))["version"] == 1

    async def test_an_invalid_value_changes_nothing(self, app: FastAPI, alice: ApiUser) -> None:
        t = await create(alice, "a")
        script(
            app,
            turn("editor", ("update_tasks", {"task_ids": [t["id"]], "due_date": "2026-02-30"})),
        )

        reply = await ask(alice, "move task 1 to february 30")

        assert outputs(reply) == [
            {"error": "invalid value: due_date: Value error, day is out of range for month"}
        ]


class TestDeleteTasks:
    async def test_one_approval_for_the_whole_set(self, app: FastAPI, alice: ApiUser) -> None:
        a, b, c = [await create(alice, title) for title in ("buy milk", "b", "c")]
        ids = [a["id"], b["id"], c["id"]]
        script(app, turn("editor", ("delete_tasks", {"task_ids": ids})))

        asked = await ask(alice, "delete all of them")

        assert asked["status"] == "waiting_approval"
        assert [(p["tool"], p["description"]) for p in asked["pending_approvals"]] == [
            ("delete_tasks", "Delete 3 tasks: #1 'buy milk', #2 'b', #3 'c'?")
        ]
        assert asked["reply"] == (
            "Delete 3 tasks: #1 'buy milk', #2 'b', #3 'c'? Approve or reject it at "
            f"POST /agent/sessions/{asked['session_id']}/approvals."
        )
        assert (await alice.client.get("/tasks")).json()["total"] == 3

        approved = await decide(alice, asked, approve=True)

        assert approved["status"] == "completed"
        assert outputs(approved) == [{"deleted": [view(a), view(b), view(c)]}]
        assert (await alice.client.get("/tasks")).json()["total"] == 0

    async def test_rejected_deletes_nothing(self, app: FastAPI, alice: ApiUser) -> None:
        a, b = [await create(alice, title) for title in ("a", "b")]
        script(
            app,
            turn("editor", ("delete_tasks", {"task_ids": [a["id"], b["id"]]})),
        )
        asked = await ask(alice, "delete both")

        rejected = await decide(alice, asked, approve=False)

        assert outputs(rejected) == [{"error": "the user did not approve this; nothing was done"}]
        assert (await alice.client.get("/tasks")).json()["total"] == 2

    async def test_another_users_id_deletes_nothing_even_if_approved(
        self, app: FastAPI, alice: ApiUser, bob: ApiUser
    ) -> None:
        mine = await create(alice, "mine")
        theirs = await create(bob, "theirs")
        script(
            app,
            turn("editor", ("delete_tasks", {"task_ids": [mine["id"], theirs["id"]]})),
        )
        asked = await ask(alice, "delete both")
        assert asked["pending_approvals"][0]["description"] == (
            f"Delete 2 tasks: #{mine['id']} 'mine', #{theirs['id']} (it does not exist)?"
        )

        approved = await decide(alice, asked, approve=True)

        assert outputs(approved) == [{"error": f"Task {theirs['id']} does not exist."}]
        assert (await alice.client.get("/tasks")).json()["total"] == 1
        assert (await bob.client.get("/tasks")).json()["total"] == 1


class TestSchemas:
    def test_enums_are_listed_where_a_tool_takes_them(self) -> None:
        properties = update_tasks.params_json_schema["properties"]

        assert properties["status"]["anyOf"] == [
            {"enum": [s.value for s in Status], "type": "string"},
            {"type": "null"},
        ]
        assert properties["priority"]["anyOf"] == [
            {"enum": [p.value for p in Priority], "type": "string"},
            {"type": "null"},
        ]
        assert list(properties) == ["task_ids", "status", "priority", "due_date"]
        assert set(undo_last_change.params_json_schema["properties"]) == set()
