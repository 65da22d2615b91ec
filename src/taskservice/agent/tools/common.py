"""What every tool shares: task views, JSON output, and errors as tool output.

A tool's expected failure (no such task, an invalid value) goes back to the
model as the tool's output, a JSON object with an ``error`` field, so the
model can tell the user or correct itself. An unexpected failure is logged and
reported to the model without its internals.
"""

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any, Literal, get_args

from agents import RunContextWrapper
from agents.tool_context import ToolContext
from pydantic import ValidationError

from taskservice.agent.context import AgentContext
from taskservice.errors import AppError, validation_errors
from taskservice.tasks.models import Priority, Status, Task
from taskservice.tasks.repository import TaskRepository
from taskservice.tasks.schemas import TaskRead

logger = logging.getLogger("taskservice.agent.tools")

# The enums' values, spelled out so that a tool's JSON schema lists them inline (``enum``),
# which models follow more reliably than a ``$ref``; checked against the enums here.
StatusArg = Literal["todo", "in_progress", "blocked", "done"]
PriorityArg = Literal["low", "medium", "high", "urgent"]
assert list(get_args(StatusArg)) == [s.value for s in Status]
assert list(get_args(PriorityArg)) == [p.value for p in Priority]
Ctx = ToolContext[AgentContext]


def task_views(tasks: Sequence[Task | TaskRead]) -> list[dict[str, Any]]:
    return [task_view(task) for task in tasks]


def task_view(task: Task | TaskRead, *, detailed: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": task.id,
        "title": task.title,
        "status": str(task.status),
        "priority": str(task.priority),
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "tags": list(task.tags),
    }
    if detailed:
        view["description"] = task.description
        view["created_at"] = task.created_at.isoformat()
        view["updated_at"] = task.updated_at.isoformat()
        view["completed_at"] = task.completed_at.isoformat() if task.completed_at else None
        view["version"] = task.version
    return view


def to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def decode_output(output: Any) -> Any:
    """A tool's output as the JSON value it holds (text that is not JSON stays text)."""
    if isinstance(output, str):
        try:
            return json.loads(output)
        except ValueError:
            return output
    return output


def error_output(message: str) -> str:
    return to_json({"error": message})


def validation_message(exc: ValidationError) -> str:
    """The same field errors a REST client gets in a 422, as one line."""
    parts = [f"{e.field or 'value'}: {e.message}" for e in validation_errors(exc.errors())]
    return error_output("invalid value: " + "; ".join(parts))


async def with_tasks(ctx: Ctx, work: Callable[[TaskRepository], Awaitable[Any]]) -> str:
    """Do ``work`` on the user's tasks as one unit of work of the run; the tool's output
    is its result as JSON, or the reason it failed (it then changed nothing)."""
    return await ctx.context.tool_calls.execute(ctx, work)


def parse_day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AppError(f"{name} must be a date written YYYY-MM-DD, not {value!r}") from None


def _signature(ctx: RunContextWrapper[Any]) -> str:
    """What the tool takes, from its own JSON schema, so the model can correct itself.
    (The SDK keeps validation details out of the error, as they may hold user data.)"""
    name = getattr(ctx, "tool_name", None)
    agent = getattr(ctx, "agent", None)
    for tool in getattr(agent, "tools", []):
        if getattr(tool, "name", None) == name:
            properties = tool.params_json_schema.get("properties", {})
            params = ", ".join(f"{p}: {_type_of(s)}" for p, s in properties.items())
            return f"{name} takes {{{params}}}, every field present (null where optional)"
    return ""


def _type_of(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " | ".join(_type_of(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if schema.get("type") == "array":
        return f"list[{_type_of(schema.get('items', {}))}]"
    return str(schema.get("type", "any"))


def unexpected_tool_error(ctx: RunContextWrapper[Any], error: Exception) -> str:
    """``failure_error_function`` for every tool: invalid arguments from the model are
    explained; anything else is logged and reported without internals."""
    from agents.exceptions import ModelBehaviorError

    if isinstance(error, ModelBehaviorError):
        return error_output(f"invalid arguments: {error}. {_signature(ctx)}".rstrip(". ") + ".")
    logger.error("tool failed", exc_info=error)
    return error_output("the tool failed unexpectedly; nothing was changed")
