"""How much of a conversation the model sees: the most recent items, whole turns first.

A long conversation stays cheap: when a run starts, at most
``TASKSERVICE_AGENT_HISTORY_ITEMS`` items (the new message included) are sent to the
model. Its stored history (``history.py``) stays whole; only what is sent is bounded,
through the SDK's own hooks: ``RunConfig.session_settings`` (the SDK reads at most that
many items from the session) and ``RunConfig.session_input_callback`` (which chooses the
window, :func:`bounded_input`).

The window never separates a tool call from its output: it starts at a user message, so
it holds whole turns (a turn, however it ended, is stored with every call's output).
Only when the most recent turn alone is longer than the window does it start inside a
turn; then it starts at a message or a call, never at a call's output or a reasoning
item, and drops any output whose call is left out.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from agents import TResponseInputItem

T = TypeVar("T")
_OUTPUTS = {"function_call_output", "custom_tool_call_output", "computer_call_output"}
_DEPENDENT = {*_OUTPUTS, "reasoning"}


def _kind(item: Any) -> str | None:
    kind = item.get("type") if isinstance(item, dict) else getattr(item, "type", None)
    return kind if isinstance(kind, str) else None


def _is_user_message(item: Any) -> bool:
    return (
        isinstance(item, dict) and item.get("role") == "user" and _kind(item) in (None, "message")
    )


def recent_turns(items: list[T], room: int) -> list[T]:
    """At most ``room`` of the last ``items``, starting at a user message if any fits."""
    if room <= 0:
        return []
    if len(items) <= room:
        return list(items)
    window = items[len(items) - room :]
    for index, item in enumerate(window):
        if _is_user_message(item):
            return window[index:]
    return _without_broken_pairs(window)


def _without_broken_pairs(window: list[T]) -> list[T]:
    start = 0
    while start < len(window) and _kind(window[start]) in _DEPENDENT:
        start += 1
    kept = window[start:]
    calls = {_call_id(item) for item in kept if _kind(item) not in _OUTPUTS and _call_id(item)}
    return [item for item in kept if _kind(item) not in _OUTPUTS or _call_id(item) in calls]


def _call_id(item: Any) -> str | None:
    call_id = item.get("call_id") if isinstance(item, dict) else getattr(item, "call_id", None)
    return call_id if isinstance(call_id, str) else None


def bounded_input(
    limit: int,
) -> Callable[[list[TResponseInputItem], list[TResponseInputItem]], list[TResponseInputItem]]:
    """The SDK's ``session_input_callback``: the stored history's most recent whole turns,
    then the new input, ``limit`` items at most in all."""

    def combine(
        history: list[TResponseInputItem], new: list[TResponseInputItem]
    ) -> list[TResponseInputItem]:
        return [*recent_turns(history, limit - len(new)), *new]

    return combine
