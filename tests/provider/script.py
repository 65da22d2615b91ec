"""The script a test sets on the fake provider, and what a step reads from a request.

A script is a list of steps; each model request consumes the next one. See ``Step`` for the
keys. Requests are the parsed JSON bodies of either API: Responses (``input``, tools with a
top-level ``name``) or Chat Completions (``messages``, tools with ``function.name``).
"""

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, Required, TypedDict

LAST_TOOL_OUTPUT = "{last_tool_output}"
LAST_USER_MESSAGE = "{last_user_message}"


class ToolCallSpec(TypedDict):
    name: str
    arguments: NotRequired[dict[str, Any] | str]


class ErrorSpec(TypedDict, total=False):
    status: Required[int]
    message: str
    headers: dict[str, str]
    type: str
    code: str | None


class Step(TypedDict, total=False):
    """One scripted model turn: exactly one of text and/or tool_calls, error, malformed.

    - ``text``: one assistant message; ``{last_tool_output}`` and ``{last_user_message}`` are
      filled from the request (left as written when the request has none).
    - ``tool_calls``: function calls, after the message if there is one; ``arguments`` is an
      object or a raw JSON string (default ``{}``). Every call gets fresh ids.
    - ``expect_tool``: answer 400 unless the request declares a tool of this name.
    - ``error``: answer ``status`` with an OpenAI error body and extra ``headers``;
      ``times: N`` consumes the step only after N requests (for the client's retries).
    - ``malformed``: answer 200 with a body (or SSE data line) that is not JSON.
    - ``delay_s``: wait before answering (before the first byte when streaming).
    - ``repeat``: on the last step only, reuse it for every further request.
    """

    text: str
    tool_calls: list[ToolCallSpec]
    expect_tool: str
    error: ErrorSpec
    times: int
    malformed: bool
    delay_s: float
    repeat: bool


class RecordedRequest(TypedDict):
    """A model request as ``GET /_requests`` returns it; the Authorization value is dropped."""

    path: str
    body: Any
    headers: dict[str, str]
    has_authorization: bool


STEP_KEYS = frozenset(Step.__annotations__)
ERROR_KEYS = frozenset(ErrorSpec.__annotations__)


class ScriptError(ValueError):
    """The script a test posted is not well formed."""


def validate_steps(steps: object) -> list[Step]:
    """Check a posted script, so a typo fails at ``/_script`` and not mid-run."""
    if not isinstance(steps, list):
        raise ScriptError("'steps' must be a list")
    for index, step in enumerate(steps):
        _validate_step(index, step, is_last=index == len(steps) - 1)
    return steps


def _validate_step(index: int, step: object, *, is_last: bool) -> None:
    where = f"step {index}"
    if not isinstance(step, dict):
        raise ScriptError(f"{where}: must be an object")
    if unknown := set(step) - STEP_KEYS:
        raise ScriptError(f"{where}: unknown keys {sorted(unknown)}")
    kinds = [k for k in ("error", "malformed") if k in step]
    if "text" in step or "tool_calls" in step:
        kinds.append("reply")
    if len(kinds) != 1:
        raise ScriptError(f"{where}: needs exactly one of text/tool_calls, error, malformed")
    if "text" in step and not isinstance(step["text"], str):
        raise ScriptError(f"{where}: 'text' must be a string")
    if "tool_calls" in step:
        _validate_tool_calls(where, step["tool_calls"])
    if "error" in step:
        _validate_error(where, step["error"])
    if "malformed" in step and step["malformed"] is not True:
        raise ScriptError(f"{where}: 'malformed' must be true")
    if "expect_tool" in step and not isinstance(step["expect_tool"], str):
        raise ScriptError(f"{where}: 'expect_tool' must be a string")
    times = step.get("times", 1)
    if not isinstance(times, int) or times < 1 or ("times" in step and "error" not in step):
        raise ScriptError(f"{where}: 'times' must be an integer >= 1, on an error step")
    delay = step.get("delay_s", 0)
    if not isinstance(delay, int | float) or delay < 0:
        raise ScriptError(f"{where}: 'delay_s' must be a number >= 0")
    if step.get("repeat", False) and not is_last:
        raise ScriptError(f"{where}: 'repeat' is only allowed on the last step")


def _validate_tool_calls(where: str, calls: object) -> None:
    if not isinstance(calls, list) or not calls:
        raise ScriptError(f"{where}: 'tool_calls' must be a non-empty list")
    for call in calls:
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            raise ScriptError(f"{where}: each tool call needs a string 'name'")
        if not isinstance(call.get("arguments", {}), dict | str):
            raise ScriptError(f"{where}: tool call 'arguments' must be an object or a string")


def _validate_error(where: str, error: object) -> None:
    if not isinstance(error, dict) or not isinstance(error.get("status"), int):
        raise ScriptError(f"{where}: 'error' needs an integer 'status'")
    if unknown := set(error) - ERROR_KEYS:
        raise ScriptError(f"{where}: unknown error keys {sorted(unknown)}")
    if not 400 <= error["status"] <= 599:
        raise ScriptError(f"{where}: error status must be 4xx or 5xx")


class Script:
    """The steps a test set, and how far requests have consumed them."""

    def __init__(self) -> None:
        self._steps: list[Step] = []
        self._index = 0
        self._hits = 0

    def replace(self, steps: list[Step]) -> None:
        self._steps = steps
        self._index = 0
        self._hits = 0

    @property
    def pending(self) -> int:
        return len(self._steps) - self._index

    def next_step(self) -> Step | None:
        """The step for this request; None once the script is exhausted."""
        if self._index >= len(self._steps):
            return None
        step = self._steps[self._index]
        self._hits += 1
        if step.get("repeat", False):
            return step
        if self._hits >= step.get("times", 1):
            self._index += 1
            self._hits = 0
        return step


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def count_tokens(text: str) -> int:
    """A stable stand-in for a tokenizer: about four characters a token."""
    return max(1, len(text) // 4)


def split_words(text: str) -> list[str]:
    """Stream text as a model does, in several deltas: 'The sum is 5' -> 'The ', 'sum ', ..."""
    return [piece for piece in re.split(r"(?<=\s)(?=\S)", text) if piece]


def split_chunks(text: str, size: int = 8) -> list[str]:
    """Stream tool-call arguments in fragments, so clients must concatenate them."""
    return [text[start : start + size] for start in range(0, len(text), size)]


def declared_tool_names(body: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for tool in body.get("tools") or []:
        if not isinstance(tool, dict):
            continue
        function = tool.get("function")
        name = function.get("name") if isinstance(function, dict) else tool.get("name")
        if isinstance(name, str):
            names.append(name)
    return names


def _conversation(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = body.get("messages", body.get("input"))
    if isinstance(raw, str):
        return [{"role": "user", "content": raw}]
    if isinstance(raw, list):
        return [item for item in raw if isinstance(item, dict)]
    return []


def _text_of(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def last_tool_output(body: Mapping[str, Any]) -> str | None:
    for item in reversed(_conversation(body)):
        if item.get("type") == "function_call_output":
            return _text_of(item.get("output"))
        if item.get("role") == "tool":
            return _text_of(item.get("content"))
    return None


def last_user_message(body: Mapping[str, Any]) -> str | None:
    for item in reversed(_conversation(body)):
        if item.get("role") == "user" and item.get("type", "message") == "message":
            return _text_of(item.get("content"))
    return None


def render_text(template: str, body: Mapping[str, Any]) -> str:
    """Fill the placeholders; one with nothing to fill stays as written, to show in asserts."""
    text = template
    if LAST_TOOL_OUTPUT in text and (output := last_tool_output(body)) is not None:
        text = text.replace(LAST_TOOL_OUTPUT, output)
    if LAST_USER_MESSAGE in text and (message := last_user_message(body)) is not None:
        text = text.replace(LAST_USER_MESSAGE, message)
    return text


@dataclass(frozen=True)
class PlannedCall:
    call_id: str
    item_id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Reply:
    """What the model says this turn, independent of the wire format."""

    text: str | None
    calls: Sequence[PlannedCall]

    @property
    def output_tokens(self) -> int:
        parts = [self.text or ""] + [call.name + call.arguments for call in self.calls]
        return count_tokens("".join(parts))


def plan_reply(step: Step, body: Mapping[str, Any]) -> Reply:
    calls = [
        PlannedCall(
            call_id=new_id("call"),
            item_id=new_id("fc"),
            name=spec["name"],
            arguments=_arguments_json(spec.get("arguments", {})),
        )
        for spec in step.get("tool_calls", [])
    ]
    text = step.get("text")
    return Reply(text=None if text is None else render_text(text, body), calls=calls)


def _arguments_json(arguments: dict[str, Any] | str) -> str:
    return arguments if isinstance(arguments, str) else json.dumps(arguments)
