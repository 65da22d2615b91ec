"""A table-driven check of one grammar family case through POST /agent (or its stream):
the agent that answered, the exact tool calls, the approvals it waits for, the reply, and
the resulting state of every task (the ones named changed as said, no other touched)."""

from dataclasses import dataclass, field
from typing import Any

from tests.agent.helpers import all_tasks, ask, calls, pending, seed
from tests.conftest import ApiUser

Calls = list[tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    message: str
    agent: str
    calls: Calls
    after: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Fields of tasks after the run; a new id is a task the run created."""
    reply: str | None = None
    before: tuple[str, ...] = ()
    """Earlier messages of the same conversation."""
    waiting: Calls = field(default_factory=list)
    """Calls the run waits to have approved (nothing is done before)."""
    gone: tuple[int, ...] = ()
    focus: int | None = None


def cases(*table: Case) -> dict[str, Any]:
    """``pytest.mark.parametrize`` arguments with the messages as test ids."""
    return {"argnames": "case", "argvalues": table, "ids": [c.message for c in table]}


async def check(user: ApiUser, case: Case, *, via: str = "post", seeded: bool = True) -> Any:
    if seeded:
        await seed(user)
    session_id = None
    for earlier in case.before:
        focus = case.focus if session_id is None else None
        session_id = (await ask(user, earlier, session_id=session_id, task_id=focus))["session_id"]
    before = await all_tasks(user)

    focus = case.focus if session_id is None else None
    answer = await ask(user, case.message, via=via, session_id=session_id, task_id=focus)

    assert (answer["agent"], calls(answer), pending(answer)) == (
        case.agent,
        case.calls,
        case.waiting,
    )
    if case.reply is not None:
        assert answer["reply"] == case.reply
    after = await all_tasks(user)
    created = set(case.after) - set(before)
    assert set(after) == (set(before) | created) - set(case.gone)
    for task_id, task in after.items():
        if task_id in case.after:
            assert {k: task[k] for k in case.after[task_id]} == case.after[task_id]
        else:
            assert task == before[task_id]
    return answer
