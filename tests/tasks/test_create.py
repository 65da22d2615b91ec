"""POST /tasks: creation, validation and bad input."""

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from taskservice.db import DbSessionMaker
from taskservice.tasks.models import Task, TaskTag
from tests.conftest import ApiUser


async def count_tasks(db_sessions: DbSessionMaker) -> int:
    async with db_sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Task)) or 0)


class TestCreateTask:
    async def test_creates_with_defaults(self, alice: ApiUser) -> None:
        response = await alice.client.post("/tasks", json={"title": "Buy milk"})

        assert response.status_code == 201
        body = response.json()
        assert body["title"] == "Buy milk"
        assert body["description"] is None
        assert body["status"] == "todo"
        assert body["priority"] == "medium"
        assert body["due_date"] is None
        assert body["tags"] == []
        assert body["completed_at"] is None
        assert body["version"] == 1
        assert body["created_at"] == body["updated_at"]
        assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")
        assert response.headers["location"] == f"/tasks/{body['id']}"
        assert response.headers["etag"] == f'"{body["id"]}.1"'
        assert response.headers["content-type"] == "application/json"

    async def test_creates_with_every_field(self, alice: ApiUser) -> None:
        response = await alice.client.post(
            "/tasks",
            json={
                "title": "  Write report \n",
                "description": "numbers first",
                "status": "in_progress",
                "priority": "urgent",
                "due_date": "2026-12-24",
                "tags": ["Work", "work", "Q4", "home"],
            },
        )

        assert response.status_code == 201
        body = response.json()
        assert body["title"] == "Write report"
        assert body["description"] == "numbers first"
        assert body["status"] == "in_progress"
        assert body["priority"] == "urgent"
        assert body["due_date"] == "2026-12-24"
        assert body["tags"] == ["work", "q4", "home"]

    async def test_done_task_gets_completed_at(self, alice: ApiUser) -> None:
        response = await alice.client.post("/tasks", json={"title": "x", "status": "done"})

        assert response.status_code == 201
        assert response.json()["completed_at"] == response.json()["created_at"]

    async def test_tags_are_stored_for_the_tag_filter(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        response = await alice.client.post("/tasks", json={"title": "x", "tags": ["A", "b"]})

        async with db_sessions() as session:
            rows = (await session.execute(select(col(TaskTag.tag), col(TaskTag.task_id)))).all()
        assert sorted(rows) == [("a", response.json()["id"]), ("b", response.json()["id"])]

    async def test_tags_are_lower_cased_without_growing(self, alice: ApiUser) -> None:
        # "İ".lower() is two characters; a tag of 40 of them must still fit in 40.
        response = await alice.client.post(
            "/tasks", json={"title": "x", "tags": ["İSTANBUL", "İ" * 40, "ÉTÉ"]}
        )

        assert response.status_code == 201
        assert response.json()["tags"] == ["İstanbul", "İ" * 40, "été"]

    async def test_title_of_200_characters_is_accepted(self, alice: ApiUser) -> None:
        response = await alice.client.post("/tasks", json={"title": "t" * 200})
        assert response.status_code == 201
        assert response.json()["title"] == "t" * 200

    @pytest.mark.parametrize(
        ("payload", "field", "error_type"),
        [
            ({}, "body.title", "missing"),
            ({"title": ""}, "body.title", "string_too_short"),
            ({"title": "   \t"}, "body.title", "value_error"),
            ({"title": "t" * 201}, "body.title", "string_too_long"),
            ({"title": 42}, "body.title", "string_type"),
            ({"title": "x", "description": "d" * 10_001}, "body.description", "string_too_long"),
            ({"title": "x", "status": "finished"}, "body.status", "enum"),
            ({"title": "x", "priority": "critical"}, "body.priority", "enum"),
            ({"title": "x", "due_date": "2026-02-30"}, "body.due_date", "value_error"),
            ({"title": "x", "due_date": 1767225600}, "body.due_date", "value_error"),
            ({"title": "x", "due_date": "next week"}, "body.due_date", "value_error"),
            ({"title": "x", "tags": "work"}, "body.tags", "list_type"),
            ({"title": "x", "tags": [f"t{i}" for i in range(21)]}, "body.tags", "too_long"),
            ({"title": "x", "tags": ["a" * 41]}, "body.tags.0", "string_too_long"),
            ({"title": "x", "tags": [""]}, "body.tags.0", "string_too_short"),
            ({"title": "x", "tags": ["two words"]}, "body.tags.0", "string_pattern_mismatch"),
            # U+0000 cannot be stored by PostgreSQL (it was a 500 there).
            ({"title": "a\x00b"}, "body.title", "value_error"),
            ({"title": "x", "description": "a\x00"}, "body.description", "string_pattern_mismatch"),
            ({"title": "x", "tags": ["a\x00"]}, "body.tags.0", "string_pattern_mismatch"),
            # Blank to str.strip(), though not to every regex engine's \s.
            ({"title": "\x1c\x85"}, "body.title", "value_error"),
            ({"title": "x", "tags": ["a\x85b"]}, "body.tags.0", "string_pattern_mismatch"),
            ({"title": "x", "tags": ["a\x1fb"]}, "body.tags.0", "string_pattern_mismatch"),
            ({"title": "x", "owner_id": 2}, "body.owner_id", "extra_forbidden"),
            ({"title": "x", "id": 7}, "body.id", "extra_forbidden"),
        ],
    )
    async def test_schema_violations_are_422_and_create_nothing(
        self,
        alice: ApiUser,
        db_sessions: DbSessionMaker,
        payload: dict[str, object],
        field: str,
        error_type: str,
    ) -> None:
        response = await alice.client.post("/tasks", json=payload)

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == "urn:taskservice:problem:validation-failed"
        assert problem["status"] == 422
        assert problem["title"] == "Unprocessable Entity"
        assert [(e["field"], e["type"]) for e in problem["errors"]] == [(field, error_type)]
        assert await count_tasks(db_sessions) == 0

    @pytest.mark.parametrize("raw", [b'{"title": ', b"not json", b'{"title": "x",}', b"\xff\xfe"])
    async def test_malformed_json_is_400(
        self, alice: ApiUser, db_sessions: DbSessionMaker, raw: bytes
    ) -> None:
        response = await alice.client.post(
            "/tasks", content=raw, headers={"Content-Type": "application/json"}
        )

        assert response.status_code == 400
        problem = response.json()
        assert problem["type"] == "urn:taskservice:problem:malformed-json"
        assert problem["detail"] == "The request body is not valid JSON."
        assert await count_tasks(db_sessions) == 0

    async def test_json_that_is_not_an_object_is_422(self, alice: ApiUser) -> None:
        response = await alice.client.post("/tasks", json=["title"])

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body"

    async def test_body_over_one_mebibyte_is_413(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        body = b'{"title": "x", "description": "' + b"d" * (1024 * 1024) + b'"}'
        response = await alice.client.post(
            "/tasks", content=body, headers={"Content-Type": "application/json"}
        )

        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 413
        assert response.json()["detail"] == "The request body is larger than 1048576 bytes."
        assert "x-request-id" in response.headers
        assert await count_tasks(db_sessions) == 0

    async def test_chunked_body_over_one_mebibyte_is_413(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"title": "x", "description": "'
            for _ in range(17):
                yield b"d" * 65536
            yield b'"}'

        response = await alice.client.post(
            "/tasks", content=chunks(), headers={"Content-Type": "application/json"}
        )

        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert await count_tasks(db_sessions) == 0

    async def test_without_key_is_401_and_creates_nothing(
        self, client: httpx.AsyncClient, db_sessions: DbSessionMaker
    ) -> None:
        response = await client.post("/tasks", json={"title": "x"})

        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert await count_tasks(db_sessions) == 0
