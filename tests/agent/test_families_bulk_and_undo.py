"""Bulk changes (one approval for a whole delete) and undo, through POST /agent."""

from typing import Any

import pytest

from taskservice.agent.offline.bulk import CHANGE_ALL, DELETE_ALL
from taskservice.agent.offline.dates import parse_date
from taskservice.agent.offline.words import day as spoken
from tests.agent.families import Case, cases, check
from tests.agent.helpers import TODAY, all_tasks, ask, calls, decide, pending, seed, task
from tests.conftest import ApiUser

FRIDAY = str(parse_date("friday", TODAY))
PAGE = {
    "status": None,
    "priority": None,
    "tag": None,
    "query": None,
    "due_from": None,
    "due_to": None,
    "overdue": None,
    "open_only": None,
    "sort": "due_date,-priority",
    "limit": 50,
    "cursor": None,
}


def page(**arguments: Any) -> tuple[str, dict[str, Any]]:
    return ("list_tasks", {**PAGE, **arguments})


def update(ids: list[int], **fields: Any) -> tuple[str, dict[str, Any]]:
    return (
        "update_tasks",
        {"task_ids": ids, "status": None, "priority": None, "due_date": None, **fields},
    )


BULK = cases(
    Case(
        "mark all overdue tasks as done",
        "editor",
        [page(overdue=True, open_only=True), update([3], status="done")],
        {3: {"status": "done"}},
        "1 task marked as done: #3 'pay invoice'.",
    ),
    Case(
        "set the priority of all blocked tasks to urgent",
        "editor",
        [page(status=["blocked"]), update([6], priority="urgent")],
        {6: {"priority": "urgent"}},
    ),
    Case(
        "move all overdue tasks to friday",
        "editor",
        [page(overdue=True), update([3], due_date=FRIDAY)],
        {3: {"due_date": FRIDAY}},
        f"1 task now due {spoken(FRIDAY, TODAY)}: #3 'pay invoice'.",
    ),
    Case(
        "mark tasks 8 and 9 as in progress",
        "editor",
        [update([8, 9], status="in_progress")],
        {8: {"status": "in_progress"}, 9: {"status": "in_progress"}},
    ),
    Case(
        "delete all done tasks",
        "editor",
        [page(status=["done"])],
        waiting=[("delete_tasks", {"task_ids": [5]})],
    ),
    Case("delete tasks 8 and 9", "editor", [], waiting=[("delete_tasks", {"task_ids": [8, 9]})]),
    Case("delete everything", "triage", [], reply=DELETE_ALL),
    Case("mark all tasks as done", "triage", [], reply=CHANGE_ALL),
    Case(
        "complete everything tagged #errands",
        "editor",
        [page(tag="errands", open_only=True)],
        reply="No open tasks tagged #errands, so nothing was changed.",
    ),
)


class TestBulk:
    @pytest.mark.parametrize(**BULK)
    async def test_bulk(self, alice: ApiUser, case: Case) -> None:
        await check(alice, case)

    async def test_complete_everything_tagged(self, alice: ApiUser) -> None:
        await seed(alice)
        for task_id in (1, 5, 8):
            await alice.client.patch(f"/tasks/{task_id}", json={"tags": ["errands"]})

        answer = await ask(alice, "complete everything tagged #errands")

        assert calls(answer) == [
            page(tag="errands", open_only=True),
            update([1, 8], status="done"),
        ]
        assert answer["reply"] == "2 tasks marked as done: #1 'buy milk' and #8 'clean garage'."

    async def test_a_bulk_delete_is_one_approval_for_the_whole_set(self, alice: ApiUser) -> None:
        await seed(alice)
        await alice.client.patch("/tasks/4", json={"status": "done"})

        asked = await ask(alice, "delete all done tasks")
        done = await decide(alice, asked, approve=True)

        assert pending(asked) == [("delete_tasks", {"task_ids": [4, 5]})]
        assert calls(done) == [page(status=["done"]), ("delete_tasks", {"task_ids": [4, 5]})]
        assert done["reply"] == "Deleted 2 tasks: #4 'call mom' and #5 'renew passport'."
        assert sorted(await all_tasks(alice)) == [1, 2, 3, 6, 7, 8, 9]

    async def test_a_rejected_bulk_delete_deletes_nothing(self, alice: ApiUser) -> None:
        await seed(alice)

        asked = await ask(alice, "delete tasks 8 and 9")
        done = await decide(alice, asked, approve=False)

        assert done["reply"] == (
            "I couldn't do that: the user did not approve this; nothing was done."
        )
        assert sorted(await all_tasks(alice)) == list(range(1, 10))


class TestUndo:
    async def test_undo_a_create_deletes_the_task_after_approval(self, alice: ApiUser) -> None:
        created = await ask(alice, "add a task to water the plants")
        asked = await ask(alice, "undo", session_id=created["session_id"])
        done = await decide(alice, asked, approve=True)

        assert (asked["agent"], pending(asked)) == ("editor", [("undo_last_change", {})])
        assert done["reply"] == "Undone: deleted 1 task it had created: #1 'water the plants'."
        assert await all_tasks(alice) == {}

    async def test_undo_an_update_brings_the_previous_values_back(self, alice: ApiUser) -> None:
        await seed(alice)
        changed = await ask(alice, "mark buy milk as done")

        answer = await ask(alice, "undo that", session_id=changed["session_id"])

        assert calls(answer) == [("undo_last_change", {})]
        assert answer["reply"] == "Undone: task #1 'buy milk' has its status back."
        assert (await task(alice, 1))["status"] == "todo"

    async def test_undo_a_bulk_change_reverts_it_whole(self, alice: ApiUser) -> None:
        await seed(alice)
        changed = await ask(alice, "mark tasks 8 and 9 as blocked")

        answer = await ask(alice, "undo", session_id=changed["session_id"])

        assert calls(answer) == [("undo_last_change", {})]
        assert [(await task(alice, n))["status"] for n in (8, 9)] == ["todo", "todo"]
        assert answer["reply"].splitlines() == [
            "Undone: task #8 'clean garage' has its status back.",
            "Undone: task #9 'old stuff' has its status back.",
        ]

    async def test_undo_with_nothing_to_undo(self, alice: ApiUser) -> None:
        answer = await ask(alice, "undo")

        assert calls(answer) == [("undo_last_change", {})]
        assert answer["reply"].startswith("I couldn't do that: ")
