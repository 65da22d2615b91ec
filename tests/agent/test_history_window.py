"""TASKSERVICE_AGENT_HISTORY_ITEMS: a long conversation sends the model only its most
recent whole turns, never a tool call without its output, and is stored whole."""

from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from taskservice.agent.history import SDK_ITEMS
from taskservice.agent.history_window import bounded_input, recent_turns
from taskservice.agent.offline.model import OfflineModel
from taskservice.db import DbSessionMaker
from tests.agent.conftest import use_model
from tests.agent.helpers import ask, seed
from tests.conftest import ApiUser

Item = dict[str, Any]


def user(text: str) -> Item:
    return {"role": "user", "content": text}


def assistant(text: str) -> Item:
    return {"role": "assistant", "content": text}


def call(call_id: str) -> Item:
    return {"type": "function_call", "call_id": call_id, "name": "list_tasks", "arguments": "{}"}


def output(call_id: str) -> Item:
    return {"type": "function_call_output", "call_id": call_id, "output": "[]"}


def reasoning() -> Item:
    return {"type": "reasoning", "id": "rs_1", "summary": []}


def turn(n: int, calls: int) -> list[Item]:
    """A user message, ``calls`` tool calls each with its output, an answer."""
    items = [user(f"q{n}")]
    for c in range(calls):
        items += [call(f"c{n}.{c}"), output(f"c{n}.{c}")]
    return [*items, assistant(f"a{n}")]


def pairs_intact(items: list[Item]) -> bool:
    calls = [i["call_id"] for i in items if i.get("type") == "function_call"]
    outputs = [i["call_id"] for i in items if i.get("type") == "function_call_output"]
    return sorted(calls) == sorted(outputs)


class TestRecentTurns:
    def test_a_short_history_is_sent_whole(self) -> None:
        history = turn(1, 1) + turn(2, 0)

        assert recent_turns(history, 10) == history

    def test_the_window_starts_at_a_turn(self) -> None:
        history = turn(1, 2) + turn(2, 1) + turn(3, 0)  # 6 + 4 + 2 items

        # The last 7 items start inside turn 1 (its last call's output): turns 2 and 3.
        assert recent_turns(history, 7) == turn(2, 1) + turn(3, 0)

    def test_a_turn_longer_than_the_window_keeps_its_tail_with_whole_pairs(self) -> None:
        history = [*turn(1, 0), user("q2"), reasoning(), call("x"), call("y")]
        history += [output("x"), output("y"), reasoning(), call("z"), output("z"), assistant("a2")]

        # The last 7 start at call y: output x, whose call is left out, goes too.
        assert recent_turns(history, 7) == [
            call("y"),
            output("y"),
            reasoning(),
            call("z"),
            output("z"),
            assistant("a2"),
        ]
        # The last 6 start at output x: the window starts at the next call.
        assert recent_turns(history, 6) == [call("z"), output("z"), assistant("a2")]

    def test_no_room_sends_no_history(self) -> None:
        assert recent_turns(turn(1, 1), 0) == []

    def test_the_callback_counts_the_new_message(self) -> None:
        history: Any = turn(1, 1) + turn(2, 1)  # 4 + 4 items
        new: Any = [user("q3")]

        assert bounded_input(5)(history, new) == [*turn(2, 1), user("q3")]
        assert bounded_input(4)(history, new) == [
            call("c2.0"),
            output("c2.0"),
            assistant("a2"),
            user("q3"),
        ]

    @settings(max_examples=300, deadline=None)
    @given(
        shape=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=12),
        room=st.integers(min_value=0, max_value=60),
    )
    def test_any_window_is_bounded_and_keeps_pairs(self, shape: list[int], room: int) -> None:
        history = [item for n, calls in enumerate(shape) for item in turn(n, calls)]

        window = recent_turns(history, room)

        assert len(window) <= room
        assert pairs_intact(window)
        assert window == history[len(history) - len(window) :]
        if any(i.get("role") == "user" for i in history[len(history) - room :]):
            assert window[0].get("role") == "user"
        elif window:
            assert window[0].get("type") != "function_call_output"


class RecordingModel(OfflineModel):
    """The offline model, remembering the input of every call."""

    def __init__(self) -> None:
        self.inputs: list[list[Item]] = []

    async def get_response(self, *args: Any, **kwargs: Any) -> Any:
        self.inputs.append(list(args[1] if len(args) > 1 else kwargs["input"]))
        return await super().get_response(*args, **kwargs)


async def stored_items(db_sessions: DbSessionMaker, session_id: str) -> int:
    async with db_sessions() as db:
        count = await db.scalar(
            select(func.count()).select_from(SDK_ITEMS).where(SDK_ITEMS.c.session_id == session_id)
        )
    return int(count or 0)


class TestThroughTheApi:
    # Each turn here is 6 items: the message, the handoff and its output, the tool call
    # and its output, the answer. The window then holds the last turns that fit whole.
    @pytest.mark.parametrize(
        ("limit", "sent", "starts_with"),
        [(2, 2, "assistant"), (10, 7, "user"), (25, 25, "user")],
    )
    async def test_the_model_sees_at_most_n_items_and_the_store_keeps_all(
        self,
        app: FastAPI,
        alice: ApiUser,
        db_sessions: DbSessionMaker,
        limit: int,
        sent: int,
        starts_with: str,
    ) -> None:
        await seed(alice)
        model = RecordingModel()
        use_model(app, model, agent_history_items=limit)
        session_id = (await ask(alice, "list my tasks"))["session_id"]
        for message in ["show task 3", "mark task 2 as done", "what is overdue?"] * 3:
            await ask(alice, message, session_id=session_id)
        stored = await stored_items(db_sessions, session_id)
        model.inputs.clear()

        reply = await ask(alice, "show task 4", session_id=session_id)

        first = model.inputs[0]
        assert (len(first), first[0]["role"]) == (sent, starts_with)
        assert first[-1] == {"role": "user", "content": "show task 4"}
        assert all(pairs_intact(sent) for sent in model.inputs)
        assert reply["tool_calls"][0]["output"]["task"]["id"] == 4
        # Every item is kept: the ten turns before, and this one's.
        assert stored == 10 * 6
        assert await stored_items(db_sessions, session_id) == stored + 6

    async def test_the_default_sends_a_short_conversation_whole(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        model = RecordingModel()
        use_model(app, model)
        first = await ask(alice, "add a task to buy milk")
        model.inputs.clear()

        await ask(alice, "list my tasks", session_id=first["session_id"])

        assert len(model.inputs[0]) == 6 + 1
