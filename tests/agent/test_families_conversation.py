"""Conversation families through POST /agent: greetings, thanks and help; conversations
focused on one task; "never a wrong action"; and every example of the issue's "What was
found" list, each doing the right thing now."""

import pytest

from taskservice.agent.offline.answers import GREETING, HELP, THANKS, UNKNOWN
from taskservice.agent.offline.words import day as spoken
from tests.agent.families import Case, cases, check
from tests.agent.helpers import TODAY, all_tasks, ask, calls, day, pending, seed
from tests.conftest import ApiUser

TALK = cases(
    Case("hi", "triage", [], reply=GREETING),
    Case("Hello there!", "triage", [], reply=GREETING),
    Case("thanks!", "triage", [], reply=THANKS),
    Case("help", "triage", [], reply=HELP),
    Case("what can you do?", "triage", [], reply=HELP),
    Case("How do I add a task?", "triage", [], reply=HELP),
)


class TestTalk:
    @pytest.mark.parametrize(**TALK)
    async def test_answers_with_examples_and_calls_nothing(
        self, alice: ApiUser, case: Case
    ) -> None:
        await check(alice, case)

    async def test_the_help_gives_an_example_of_every_family(self) -> None:
        for example in ("add a task", "mark buy milk", "what's on my plate", "undo", "all"):
            assert example in HELP


def _state_of_report(status: str = "to do", blocked: str = "not blocked") -> str:
    return (
        f"Task #2 'write report': {status}, high priority, due {spoken(day(2), TODAY)} "
        f"(in 2 days), {blocked}, opened today."
    )


class TestFocusedConversation:
    async def test_help_me_finish_this_gives_the_state_and_next_actions(
        self, alice: ApiUser
    ) -> None:
        await seed(alice)

        answer = await ask(alice, "help me finish this", task_id=2)

        assert (answer["agent"], calls(answer)) == ("reporter", [("show_task", {"task_id": 2})])
        assert answer["reply"] == (
            f"{_state_of_report()}\n"
            "Next:\n"
            "- Start on it: 'start it'.\n"
            "- Write down what is left: 'set its description to ...'.\n"
            "- When it is finished: 'mark it as done'."
        )

    async def test_whats_left_on_a_blocked_overdue_task(self, alice: ApiUser) -> None:
        await seed(alice)
        await alice.client.patch("/tasks/3", json={"status": "blocked"})

        answer = await ask(alice, "what's left?", task_id=3)

        assert calls(answer) == [("show_task", {"task_id": 3})]
        assert answer["reply"] == (
            f"Task #3 'pay invoice': blocked, urgent priority, due {spoken(day(-1), TODAY)} "
            "(yesterday), blocked, opened today.\n"
            "Its description: inv 42\n"
            "Next:\n"
            "- Once what blocks it is cleared: 'mark it as in progress'.\n"
            "- It is overdue: 'push it by a week', or 'it's due tomorrow'.\n"
            "- When it is finished: 'mark it as done'."
        )

    async def test_break_it_down_lists_the_steps_its_description_holds(
        self, alice: ApiUser
    ) -> None:
        await seed(alice)
        await alice.client.patch(
            "/tasks/2", json={"description": "collect numbers; draw the chart; send it"}
        )

        answer = await ask(alice, "break it down", task_id=2)

        assert answer["reply"].splitlines()[1:] == [
            "Its description lists 3 steps:",
            "1. collect numbers",
            "2. draw the chart",
            "3. send it",
            "To track them as tasks: 'add tasks: collect numbers; draw the chart; send it'.",
        ]

    async def test_break_it_down_without_steps_says_so_honestly(self, alice: ApiUser) -> None:
        await seed(alice)

        answer = await ask(alice, "break it down", task_id=7)

        assert (
            answer["reply"]
            .splitlines()[1]
            .startswith("I can't split it into steps myself (that needs a real model).")
        )

    async def test_it_means_the_focused_task(self, alice: ApiUser) -> None:
        await seed(alice)

        answer = await ask(alice, "mark it as done", task_id=8)

        assert calls(answer) == [("set_status", {"task_id": 8, "status": "done"})]


NEVER_WRONG = cases(
    Case("frobnicate task 3", "reporter", [("show_task", {"task_id": 3})]),
    Case("email task 3 to bob", "reporter", [("show_task", {"task_id": 3})]),
    Case(
        "archive the report",
        "reporter",
        [("find_tasks", {"title": "report"}), ("show_task", {"task_id": 2})],
    ),
    Case(
        "archive the spaceship", "reporter", [("find_tasks", {"title": "spaceship"})], reply=UNKNOWN
    ),
    Case("move task 7 to the top", "reporter", [("show_task", {"task_id": 7})]),
    Case("tell me a joke", "triage", [], reply=UNKNOWN),
    Case("make dinner", "triage", [], reply=UNKNOWN),
    Case(
        "add task 'delete all done tasks'",
        "planner",
        [
            (
                "create_task",
                {
                    "title": "delete all done tasks",
                    "description": None,
                    "priority": None,
                    "due_date": None,
                    "tags": None,
                },
            )
        ],
        {10: {"title": "delete all done tasks"}},
    ),
)


class TestNeverAWrongAction:
    @pytest.mark.parametrize(**NEVER_WRONG)
    async def test_changes_and_creates_nothing_it_was_not_asked_for(
        self, alice: ApiUser, case: Case
    ) -> None:
        await check(alice, case)

    async def test_an_unknown_verb_answers_with_what_it_can_do_for_that_task(
        self, alice: ApiUser
    ) -> None:
        await seed(alice)

        answer = await ask(alice, "frobnicate task 3")

        lines = answer["reply"].splitlines()
        assert lines[0] == (
            f"I can't frobnicate a task. Task #3 'pay invoice': to do, urgent priority, due "
            f"{spoken(day(-1), TODAY)} (yesterday), not blocked, opened today."
        )
        assert lines[1:3] == [
            "For it I can:",
            "- change its status: 'mark it as done', 'start it'",
        ]

    async def test_a_missing_task_is_said_so(self, alice: ApiUser) -> None:
        answer = await ask(alice, "frobnicate task 42")

        assert answer["reply"] == "I couldn't do that: Task 42 does not exist."


class TestWhatWasFound:
    """The issue's examples, tried as a new user would: each does the right thing now."""

    async def test_task_requests_are_understood(self, alice: ApiUser) -> None:
        await seed(alice)

        mom = await ask(alice, "I need to call mom tomorrow")
        plate = await ask(alice, "what's on my plate today?")
        nxt = await ask(alice, "what should I work on next?")

        assert calls(mom)[0][1]["title"] == "call mom"
        assert calls(mom)[0][1]["due_date"] == day(1)
        assert calls(plate)[0][0] == "list_tasks"
        assert calls(nxt) == [("next_tasks", {"limit": 5})]
        for message, reply in (("help", HELP), ("hi", GREETING)):
            assert (await ask(alice, message))["reply"] == reply

    async def test_requests_that_got_only_the_help_text(self, alice: ApiUser) -> None:
        await seed(alice)
        await alice.client.post("/tasks", json={"title": "plan party"})  # 10
        await alice.client.post("/tasks", json={"title": "sort mail"})  # 11
        await alice.client.patch("/tasks/7", json={"tags": ["work", "travel"]})

        pushed = await ask(alice, "push the report to next week")
        removed = await ask(alice, "remove the milk task")
        finished = await ask(alice, "I finished the report")
        bumped = await ask(alice, "bump task 11 to high priority")
        milk = await ask(alice, "mark buy milk as done")
        untagged = await ask(alice, "remove the #work tag from task 7")
        ranked = await ask(alice, "list tasks sorted by priority")
        more = await ask(alice, "show more", session_id=ranked["session_id"])

        assert calls(pushed)[-1] == ("set_due_date", {"task_id": 2, "due_date": day(9)})
        assert pending(removed) == [("delete_task", {"task_id": 1})]
        assert calls(finished)[-1] == ("set_status", {"task_id": 2, "status": "done"})
        assert calls(bumped) == [("set_priority", {"task_id": 11, "priority": "high"})]
        assert calls(milk)[-1] == ("set_status", {"task_id": 1, "status": "done"})
        assert calls(untagged) == [("remove_tags", {"task_id": 7, "tags": ["work"]})]
        assert calls(ranked)[0][1]["sort"] == "-priority,due_date"
        assert more["reply"] == "That was the whole list (11 tasks)."
        tasks = await all_tasks(alice)
        assert (tasks[2]["status"], tasks[2]["due_date"], tasks[7]["tags"]) == (
            "done",
            day(9),
            ["travel"],
        )

    async def test_wrong_actions_are_right_now(self, alice: ApiUser) -> None:
        await seed(alice)

        described = await ask(alice, "add a description to task 9: include Q3 numbers")
        added = await ask(alice, "add buy milk and eggs tomorrow high priority")

        assert calls(described) == [
            ("set_description", {"task_id": 9, "description": "include Q3 numbers"})
        ]
        new = calls(added)[0][1]
        assert (new["title"], new["due_date"], new["priority"]) == (
            "buy milk and eggs",
            day(1),
            "high",
        )
        assert len(await all_tasks(alice)) == 10

    async def test_the_readme_example_help_me_finish_this(self, alice: ApiUser) -> None:
        await seed(alice)

        answer = await ask(alice, "help me finish this", task_id=4)

        assert answer["reply"].startswith("Task #4 'call mom': in progress, medium priority")

    async def test_replies(self, alice: ApiUser) -> None:
        await alice.client.post("/tasks", json={"title": "soon", "due_date": day(0)})
        for n in range(20):
            await alice.client.post("/tasks", json={"title": f"t{n}"})

        overdue = await ask(alice, "what is overdue?")
        listed = await ask(alice, "list my tasks")
        more = await ask(alice, "show more", session_id=listed["session_id"])

        assert overdue["reply"].startswith("No tasks are overdue. 1 is due this week:")
        assert listed["reply"].endswith("...and 1 more; say 'show more'.")
        assert more["reply"].splitlines()[0] == "Task 21 of 21:"
        assert overdue["reply"].endswith(f"due {spoken(TODAY, TODAY)})")
