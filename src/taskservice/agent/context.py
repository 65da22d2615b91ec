"""The run context: who is asking, and how tools reach the repository.

It is passed as ``Runner.run(..., context=...)`` and never sent to the model.
Nothing a model says can change it, so no tool can reach another user's tasks:
tools take no user or owner argument at all.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from taskservice.db import DbSessionMaker
from taskservice.tasks.events import Actor
from taskservice.tasks.repository import TaskRepository


@dataclass
class AgentContext:
    user_id: int
    session_id: str
    db_sessions: DbSessionMaker
    today: date
    focus_task_id: int | None = None

    @asynccontextmanager
    async def tasks(self, agent_name: str) -> AsyncIterator[TaskRepository]:
        """The task repository for one tool call, which is one unit of work.

        A tool call commits on its own instead of inside one transaction per run:
        a run spans several model calls (seconds), and holding a transaction, on
        SQLite the database's write lock, across them would stall every other
        writer. What a tool reports to the model has really happened.
        """
        async with self.db_sessions() as session:
            actor = Actor(agent=agent_name, session_id=self.session_id)
            try:
                yield TaskRepository(session, self.user_id, actor)
            except BaseException:
                await session.rollback()
                raise
            await session.commit()

    def serialize(self) -> dict[str, Any]:
        """What a stored RunState keeps of the context: ids only, no engine, no secret."""
        return {"user_id": self.user_id, "session_id": self.session_id}
