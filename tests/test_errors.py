"""Errors: problem+json everywhere, request ids, no leaks, nothing half-written."""

import logging

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from taskservice.db import DbSessionMaker
from taskservice.tasks.models import Task
from taskservice.tasks.repository import TaskRepository
from taskservice.tasks.schemas import TaskRead
from tests.conftest import ApiUser


class TestProblemDetails:
    async def test_unknown_route_is_404_problem(self, alice: ApiUser) -> None:
        response = await alice.client.get("/nope")

        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "No route matches GET /nope."

    async def test_wrong_method_is_405_problem(self, alice: ApiUser) -> None:
        response = await alice.client.delete("/tasks")

        assert response.status_code == 405
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 405

    @pytest.mark.parametrize(
        ("method", "path", "allow"),
        [
            ("OPTIONS", "/tasks", "GET, POST"),
            ("DELETE", "/tasks", "GET, POST"),
            ("POST", "/tasks/1", "DELETE, GET, PATCH, PUT"),
            ("POST", "/healthz", "GET"),
        ],
    )
    async def test_405_allows_every_method_of_the_path(
        self, alice: ApiUser, method: str, path: str, allow: str
    ) -> None:
        response = await alice.client.request(method, path)

        assert response.status_code == 405
        assert response.headers["allow"] == allow

    async def test_every_response_has_a_request_id(self, client, alice: ApiUser) -> None:  # type: ignore[no-untyped-def]
        ok = await alice.client.get("/tasks")
        unauthorized = await client.get("/tasks")
        health = await client.get("/healthz")

        ids = {r.headers["x-request-id"] for r in (ok, unauthorized, health)}
        assert len(ids) == 3
        assert all(len(i) == 32 for i in ids)
        assert unauthorized.json()["request_id"] == unauthorized.headers["x-request-id"]

    async def test_a_sane_incoming_request_id_is_kept(self, alice: ApiUser) -> None:
        kept = await alice.client.get("/tasks", headers={"X-Request-ID": "trace-42"})
        replaced = await alice.client.get("/tasks", headers={"X-Request-ID": "bad id\twith tab"})

        assert kept.headers["x-request-id"] == "trace-42"
        assert replaced.headers["x-request-id"] != "bad id\twith tab"


class TestUnexpectedErrors:
    async def test_500_is_a_problem_without_trace_or_sql(
        self,
        app: FastAPI,
        alice: ApiUser,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        async def explode(self: TaskRepository, task_id: int, **_: object) -> TaskRead:
            raise RuntimeError("SELECT secret FROM tasks WHERE password = 'hunter2'")

        monkeypatch.setattr(TaskRepository, "read", explode)

        with caplog.at_level(logging.ERROR, logger="taskservice"):
            response = await alice.client.get("/tasks/1")

        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body == {
            "type": "urn:taskservice:problem:internal-error",
            "title": "Internal Server Error",
            "status": 500,
            "detail": "An unexpected error occurred. Quote the request id when reporting it.",
            "instance": "/tasks/1",
            "request_id": response.headers["x-request-id"],
        }
        assert "SELECT" not in response.text
        assert "Traceback" not in response.text
        logged = [r for r in caplog.records if r.name == "taskservice.request"]
        assert len(logged) == 1
        assert logged[0].exc_info is not None
        assert "hunter2" in str(logged[0].exc_info[1])

    async def test_failure_after_a_write_leaves_nothing_behind(
        self,
        alice: ApiUser,
        db_sessions: DbSessionMaker,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        async def fail_after_insert(self: TaskRepository, *args: object, **kwargs: object) -> None:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(TaskRepository, "_write_tags", fail_after_insert)

        response = await alice.client.post("/tasks", json={"title": "half", "tags": ["x"]})

        assert response.status_code == 500
        async with db_sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Task)) == 0

    async def test_failure_after_a_write_releases_the_idempotency_key(
        self,
        alice: ApiUser,
        db_sessions: DbSessionMaker,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        original = TaskRepository._write_tags

        async def fail_once(self: TaskRepository, *args: object, **kwargs: object) -> None:
            monkeypatch.setattr(TaskRepository, "_write_tags", original)
            raise RuntimeError("transient")

        monkeypatch.setattr(TaskRepository, "_write_tags", fail_once)
        headers = {"Idempotency-Key": "retry-me"}

        failed = await alice.client.post("/tasks", json={"title": "t"}, headers=headers)
        retried = await alice.client.post("/tasks", json={"title": "t"}, headers=headers)

        assert failed.status_code == 500
        assert retried.status_code == 201
        assert "idempotent-replayed" not in retried.headers
        async with db_sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Task)) == 1
