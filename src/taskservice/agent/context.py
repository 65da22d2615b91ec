"""The run context: who is asking, in which session and run, and how tools do work.

It is passed as ``Runner.run(..., context=...)`` and never sent to the model.
Nothing a model says can change it, so no tool can reach another user's tasks:
tools take no user or owner argument at all.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from agents.tool_context import ToolContext

from taskservice.tasks.calendar import DEFAULT_TIMEZONE
from taskservice.tasks.repository import TaskRepository

Work = Callable[[TaskRepository], Awaitable[Any]]


class ToolCalls(Protocol):
    """How a tool call does its work: as one unit of work owned by the run."""

    async def execute(self, tool: ToolContext[Any], work: Work) -> str: ...

    async def read(self, work: Work) -> Any:
        """Read the user's tasks outside any tool call (e.g. to decide whether a call
        needs the user's approval): a short read-only transaction, recorded nowhere."""
        ...


@dataclass
class AgentContext:
    user_id: int
    session_id: str
    run_id: str
    today: date
    tool_calls: ToolCalls
    focus_task_id: int | None = None
    timezone: str = DEFAULT_TIMEZONE  # where it is ``today``

    def serialize(self) -> dict[str, Any]:
        """What a stored RunState keeps of the context: ids only, no engine, no secret."""
        return {"user_id": self.user_id, "session_id": self.session_id, "run_id": self.run_id}
