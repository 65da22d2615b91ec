"""Every example of the README's offline grammar table does what the table says: sent to
POST /agent against the sample tasks, it makes exactly the tool calls of its row."""

import re
from pathlib import Path

import pytest

from tests.agent.helpers import ask, calls, pending, seed
from tests.conftest import ApiUser

README = Path(__file__).parents[2] / "README.md"
HEADER = "| Family | You say | The agent calls |"
_CALL = re.compile(r"`(\w+)`(?:\s*x(\d+))?(\s*\(approval\))?")
"""A call in the last column: "`create_task` x3", "`delete_task` (approval)"."""


def _rows() -> list[tuple[str, list[str], int | None, list[str], list[str]]]:
    """(family, messages, task_id, calls, calls waiting for approval) per row."""
    lines = README.read_text().split(HEADER, 1)[1].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        family, said, called = (cell.strip() for cell in line.strip("|").split("|"))
        focus = re.search(r"with `task_id` (\d+)", said)
        messages = re.findall(r'"([^"]+)"', re.sub(r"\([^)]*\)", "", said))
        direct: list[str] = []
        waiting: list[str] = []
        for name, times, approval in _CALL.findall(called):
            (waiting if approval else direct).extend([name] * int(times or 1))
        assert direct or waiting or called == "nothing", line
        rows.append((family, messages, int(focus[1]) if focus else None, direct, waiting))
    return rows


ROWS = _rows()


def test_the_table_has_every_family() -> None:
    assert {row[0] for row in ROWS} == {
        "create",
        "change",
        "pronouns",
        "bulk",
        "undo",
        "find",
        "task focus",
        "talk",
        "never wrong",
    }
    assert len(ROWS) == 56


@pytest.mark.parametrize(
    ("family", "messages", "focus", "direct", "waiting"),
    ROWS,
    ids=[" then ".join(row[1]) for row in ROWS],
)
async def test_each_example_does_what_the_readme_says(
    alice: ApiUser,
    family: str,
    messages: list[str],
    focus: int | None,
    direct: list[str],
    waiting: list[str],
) -> None:
    await seed(alice)
    if "show more" in messages:
        for n in range(10, 26):
            await alice.client.post("/tasks", json={"title": f"chore {n}"})
    session_id = None
    for earlier in messages[:-1]:
        first = session_id is None
        reply = await ask(alice, earlier, session_id=session_id, task_id=focus if first else None)
        session_id = reply["session_id"]

    answer = await ask(
        alice, messages[-1], session_id=session_id, task_id=focus if session_id is None else None
    )

    assert [name for name, _ in calls(answer)] == direct
    assert [name for name, _ in pending(answer)] == waiting
