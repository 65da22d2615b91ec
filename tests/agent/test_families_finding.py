"""Find families of the offline grammar through POST /agent: today's plate, what next,
in progress, the status of a task, sorted lists, "show more", and replies a person can act
on (counts and names, what is coming up, weekday dates)."""

from typing import Any

import pytest

from taskservice.agent.offline.dates import week_bounds
from taskservice.agent.offline.words import day as spoken
from tests.agent.families import Case, cases, check
from tests.agent.helpers import TODAY, ask, calls, day, seed
from tests.conftest import ApiUser

LIST = {
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


def listed(**arguments: Any) -> tuple[str, dict[str, Any]]:
    return ("list_tasks", {**LIST, **arguments})


def said(iso: str) -> str:
    return spoken(iso, TODAY)


FIND = cases(
    Case(
        "what's on my plate today?",
        "reporter",
        [listed(due_to=day(0), open_only=True)],
        reply=(
            "On your plate today (due today or overdue): 1 task:\n- #3 'pay invoice' (to do, "
            f"urgent priority, due {said(day(-1))}, overdue)"
        ),
    ),
    Case(
        "What should I work on next?",
        "reporter",
        [("next_tasks", {"limit": 5})],
        reply=(
            "Work on these next (highest priority, then soonest due):\n"
            f"1. #3 'pay invoice' (to do, urgent priority, due {said(day(-1))}, overdue)\n"
            f"2. #2 'write report' (to do, high priority, due {said(day(2))}, #work)\n"
            f"3. #7 'book flights' (to do, medium priority, due {said(day(30))})\n"
            "4. #1 'buy milk' (to do, medium priority, #home)\n"
            "5. #4 'call mom' (in progress, medium priority)"
        ),
    ),
    Case(
        "what am I working on?",
        "reporter",
        [listed(status=["in_progress"])],
        reply="1 in progress task:\n- #4 'call mom' (in progress, medium priority)",
    ),
    Case(
        "what's the status of book flights?",
        "reporter",
        [("find_tasks", {"title": "book flights"}), ("show_task", {"task_id": 7})],
        reply=f"Task #7 'book flights' (to do, medium priority, due {said(day(30))}).",
    ),
    Case(
        "list open tasks sorted by priority",
        "reporter",
        [listed(open_only=True, sort="-priority,due_date")],
    ),
    Case(
        "how many tasks are blocked?",
        "reporter",
        [("count_tasks", {"status": "blocked"})],
        reply="1 task is blocked.",
    ),
)


class TestFind:
    @pytest.mark.parametrize(**FIND)
    async def test_finds(self, alice: ApiUser, case: Case) -> None:
        await check(alice, case)

    async def test_sorted_by_priority_lists_the_most_urgent_first(self, alice: ApiUser) -> None:
        await seed(alice)

        answer = await ask(alice, "list tasks sorted by priority")

        assert [t["id"] for t in answer["tool_calls"][0]["output"]["tasks"]] == [
            3,
            2,
            7,
            1,
            4,
            5,
            6,
            8,
            9,
        ]
        assert answer["reply"].splitlines()[0] == "9 tasks, highest priority first:"


class TestShowMore:
    async def test_show_more_continues_the_conversations_last_list(self, alice: ApiUser) -> None:
        for n in range(1, 26):
            await alice.client.post("/tasks", json={"title": f"task number {n:02}"})

        first = await ask(alice, "list my tasks sorted by title")
        more = await ask(alice, "show more", session_id=first["session_id"])
        end = await ask(alice, "show more", session_id=first["session_id"])

        assert first["reply"].splitlines()[0] == "25 tasks, by title:"
        assert first["reply"].splitlines()[-1] == "...and 5 more; say 'show more'."
        cursor = first["tool_calls"][0]["output"]["next_cursor"]
        assert calls(more) == [listed(sort="title", cursor=cursor)]
        assert more["reply"].splitlines()[0] == "Tasks 21-25 of 25:"
        assert [line.split("'")[1] for line in more["reply"].splitlines()[1:]] == [
            f"task number {n}" for n in range(21, 26)
        ]
        assert (calls(end), end["reply"]) == ([], "That was the whole list (25 tasks).")

    async def test_show_more_without_a_list_says_how_to_start_one(self, alice: ApiUser) -> None:
        answer = await ask(alice, "show more")

        assert (answer["agent"], calls(answer)) == ("reporter", [])
        assert answer["reply"] == "There is no list to continue. Say 'list my tasks' to start one."


class TestRepliesAPersonCanActOn:
    async def test_nothing_overdue_says_what_is_due_this_week(self, alice: ApiUser) -> None:
        await alice.client.post("/tasks", json={"title": "call mom", "due_date": day(0)})
        await alice.client.post("/tasks", json={"title": "far away", "due_date": day(40)})

        answer = await ask(alice, "what is overdue?")

        sunday = week_bounds(TODAY)[1].isoformat()
        assert calls(answer) == [
            listed(overdue=True),
            listed(due_from=day(0), due_to=sunday, open_only=True, limit=5),
        ]
        assert answer["reply"] == (
            "No tasks are overdue. 1 is due this week:\n"
            f"- #1 'call mom' (to do, medium priority, due {said(day(0))})"
        )

    async def test_an_empty_plate_says_what_is_coming_up(self, alice: ApiUser) -> None:
        await alice.client.post("/tasks", json={"title": "call mom", "due_date": day(3)})

        answer = await ask(alice, "what's on my plate today?")

        assert answer["reply"] == (
            "Nothing is on your plate today: no open task is due today or overdue. "
            "1 is due in the next 7 days:\n"
            f"- #1 'call mom' (to do, medium priority, due {said(day(3))})"
        )

    async def test_an_empty_list_says_which_tasks_there_are_none_of(self, alice: ApiUser) -> None:
        answer = await ask(alice, "show blocked tasks tagged #work")

        assert answer["reply"] == "No blocked tasks tagged #work."

    async def test_a_cut_list_says_how_many_more_and_how_to_see_them(self, alice: ApiUser) -> None:
        for n in range(21):
            await alice.client.post("/tasks", json={"title": f"t{n}"})

        answer = await ask(alice, "list my tasks")

        assert len(answer["reply"].splitlines()) == 22
        assert answer["reply"].splitlines()[-1] == "...and 1 more; say 'show more'."
