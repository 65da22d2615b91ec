"""Create and change families of the offline grammar through POST /agent: the exact tool
calls and the resulting tasks (see ``families.check``). Seeded tasks: ``helpers.SEED``."""

from typing import Any

import pytest

from taskservice.agent.offline.dates import parse_date
from tests.agent.families import Case, cases, check
from tests.agent.helpers import TODAY, day, seed
from tests.conftest import ApiUser

NEW = {"description": None, "priority": None, "due_date": None, "tags": None}
FRIDAY = str(parse_date("friday", TODAY))


def created(**fields: Any) -> tuple[str, dict[str, Any]]:
    return ("create_task", {**NEW, **fields})


def find(title: str) -> tuple[str, dict[str, Any]]:
    return ("find_tasks", {"title": title})


CREATE = cases(
    Case(
        "I need to call mom tomorrow",
        "planner",
        [created(title="call mom", due_date=day(1))],
        {10: {"title": "call mom", "due_date": day(1)}},
    ),
    Case(
        "remind me to call the bank friday",
        "planner",
        [created(title="call the bank", due_date=FRIDAY)],
        {10: {"title": "call the bank", "due_date": FRIDAY}},
    ),
    Case(
        "add buy milk and eggs tomorrow high priority",
        "planner",
        [created(title="buy milk and eggs", priority="high", due_date=day(1))],
        {10: {"title": "buy milk and eggs", "priority": "high", "due_date": day(1)}},
    ),
    Case(
        "put eggs on my list #home",
        "planner",
        [created(title="eggs", tags=["home"])],
        {10: {"title": "eggs", "tags": ["home"]}},
    ),
    Case(
        "Add Pay Rent To My List, urgent priority",
        "planner",
        [created(title="Pay Rent", priority="urgent")],
        {10: {"title": "Pay Rent", "priority": "urgent"}},
    ),
)

BY_TITLE = cases(
    Case(
        "mark buy milk as done",
        "editor",
        [find("buy milk"), ("set_status", {"task_id": 1, "status": "done"})],
        {1: {"status": "done"}},
        "Marked task #1 'buy milk' as done.",
    ),
    Case(
        "I finished the report",
        "editor",
        [find("report"), ("set_status", {"task_id": 2, "status": "done"})],
        {2: {"status": "done"}},
    ),
    Case(
        "remove the milk task",
        "editor",
        [find("milk")],
        waiting=[("delete_task", {"task_id": 1})],
    ),
    Case(
        "what's the status of the invoice?",
        "reporter",
        [find("invoice"), ("show_task", {"task_id": 3})],
    ),
    Case(
        "mark the dentist as done",
        "editor",
        [find("dentist")],
        reply="No task matches 'dentist'. Say 'list my tasks' to see them, or name one by its id.",
    ),
)

SCHEDULE = cases(
    Case(
        "push the report to next week",
        "editor",
        [find("report"), ("set_due_date", {"task_id": 2, "due_date": day(9)})],
        {2: {"due_date": day(9)}},
    ),
    Case(
        "postpone task 7 by 3 days",
        "editor",
        [("show_task", {"task_id": 7}), ("set_due_date", {"task_id": 7, "due_date": day(33)})],
        {7: {"due_date": day(33)}},
    ),
    Case(
        "push task 8 back by a week",
        "editor",
        [("show_task", {"task_id": 8}), ("set_due_date", {"task_id": 8, "due_date": day(7)})],
        {8: {"due_date": day(7)}},
    ),
    Case(
        "clear the due date of the report",
        "editor",
        [find("report"), ("clear_due_date", {"task_id": 2})],
        {2: {"due_date": None}},
        "Removed the due date of task #2 'write report'.",
    ),
    Case(
        "postpone task 7",
        "triage",
        [],
        reply=(
            "By how much? For example 'push it by 2 days', 'push it to next week' or 'move it to "
            "friday'."
        ),
    ),
)

PRIORITY = cases(
    Case(
        "bump task 4 to high priority",
        "editor",
        [("set_priority", {"task_id": 4, "priority": "high"})],
        {4: {"priority": "high"}},
    ),
    Case(
        "bump the report",
        "editor",
        [find("report"), ("set_priority", {"task_id": 2, "priority": "urgent"})],
        {2: {"priority": "urgent"}},
        "Raised the priority of task #2 'write report' from high to urgent.",
    ),
    Case(
        "bump task 3",
        "editor",
        [("show_task", {"task_id": 3})],
        reply="Task #3 'pay invoice' is already urgent, the highest priority.",
    ),
)

DETAILS = cases(
    Case(
        "remove the #work tag from task 2",
        "editor",
        [("remove_tags", {"task_id": 2, "tags": ["work"]})],
        {2: {"tags": []}},
        "Removed #work from task #2 'write report'. It has no tags now.",
    ),
    Case(
        "add a description to task 9: include Q3 numbers",
        "editor",
        [("set_description", {"task_id": 9, "description": "include Q3 numbers"})],
        {9: {"description": "include Q3 numbers"}},
    ),
    Case(
        "set the description of buy milk to 2 liters, organic",
        "editor",
        [find("buy milk"), ("set_description", {"task_id": 1, "description": "2 liters, organic"})],
        {1: {"description": "2 liters, organic"}},
    ),
    Case(
        "clear the description of task 3",
        "editor",
        [("set_description", {"task_id": 3, "description": None})],
        {3: {"description": None}},
    ),
)

PRONOUNS = cases(
    Case(
        "set its priority to high",
        "editor",
        [("set_priority", {"task_id": 7, "priority": "high"})],
        {7: {"priority": "high"}},
        before=("show task 7",),
    ),
    Case(
        "delete it",
        "editor",
        [],
        waiting=[("delete_task", {"task_id": 9})],
        before=("show task 9",),
    ),
    Case(
        "push it by a week",
        "editor",
        [("show_task", {"task_id": 7}), ("set_due_date", {"task_id": 7, "due_date": day(37)})],
        {7: {"due_date": day(37)}},
        before=("what's the status of book flights?",),
    ),
    Case(
        "remove the #home tag from it",
        "editor",
        [("remove_tags", {"task_id": 1, "tags": ["home"]})],
        {1: {"tags": []}},
        before=("mark buy milk as in progress",),
    ),
    Case(
        "clear its due date",
        "editor",
        [("clear_due_date", {"task_id": 2})],
        {2: {"due_date": None}},
        before=("show task 2",),
    ),
    Case(
        "rename it to call the bank",
        "editor",
        [("rename_task", {"task_id": 8, "title": "call the bank"})],
        {8: {"title": "call the bank"}},
        before=("show task 8",),
    ),
    Case(
        "delete it",
        "editor",
        [],
        reply="Which task do you mean? Name it by its id (e.g. 'task 3') or its title.",
    ),
)


class TestCreate:
    @pytest.mark.parametrize("via", ["post", "stream"])
    @pytest.mark.parametrize(**CREATE)
    async def test_creates(self, alice: ApiUser, case: Case, via: str) -> None:
        await check(alice, case, via=via)


class TestChange:
    @pytest.mark.parametrize(**BY_TITLE)
    async def test_by_unquoted_title(self, alice: ApiUser, case: Case) -> None:
        await check(alice, case)

    @pytest.mark.parametrize(**SCHEDULE)
    async def test_due_dates(self, alice: ApiUser, case: Case) -> None:
        await check(alice, case)

    @pytest.mark.parametrize(**PRIORITY)
    async def test_priority(self, alice: ApiUser, case: Case) -> None:
        await check(alice, case)

    @pytest.mark.parametrize(**DETAILS)
    async def test_tags_and_descriptions(self, alice: ApiUser, case: Case) -> None:
        await check(alice, case)

    @pytest.mark.parametrize(**PRONOUNS)
    async def test_pronouns(self, alice: ApiUser, case: Case) -> None:
        await check(alice, case)

    async def test_several_matches_ask_which_and_change_nothing(self, alice: ApiUser) -> None:
        await seed(alice)
        await alice.client.post("/tasks", json={"title": "buy oat milk"})
        question = Case(
            "mark milk as done",
            "editor",
            [find("milk")],
            reply=(
                "Several tasks match 'milk': #1 'buy milk', #10 'buy oat milk'. Which one? "
                "Answer with its id."
            ),
        )
        await check(alice, question, seeded=False)

    async def test_the_answer_to_which_one_acts_on_that_task(self, alice: ApiUser) -> None:
        await seed(alice)
        await alice.client.post("/tasks", json={"title": "buy oat milk"})
        answer = Case(
            "10",
            "editor",
            [("set_status", {"task_id": 10, "status": "done"})],
            {10: {"status": "done"}},
            before=("mark milk as done",),
        )
        await check(alice, answer, seeded=False)


class TestThroughTheStream:
    @pytest.mark.parametrize(
        "case",
        [
            Case(
                "push the report to next week",
                "editor",
                [find("report"), ("set_due_date", {"task_id": 2, "due_date": day(9)})],
                {2: {"due_date": day(9)}},
            ),
            Case(
                "postpone task 7 by 3 days",
                "editor",
                [
                    ("show_task", {"task_id": 7}),
                    ("set_due_date", {"task_id": 7, "due_date": day(33)}),
                ],
                {7: {"due_date": day(33)}},
            ),
        ],
        ids=["by title", "reads the task first"],
    )
    async def test_steps_over_several_model_calls_stream_alike(
        self, alice: ApiUser, case: Case
    ) -> None:
        await check(alice, case, via="stream")
