"""What a run that did not complete says it did: one line per completed tool call, bulk
changes and undos included."""

from typing import Any

import pytest

from taskservice.agent.runs.replies import describe_call

A = {"id": 4, "title": "a"}
B = {"id": 5, "title": "b"}


@pytest.mark.parametrize(
    ("name", "output", "said"),
    [
        ("set_status", {"updated": A}, "updated task #4 'a'"),
        ("update_tasks", {"updated": [A, B]}, "updated task #4 'a', task #5 'b'"),
        ("delete_tasks", {"deleted": [A, B]}, "deleted task #4 'a', task #5 'b'"),
        ("delete_tasks", {"error": "No task 9."}, "delete_tasks failed (No task 9.)"),
        (
            "undo_last_change",
            {"undone": {"reverted": [A], "restored": [B], "deleted": []}},
            "undid the last change: reverted task #4 'a'; restored task #5 'b'",
        ),
        ("list_tasks", {"total": 0, "tasks": []}, "list_tasks ran"),
    ],
)
def test_describe_call(name: str, output: Any, said: str) -> None:
    assert describe_call(name, output) == said
