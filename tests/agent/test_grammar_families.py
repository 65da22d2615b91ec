"""Every grammar family of the offline model, through POST /agent and through the stream.

Each case checks the routing (the handoff), the exact tool calls the specialist
made, the reply written from their outputs, and the effect in the database.
"""

from datetime import timedelta
from typing import Any

import pytest

from taskservice.agent.offline.answers import UNKNOWN
from taskservice.agent.offline.dates import parse_date, week_bounds
from taskservice.agent.offline.words import day as spoken_day
from tests.agent.helpers import TODAY, ask, calls, day, seed, task
from tests.conftest import ApiUser

VIA = pytest.mark.parametrize("via", ["post", "stream"])


def spoken(iso: str) -> str:
    """A date as the offline model says it ("Thu 24 Dec")."""
    return spoken_day(iso, TODAY)


def nothing(reply: dict[str, Any]) -> None:
    assert reply["tool_calls"] == []
    assert reply["handoffs"] == []


CREATE_ARGS = {"description": None, "priority": None, "due_date": None, "tags": None}


@VIA
class TestCreate:
    @pytest.mark.parametrize(
        ("message", "expected"),
        [
            ("add a task to buy milk", [{"title": "buy milk"}]),
            ("Add a task to buy milk", [{"title": "buy milk"}]),
            (
                "create task: write report, priority high, due friday, tagged #work",
                [
                    {
                        "title": "write report",
                        "priority": "high",
                        "due_date": str(parse_date("friday", TODAY)),
                        "tags": ["work"],
                    }
                ],
            ),
            (
                "NEW URGENT TASK renew passport by 2026-12-01",
                [{"title": "renew passport", "priority": "urgent", "due_date": "2026-12-01"}],
            ),
            ("add tasks: a; b; c", [{"title": "a"}, {"title": "b"}, {"title": "c"}]),
        ],
    )
    async def test_creates(
        self, alice: ApiUser, via: str, message: str, expected: list[dict[str, Any]]
    ) -> None:
        reply = await ask(alice, message, via=via)

        assert reply["agent"] == "planner"
        assert reply["handoffs"] == [{"from": "triage", "to": "planner"}]
        assert calls(reply) == [("create_task", {**CREATE_ARGS, **e}) for e in expected]
        created = [c["output"]["created"] for c in reply["tool_calls"]]
        assert reply["reply"].splitlines() == [
            line for line in reply["reply"].splitlines() if line.startswith("Created task #")
        ]
        assert len(reply["reply"].splitlines()) == len(expected)
        for output, fields in zip(created, expected, strict=True):
            stored = await task(alice, output["id"])
            assert {k: stored[k] for k in fields} == fields


@VIA
class TestChange:
    @pytest.mark.parametrize(
        ("message", "tool", "args", "field", "value", "reply"),
        [
            (
                "mark task 3 as done",
                "set_status",
                {"status": "done"},
                "status",
                "done",
                "Marked task #3 'pay invoice' as done.",
            ),
            (
                "complete #3",
                "set_status",
                {"status": "done"},
                "status",
                "done",
                "Marked task #3 'pay invoice' as done.",
            ),
            (
                "start task 4",
                "set_status",
                {"status": "in_progress"},
                "status",
                "in_progress",
                "Marked task #4 'call mom' as in progress.",
            ),
            (
                "task 8 is blocked",
                "set_status",
                {"status": "blocked"},
                "status",
                "blocked",
                "Marked task #8 'clean garage' as blocked.",
            ),
            (
                "reopen task 5",
                "set_status",
                {"status": "todo"},
                "status",
                "todo",
                "Marked task #5 'renew passport' as to do.",
            ),
            (
                "set priority of task 4 to urgent",
                "set_priority",
                {"priority": "urgent"},
                "priority",
                "urgent",
                "Set the priority of task #4 'call mom' to urgent.",
            ),
            (
                "make task 4 low priority",
                "set_priority",
                {"priority": "low"},
                "priority",
                "low",
                "Set the priority of task #4 'call mom' to low.",
            ),
            (
                "reschedule task 7 to 2026-12-24",
                "set_due_date",
                {"due_date": "2026-12-24"},
                "due_date",
                "2026-12-24",
                f"Task #7 'book flights' is now due {spoken('2026-12-24')}.",
            ),
            (
                "rename task 2 to call the bank",
                "rename_task",
                {"title": "call the bank"},
                "title",
                "call the bank",
                "Renamed task #2 to 'call the bank'.",
            ),
            (
                "tag task 2 with #home",
                "add_tags",
                {"tags": ["home"]},
                "tags",
                ["work", "home"],
                "Tagged task #2 'write report': #work #home.",
            ),
        ],
    )
    async def test_changes(
        self,
        alice: ApiUser,
        via: str,
        message: str,
        tool: str,
        args: dict[str, Any],
        field: str,
        value: Any,
        reply: str,
    ) -> None:
        await seed(alice)
        task_id = int(message.split("#")[-1]) if "#" in message[:12] else None
        task_id = task_id or next(int(w) for w in message.split() if w.isdigit())

        answer = await ask(alice, message, via=via)

        assert answer["agent"] == "editor"
        assert answer["handoffs"] == [{"from": "triage", "to": "editor"}]
        assert calls(answer) == [(tool, {"task_id": task_id, **args})]
        assert answer["reply"] == reply
        assert (await task(alice, task_id))[field] == value

    async def test_move_to_next_monday(self, alice: ApiUser, via: str) -> None:
        await seed(alice)
        next_monday = week_bounds(TODAY)[0] + timedelta(days=7)

        answer = await ask(alice, "move task 7 to next monday", via=via)

        assert calls(answer) == [
            ("set_due_date", {"task_id": 7, "due_date": next_monday.isoformat()})
        ]
        assert (await task(alice, 7))["due_date"] == next_monday.isoformat()

    async def test_delete_asks_for_approval(self, alice: ApiUser, via: str) -> None:
        await seed(alice)

        answer = await ask(alice, "delete task 9", via=via)

        assert answer["agent"] == "editor"
        assert [(p["tool"], p["arguments"]) for p in answer["pending_approvals"]] == [
            ("delete_task", {"task_id": 9})
        ]
        assert (await task(alice, 9))["title"] == "old stuff"

    async def test_by_quoted_title(self, alice: ApiUser, via: str) -> None:
        await seed(alice)

        answer = await ask(alice, "mark 'call mom' as done", via=via)

        assert calls(answer) == [
            ("find_tasks", {"title": "call mom"}),
            ("set_status", {"task_id": 4, "status": "done"}),
        ]
        assert answer["reply"] == "Marked task #4 'call mom' as done."

    async def test_ambiguous_title_asks_which_and_changes_nothing(
        self, alice: ApiUser, via: str
    ) -> None:
        await seed(alice)
        await alice.client.post("/tasks", json={"title": "Buy milk", "status": "blocked"})

        answer = await ask(alice, "mark 'buy milk' as done", via=via)

        assert calls(answer) == [("find_tasks", {"title": "buy milk"})]
        assert answer["reply"] == (
            "Several tasks match 'buy milk': #1 'buy milk', #10 'Buy milk'. "
            "Which one? Answer with its id."
        )
        assert (await task(alice, 1))["status"] == "todo"
        assert (await task(alice, 10))["status"] == "blocked"

    async def test_unknown_title(self, alice: ApiUser, via: str) -> None:
        await seed(alice)

        answer = await ask(alice, "mark 'walk the dog' as done", via=via)

        assert answer["reply"] == (
            "No task matches 'walk the dog'. Say 'list my tasks' to see them, or name one by "
            "its id."
        )

    async def test_missing_task_comes_back_as_tool_output(self, alice: ApiUser, via: str) -> None:
        answer = await ask(alice, "mark task 42 as done", via=via)

        assert [c["output"] for c in answer["tool_calls"]] == [{"error": "Task 42 does not exist."}]
        assert answer["reply"] == "I couldn't do that: Task 42 does not exist."


@VIA
class TestFind:
    @pytest.mark.parametrize(
        ("message", "filters", "ids", "header"),
        [
            ("list my tasks", {}, [3, 2, 7, 9, 8, 6, 5, 4, 1], "9 tasks:"),
            ("show open tasks", {"open_only": True}, [3, 2, 7, 9, 8, 6, 4, 1], "8 open tasks:"),
            ("show high priority tasks", {"priority": ["high"]}, [2], "1 high-priority task:"),
            ("what is overdue?", {"overdue": True}, [3], "1 overdue task:"),
            ("tasks tagged #work", {"tag": "work"}, [2], "1 task tagged #work:"),
            ("search for invoice", {"query": "invoice"}, [3], "1 task mentioning 'invoice':"),
        ],
    )
    async def test_lists(
        self,
        alice: ApiUser,
        via: str,
        message: str,
        filters: dict[str, Any],
        ids: list[int],
        header: str,
    ) -> None:
        await seed(alice)
        blank = {
            "status": None,
            "priority": None,
            "tag": None,
            "query": None,
            "due_from": None,
            "due_to": None,
            "overdue": None,
            "open_only": None,
            "sort": None,
            "limit": None,
            "cursor": None,
        }

        answer = await ask(alice, message, via=via)

        assert answer["agent"] == "reporter"
        assert answer["handoffs"] == [{"from": "triage", "to": "reporter"}]
        assert calls(answer) == [("list_tasks", {**blank, **filters})]
        listed = answer["tool_calls"][0]["output"]
        assert [t["id"] for t in listed["tasks"]] == ids
        assert answer["reply"].splitlines()[0] == header
        assert [line.split()[1] for line in answer["reply"].splitlines()[1:]] == [
            f"#{i}" for i in ids
        ]

    async def test_due_this_week(self, alice: ApiUser, via: str) -> None:
        await seed(alice)
        sunday = week_bounds(TODAY)[1]

        answer = await ask(alice, "what is due this week?", via=via)

        args = calls(answer)[0][1]
        assert (args["due_from"], args["due_to"], args["open_only"]) == (
            TODAY.isoformat(),
            sunday.isoformat(),
            True,
        )
        expected = [2] if day(2) <= sunday.isoformat() else []
        assert [t["id"] for t in answer["tool_calls"][0]["output"]["tasks"]] == expected

    async def test_show_task(self, alice: ApiUser, via: str) -> None:
        await seed(alice)

        answer = await ask(alice, "show task 3", via=via)

        assert calls(answer) == [("show_task", {"task_id": 3})]
        assert answer["reply"] == (
            f"Task #3 'pay invoice' (to do, urgent priority, due {spoken(day(-1))}, overdue)."
            "\ninv 42"
        )

    async def test_count_done(self, alice: ApiUser, via: str) -> None:
        await seed(alice)

        answer = await ask(alice, "how many tasks are done?", via=via)

        assert calls(answer) == [("count_tasks", {"status": "done"})]
        assert answer["reply"] == "1 task is done."

    async def test_status_summary(self, alice: ApiUser, via: str) -> None:
        await seed(alice)

        answer = await ask(alice, "give me a status summary", via=via)

        assert calls(answer) == [("status_summary", {})]
        summary = answer["tool_calls"][0]["output"]
        assert summary["counts"] == {"todo": 6, "in_progress": 1, "blocked": 1, "done": 1}
        assert (summary["total"], summary["overdue"], summary["due_next_7_days"]) == (9, 1, 1)
        assert answer["reply"].startswith(
            "You have 9 tasks: 8 open (6 to do, 1 in progress, 1 blocked) and 1 done. "
            "1 is overdue; 1 is due in the next 7 days."
        )


@VIA
class TestAnythingElse:
    @pytest.mark.parametrize(
        "message",
        ["hello, can you organise my tasks better?", "why do my tasks keep piling up", "mark"],
    )
    async def test_replies_with_what_it_can_do(
        self, alice: ApiUser, via: str, message: str
    ) -> None:
        answer = await ask(alice, message, via=via)

        nothing(answer)
        assert answer["agent"] == "triage"
        assert answer["reply"] == UNKNOWN
