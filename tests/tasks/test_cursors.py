"""List cursors: signed by the server, valid only for the user and the query they came from."""

import base64
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from taskservice.app import create_app
from taskservice.config import Settings
from taskservice.db import DbSessionMaker
from tests.conftest import ApiUser

INVALID_CURSOR = "urn:taskservice:problem:invalid-cursor"
VALIDATION_FAILED = "urn:taskservice:problem:validation-failed"


async def create(user: ApiUser, title: str, **fields: Any) -> int:
    response = await user.client.post("/tasks", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    task_id: int = response.json()["id"]
    return task_id


async def first_page(user: ApiUser, **params: Any) -> dict[str, Any]:
    response = await user.client.get("/tasks", params={"limit": 1, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def forged(payload: str, signature: str = "A" * 22) -> str:
    """A cursor built by hand: the shape the server uses, with a signature it never made."""
    return f"{b64(payload.encode('utf-8', 'surrogatepass'))}.{signature}"


def payload_of(cursor: str) -> dict[str, Any]:
    body = cursor.partition(".")[0]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return decoded


class TestCursorsTheServerIssued:
    async def test_next_page_follows_the_first(self, alice: ApiUser) -> None:
        ids = [await create(alice, f"t{i}") for i in range(3)]

        first = await first_page(alice)
        second = await first_page(alice, cursor=first["next_cursor"])

        assert [item["id"] for item in first["items"]] == [ids[2]]
        assert [item["id"] for item in second["items"]] == [ids[1]]

    async def test_another_instance_on_the_same_database_accepts_them(
        self, alice: ApiUser, settings: Settings
    ) -> None:
        ids = [await create(alice, f"t{i}") for i in range(3)]
        first = await first_page(alice)
        other: FastAPI = create_app(settings)

        async with other.router.lifespan_context(other):
            transport = httpx.ASGITransport(app=other)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://other", headers=alice.headers
            ) as client:
                response = await client.get(
                    "/tasks", params={"limit": 1, "cursor": first["next_cursor"]}
                )

        assert response.status_code == 200
        assert [item["id"] for item in response.json()["items"]] == [ids[1]]

    async def test_the_key_is_made_once_and_kept_in_the_database(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        for i in range(3):
            await create(alice, f"t{i}")

        first = await first_page(alice)
        again = await first_page(alice)

        async with db_sessions() as db:
            rows = (await db.execute(text("SELECT name, value FROM server_secrets"))).all()
        assert [row[0] for row in rows] == ["cursor"]
        assert len(bytes.fromhex(rows[0][1])) == 32
        assert first["next_cursor"] == again["next_cursor"]

    async def test_longest_title_key_fits_the_limit(self, alice: ApiUser) -> None:
        # Control characters take six bytes each in JSON: the largest sort key there is.
        title = "\x01" * 199 + "z"
        for _ in range(2):
            await create(alice, title)
        sort = "-title,-created_at,-updated_at,-due_date,-priority"

        first = await first_page(alice, sort=sort)
        second = await first_page(alice, sort=sort, cursor=first["next_cursor"])

        assert len(first["next_cursor"]) <= 4096
        assert [item["title"] for item in second["items"]] == [title]


class TestCursorsTheServerDidNotIssue:
    @pytest.mark.parametrize(
        ("sort", "keys"),
        [
            ("-created_at", '["2026-01-01T00:00:00+00:00",2147483648]'),
            ("-created_at", '["2026-01-01T00:00:00+00:00",9223372036854775808]'),
            ("-created_at", '["99999-01-01T00:00:00+00:00",1]'),
            ("-created_at", '["0001-01-01T00:00:00-23:59",1]'),
            ("title", '["\\ud800",1]'),
            ("title", '["a\\u0000b",1]'),
            ("title", "[" * 1400 + "]" * 1400),
            ("priority", "[7,1]"),
            ("due_date", '[{"a":1},1]'),
        ],
        ids=[
            "id-2^31",
            "id-2^63",
            "year-99999",
            "year-1-minus-a-day",
            "surrogate",
            "nul",
            "nested",
            "rank",
            "object",
        ],
    )
    async def test_forged_keys_for_this_query_are_400(
        self, alice: ApiUser, sort: str, keys: str
    ) -> None:
        """The attacks that once gave 500: right sort, right filters, keys made up."""
        for i in range(2):
            await create(alice, f"t{i}")
        issued = payload_of((await first_page(alice, sort=sort))["next_cursor"])
        payload = f'{{"s":{json.dumps(issued["s"])},"f":{json.dumps(issued["f"])},"k":{keys}}}'

        response = await alice.client.get(
            "/tasks", params={"sort": sort, "cursor": forged(payload)}
        )

        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == INVALID_CURSOR

    @pytest.mark.parametrize("cursor", ["garbage", "e30", "!!!", ".", "a.b.c", "é.é"])
    async def test_malformed_cursor_is_400(self, alice: ApiUser, cursor: str) -> None:
        response = await alice.client.get("/tasks", params={"cursor": cursor})

        assert response.status_code == 400
        assert response.json()["type"] == INVALID_CURSOR

    async def test_changed_payload_with_the_old_signature_is_400(self, alice: ApiUser) -> None:
        for i in range(3):
            await create(alice, f"t{i}")
        cursor = (await first_page(alice))["next_cursor"]
        payload = payload_of(cursor)
        payload["k"][-1] = payload["k"][-1] + 1
        tampered = forged(json.dumps(payload, separators=(",", ":")), cursor.partition(".")[2])

        response = await alice.client.get("/tasks", params={"limit": 1, "cursor": tampered})

        assert response.status_code == 400
        assert response.json()["type"] == INVALID_CURSOR

    async def test_cursor_from_another_query_is_400(self, alice: ApiUser) -> None:
        for i in range(3):
            await create(alice, f"t{i}")
        cursor = (await first_page(alice))["next_cursor"]

        other_sort = await alice.client.get("/tasks", params={"cursor": cursor, "sort": "title"})
        other_filter = await alice.client.get("/tasks", params={"cursor": cursor, "q": "t"})

        assert other_sort.status_code == other_filter.status_code == 400
        assert other_sort.json()["type"] == other_filter.json()["type"] == INVALID_CURSOR
        assert "different query" in other_sort.json()["detail"]


@pytest.mark.slow
class TestCursorFuzz:
    @settings(
        max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(cursor=st.text(min_size=1, max_size=300))
    @example(cursor="eyJzIjoiLWNyZWF0ZWRfYXQifQ.é")  # a signature that is not ASCII (was a 500)
    async def test_any_text_is_a_400_problem(self, alice: ApiUser, cursor: str) -> None:
        response = await alice.client.get("/tasks", params={"cursor": cursor})

        assert response.status_code == 400, response.text
        assert response.json()["type"] == INVALID_CURSOR

    @settings(
        max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        payload=st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
            lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        ),
        signature=st.text(
            alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        ),
    )
    async def test_any_json_with_any_signature_is_a_400_problem(
        self, alice: ApiUser, payload: Any, signature: str
    ) -> None:
        cursor = forged(json.dumps(payload), signature)
        response = await alice.client.get("/tasks", params={"cursor": cursor})

        # 422 for one longer than the 4096 characters the parameter allows.
        assert (response.status_code, response.json()["type"]) in (
            (400, INVALID_CURSOR),
            (422, VALIDATION_FAILED),
        ), response.text
