"""A run's admission is the one agent transaction that commits without waiting for the
disk (PostgreSQL): a tool call's work and a run's end always wait for it."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event

from taskservice.resources import resources_of
from tests.conftest import ApiUser

NO_WAIT = "SET LOCAL synchronous_commit = off"


@contextmanager
def statements(app: FastAPI) -> Iterator[list[str]]:
    """Every statement the app's engine runs meanwhile, in order."""
    seen: list[str] = []
    engine = resources_of(app).engine.sync_engine

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)
class TestAdmissionCommit:
    async def test_only_the_admission_commits_without_waiting(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        with statements(app) as seen:
            reply = await alice.client.post("/agent", json={"message": "add a task to buy milk"})

        assert reply.status_code == 200, reply.text
        no_wait = [n for n, sql in enumerate(seen) if sql == NO_WAIT]
        assert len(no_wait) == 1
        admission = seen[no_wait[0] + 1 :]
        # the admission's own statements follow, up to the run's row; then the tool
        # call's work, which commits as usual
        first_task_write = next(n for n, sql in enumerate(admission) if "INSERT INTO tasks" in sql)
        run_row = next(n for n, sql in enumerate(admission) if "INSERT INTO agent_runs" in sql)
        assert admission[0].startswith("SELECT users.id FROM users")
        assert admission[0].endswith("FOR UPDATE")
        assert run_row < first_task_write
