"""Idempotency-Key on POST /tasks."""

import asyncio
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlmodel import col

from taskservice.config import Settings
from taskservice.db import DbSessionMaker, utcnow
from taskservice.resources import resources_of
from taskservice.tasks.idempotency import IdempotencyStore, fingerprint
from taskservice.tasks.models import IdempotencyRecord, Task
from tests.conftest import ApiUser, Users


async def count_tasks(db_sessions: DbSessionMaker) -> int:
    async with db_sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Task)) or 0)


def store(db_sessions: DbSessionMaker) -> IdempotencyStore:
    return IdempotencyStore(
        db_sessions, ttl=timedelta(hours=24), processing_timeout=timedelta(seconds=120)
    )


class TestIdempotencyKey:
    async def test_retry_replays_the_first_response(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        headers = {"Idempotency-Key": "k-1"}
        first = await alice.client.post("/tasks", json={"title": "once"}, headers=headers)
        retry = await alice.client.post("/tasks", json={"title": "once"}, headers=headers)

        assert first.status_code == retry.status_code == 201
        assert retry.content == first.content
        assert retry.headers["location"] == first.headers["location"]
        assert retry.headers["etag"] == first.headers["etag"]
        assert "idempotent-replayed" not in first.headers
        assert retry.headers["idempotent-replayed"] == "true"
        assert await count_tasks(db_sessions) == 1

    async def test_replay_is_the_original_even_after_the_task_changed(self, alice: ApiUser) -> None:
        headers = {"Idempotency-Key": "k-2"}
        first = await alice.client.post("/tasks", json={"title": "once"}, headers=headers)
        await alice.client.patch(first.headers["location"], json={"title": "changed"})

        retry = await alice.client.post("/tasks", json={"title": "once"}, headers=headers)

        assert retry.json() == first.json()

    async def test_same_key_with_another_body_is_422(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        headers = {"Idempotency-Key": "k-3"}
        await alice.client.post("/tasks", json={"title": "one"}, headers=headers)

        response = await alice.client.post("/tasks", json={"title": "two"}, headers=headers)

        assert response.status_code == 422
        problem = response.json()
        assert problem["type"] == "urn:taskservice:problem:idempotency-key-reused"
        # Every 422 reads the same way, as the schema's ValidationProblem says.
        assert problem["errors"] == [
            {
                "field": "header.Idempotency-Key",
                "message": problem["detail"],
                "type": "idempotency_key_reused",
            }
        ]
        assert await count_tasks(db_sessions) == 1

    async def test_retry_while_the_first_is_processing_is_409(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        # The first request has claimed the key and not finished yet.
        print_ = fingerprint(
            "POST",
            "/tasks",
            {
                "title": "slow",
                "description": None,
                "status": "todo",
                "priority": "medium",
                "due_date": None,
                "tags": [],
            },
        )
        await store(db_sessions).claim(alice.id, "k-4", print_)

        response = await alice.client.post(
            "/tasks", json={"title": "slow"}, headers={"Idempotency-Key": "k-4"}
        )

        assert response.status_code == 409
        assert response.json()["type"] == "urn:taskservice:problem:idempotency-in-progress"
        assert await count_tasks(db_sessions) == 0

    async def test_twenty_simultaneous_retries_create_exactly_one_task(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        responses = await asyncio.gather(
            *(
                alice.client.post(
                    "/tasks", json={"title": "race"}, headers={"Idempotency-Key": "k-5"}
                )
                for _ in range(20)
            )
        )

        statuses = sorted(r.status_code for r in responses)
        created = [r for r in responses if r.status_code == 201]
        originals = [r for r in created if "idempotent-replayed" not in r.headers]
        assert set(statuses) <= {201, 409}
        assert len(originals) == 1
        assert {r.json()["id"] for r in created} == {originals[0].json()["id"]}
        assert await count_tasks(db_sessions) == 1

    async def test_keys_are_per_user(
        self, alice: ApiUser, bob: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        headers = {"Idempotency-Key": "shared"}
        a = await alice.client.post("/tasks", json={"title": "mine"}, headers=headers)
        b = await bob.client.post("/tasks", json={"title": "mine"}, headers=headers)

        assert a.status_code == b.status_code == 201
        assert "idempotent-replayed" not in b.headers
        assert a.json()["id"] != b.json()["id"]
        assert await count_tasks(db_sessions) == 2

    async def test_key_expires_after_24_hours(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        headers = {"Idempotency-Key": "k-6"}
        first = await alice.client.post("/tasks", json={"title": "x"}, headers=headers)
        async with db_sessions() as session, session.begin():
            await session.execute(
                update(IdempotencyRecord).values(expires_at=utcnow() - timedelta(seconds=1))
            )

        again = await alice.client.post("/tasks", json={"title": "x"}, headers=headers)

        assert again.status_code == 201
        assert "idempotent-replayed" not in again.headers
        assert again.json()["id"] == first.json()["id"] + 1
        assert await count_tasks(db_sessions) == 2

    async def test_abandoned_claim_is_taken_over(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        await store(db_sessions).claim(alice.id, "k-7", "whatever")
        async with db_sessions() as session, session.begin():
            await session.execute(
                update(IdempotencyRecord).values(created_at=utcnow() - timedelta(minutes=10))
            )

        response = await alice.client.post(
            "/tasks", json={"title": "x"}, headers={"Idempotency-Key": "k-7"}
        )

        assert response.status_code == 201
        assert await count_tasks(db_sessions) == 1

    async def test_failed_request_releases_its_key(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        headers = {"Idempotency-Key": "k-8"}
        invalid = await alice.client.post("/tasks", json={"title": ""}, headers=headers)
        valid = await alice.client.post("/tasks", json={"title": "fixed"}, headers=headers)

        assert invalid.status_code == 422
        assert valid.status_code == 201
        assert "idempotent-replayed" not in valid.headers

    async def test_purge_removes_only_expired_keys(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        for key in ("old", "new"):
            await alice.client.post("/tasks", json={"title": key}, headers={"Idempotency-Key": key})
        async with db_sessions() as session, session.begin():
            await session.execute(
                update(IdempotencyRecord)
                .where(col(IdempotencyRecord.key) == "old")
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )

        purged = await store(db_sessions).purge_expired()

        async with db_sessions() as session:
            keys = (await session.execute(select(col(IdempotencyRecord.key)))).scalars().all()
        assert purged == 1
        assert keys == ["new"]

    async def test_over_long_key_is_422(self, alice: ApiUser) -> None:
        response = await alice.client.post(
            "/tasks", json={"title": "x"}, headers={"Idempotency-Key": "k" * 256}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"


class TestConnectionUse:
    async def test_more_idempotent_posts_than_connections_do_not_stall(
        self, settings: Settings, users: Users
    ) -> None:
        """A request holds one connection at a time: auth, the claim and the write each
        take and give back their own. With a pool of 2 and no key cache, 12 concurrent
        idempotent creates all succeed (before, each held its auth transaction while the
        claim waited for a second connection, and the pool ran dry)."""
        from taskservice.app import create_app

        tight = settings.model_copy(
            update={
                "db_pool_size": 2,
                "db_max_overflow": 0,
                "db_pool_timeout_s": 10.0,
                "auth_cache_ttl_s": 0.0,
            }
        )
        app = create_app(tight)
        async with app.router.lifespan_context(app):
            creator = Users(app, resources_of(app).db_sessions)
            carol = await creator.create("carol")
            try:
                responses = await asyncio.gather(
                    *(
                        carol.client.post(
                            "/tasks", json={"title": f"t{i}"}, headers={"Idempotency-Key": f"k{i}"}
                        )
                        for i in range(12)
                    )
                )
            finally:
                await creator.close()

        assert [r.status_code for r in responses] == [201] * 12
