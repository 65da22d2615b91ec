"""A run's tool calls as units of work: each is one transaction of its own, with its
record, and it belongs to the run, not to the SDK (see ``control.py``)."""

import json
import uuid
from typing import TYPE_CHECKING, Any

from agents.tool_context import ToolContext
from pydantic import ValidationError

from taskservice.agent.context import Work
from taskservice.agent.runs import records
from taskservice.agent.runs.records import AgentToolCall, Outcome, RunEnded, StopMode
from taskservice.agent.tools.common import (
    decode_output,
    error_output,
    to_json,
    validation_message,
)
from taskservice.db import database_unavailable, utcnow
from taskservice.errors import AppError, DatabaseUnavailable
from taskservice.tasks.events import Actor
from taskservice.tasks.repository import TaskRepository

if TYPE_CHECKING:
    from taskservice.agent.runs.run import Run

STOPPED = error_output("the run was stopped before this call could run; nothing was done")


class _CallFailed(Exception):
    def __init__(self, output: str) -> None:
        super().__init__(output)
        self.output = output


class RunToolCalls:
    """What the run context's ``tool_calls`` is while a run executes."""

    def __init__(self, run: "Run") -> None:
        self.run = run

    async def execute(self, tool: ToolContext[Any], work: Work) -> str:
        agent = tool.agent.name if tool.agent is not None else "agent"
        if not self.run.control.admit():
            if not self.run.control.stopping:
                self.run.request_stop(
                    StopMode.after_tool_call,
                    Outcome.tool_limit,
                    f"The run reached its limit of {self.run.control.max_tool_calls} tool calls.",
                )
            return self._counted(tool, "stopped", STOPPED)
        try:
            return await self.run.control.run_unit(lambda: self._unit(tool, agent, work))
        except DatabaseUnavailable as exc:
            self.run.database_failure = exc
            self.run.request_stop(StopMode.immediate, Outcome.error, exc.detail)
            return STOPPED

    async def read(self, work: Work) -> Any:
        actor = Actor(session_id=self.run.session_id)
        async with self.run.settings.db_sessions() as db, db.begin():
            return await work(TaskRepository(db, self.run.owner_id, actor))

    def _counted(self, tool: ToolContext[Any], outcome: str, output: str) -> str:
        """The call's outcome in the metrics (once per call, wherever it ended)."""
        self.run.stats.calls_seen.add(tool.tool_call_id)
        self.run.settings.meter.tool_call(tool.tool_name, outcome)
        return output

    async def _unit(self, tool: ToolContext[Any], agent: str, work: Work) -> str:
        """The call's work, its record and a check that the run still runs: one commit.
        A call that fails (no such task, an invalid value) changes nothing and is
        recorded with its error in a second, short transaction. What it changes is one
        change in the tasks' history (one ``change_id``), which undo reverts as a whole."""
        actor = Actor(agent=agent, session_id=self.run.session_id, change_id=uuid.uuid4().hex)
        async with self.run.settings.db_sessions() as db:
            try:
                try:
                    async with db.begin():
                        tasks = TaskRepository(db, self.run.owner_id, actor)
                        try:
                            output = to_json(await work(tasks))
                        except DatabaseUnavailable:
                            raise
                        except AppError as exc:
                            raise _CallFailed(error_output(exc.detail)) from exc
                        except ValidationError as exc:
                            raise _CallFailed(validation_message(exc)) from exc
                        await self._record_call(db, tool, agent, output, ok=True)
                        if self.run.stop is not None and self.run.stop.mode is StopMode.immediate:
                            raise RunEnded(self.run.id)  # stopped at once: roll it back
                    return self._counted(tool, "ok", output)
                except _CallFailed as failed:
                    async with db.begin():
                        await self._record_call(db, tool, agent, failed.output, ok=False)
                    return self._counted(tool, "error", failed.output)
            except RunEnded:
                return self._counted(tool, "stopped", STOPPED)
            except Exception as exc:
                self._counted(tool, "failed", "")
                unavailable = database_unavailable(exc)
                if unavailable is None:
                    raise
                raise unavailable from exc

    async def _record_call(
        self, db: Any, tool: ToolContext[Any], agent: str, output: str, *, ok: bool
    ) -> None:
        try:
            arguments = json.loads(tool.tool_arguments or "{}")
        except ValueError:
            arguments = {"_raw": tool.tool_arguments}
        db.add(
            AgentToolCall(
                run_id=self.run.id,
                call_id=tool.tool_call_id,
                agent=agent,
                name=tool.tool_name,
                arguments=arguments if isinstance(arguments, dict) else {"_raw": arguments},
                output=decode_output(output),
                ok=ok,
                at=utcnow(),
            )
        )
        await db.flush()
        await records.assert_running(db, self.run.id)
