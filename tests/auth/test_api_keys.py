"""API keys: bearer auth on every route but health and docs; stored hashed."""

from dataclasses import replace

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlmodel import col

from taskservice.auth.keys import hash_key
from taskservice.auth.models import ApiKey
from taskservice.auth.repository import UserExists, UserNotFound, UserRepository
from taskservice.db import DbSessionMaker
from tests.conftest import ApiUser, Users


class TestAuthentication:
    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": "Bearer"},
            {"Authorization": "Bearer ts_not-a-real-key"},
            {"Authorization": "Basic YWxpY2U6cHc="},
            {"Authorization": "ts_abc"},
        ],
    )
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/tasks"),
            ("POST", "/tasks"),
            ("GET", "/tasks/1"),
            ("PUT", "/tasks/1"),
            ("PATCH", "/tasks/1"),
            ("DELETE", "/tasks/1"),
        ],
    )
    async def test_missing_or_wrong_key_is_401(
        self,
        client: httpx.AsyncClient,
        alice: ApiUser,
        headers: dict[str, str],
        method: str,
        path: str,
    ) -> None:
        response = await client.request(method, path, headers=headers)

        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:taskservice:problem:unauthorized"

    @pytest.mark.parametrize("path", ["/healthz", "/readyz", "/docs", "/openapi.json"])
    async def test_public_paths_need_no_key(self, client, path: str) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(path)
        assert response.status_code == 200

    async def test_revoked_key_is_401(self, alice: ApiUser, db_sessions: DbSessionMaker) -> None:
        async with db_sessions() as session, session.begin():
            assert await UserRepository(session).revoke("alice") == 1

        response = await alice.client.get("/tasks")

        assert response.status_code == 401
        assert response.json()["detail"] == "The API key is not valid or has been revoked."

    async def test_rotated_key_replaces_the_old_one(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        async with db_sessions() as session, session.begin():
            new_key = await UserRepository(session).rotate("alice")

        old = await alice.client.get("/tasks")
        new = await alice.client.get("/tasks", headers={"Authorization": f"Bearer {new_key}"})

        assert old.status_code == 401
        assert new.status_code == 200


class TestKeys:
    async def test_key_is_random_long_and_stored_only_as_a_hash(
        self, users: Users, db_sessions: DbSessionMaker
    ) -> None:
        carol = await users.create("carol")
        dave = await users.create("dave")

        async with db_sessions() as session:
            rows = (await session.execute(select(ApiKey).order_by(col(ApiKey.id)))).scalars().all()
        assert carol.key.startswith("ts_")
        assert len(carol.key) - 3 >= 43  # 32 random bytes, base64url: 256 bits
        assert carol.key != dave.key
        assert [r.key_hash for r in rows] == [hash_key(carol.key), hash_key(dave.key)]
        assert all(carol.key not in (r.key_hash, r.prefix) for r in rows)
        assert rows[0].prefix == carol.key[:8]

    async def test_duplicate_user_is_refused(
        self, users: Users, db_sessions: DbSessionMaker
    ) -> None:
        await users.create("erin")

        async with db_sessions() as session:
            with pytest.raises(UserExists):
                await UserRepository(session).create("erin")

    async def test_unknown_user_cannot_be_revoked(
        self, users: Users, db_sessions: DbSessionMaker
    ) -> None:
        async with db_sessions() as session:
            with pytest.raises(UserNotFound):
                await UserRepository(session).revoke("nobody")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestVerifiedKeysCache:
    def test_entries_expire_and_are_bounded(self) -> None:
        from taskservice.auth.cache import VerifiedKeys
        from taskservice.auth.models import User

        clock = FakeClock()
        cache = VerifiedKeys(5.0, max_entries=2, clock=clock)
        users = [User(id=i, name=f"u{i}") for i in range(3)]
        for i, user in enumerate(users):
            cache.put(f"h{i}", user)

        assert cache.get("h0") is None  # evicted: the oldest of three, two fit
        assert cache.get("h1") is users[1]
        clock.now += 5.0
        assert cache.get("h1") is None
        assert cache.get("h2") is None

    def test_ttl_zero_caches_nothing(self) -> None:
        from taskservice.auth.cache import VerifiedKeys
        from taskservice.auth.models import User

        cache = VerifiedKeys(0.0)
        cache.put("h", User(id=1, name="u"))
        assert cache.get("h") is None

    async def test_a_revoked_key_stops_working_within_the_ttl(
        self, app: FastAPI, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        from taskservice.auth.cache import VerifiedKeys
        from taskservice.resources import get_resources, resources_of

        clock = FakeClock()
        resources = replace(resources_of(app), verified_keys=VerifiedKeys(5.0, clock=clock))
        app.dependency_overrides[get_resources] = lambda: resources
        assert (await alice.client.get("/tasks")).status_code == 200
        async with db_sessions() as session, session.begin():
            await UserRepository(session).revoke("alice")

        cached = await alice.client.get("/tasks")
        clock.now += 5.0
        expired = await alice.client.get("/tasks")

        assert cached.status_code == 200
        assert expired.status_code == 401
