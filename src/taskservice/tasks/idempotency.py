"""``Idempotency-Key`` for ``POST /tasks``: a retry replays the first response.

A key is claimed in a short transaction of its own, so a concurrent retry sees
the claim at once and gets 409 instead of creating a second task. The response
is recorded in the request's own transaction, together with the task it
created: either both are committed or neither is. A request that fails releases
its claim so the client may retry; a claim left behind by a crashed process is
taken over once it is older than ``processing_timeout``.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from taskservice.db import DbSessionMaker, utcnow
from taskservice.errors import Conflict, UnprocessableContent
from taskservice.tasks.models import IdempotencyRecord

REPLAY_HEADER = "Idempotent-Replayed"


class IdempotencyKeyReused(UnprocessableContent):
    slug = "idempotency-key-reused"

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was already used with a different request body; "
            "use a new key for a new request.",
            field="header.Idempotency-Key",
        )


class IdempotencyInProgress(Conflict):
    slug = "idempotency-in-progress"

    def __init__(self) -> None:
        super().__init__(
            "A request with this Idempotency-Key is still being processed; retry shortly."
        )


@dataclass(frozen=True)
class Claim:
    record_id: int


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str
    headers: dict[str, str]


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyStore:
    def __init__(
        self,
        db_sessions: DbSessionMaker,
        *,
        ttl: timedelta,
        processing_timeout: timedelta,
    ) -> None:
        self.db_sessions = db_sessions
        self.ttl = ttl
        self.processing_timeout = processing_timeout

    async def claim(self, user_id: int, key: str, print_: str) -> Claim | StoredResponse:
        """Claim ``key`` for this request, or return the response it already produced."""
        for _ in range(5):
            now = utcnow()
            async with self.db_sessions() as session, session.begin():
                record_id = await self._insert(session, user_id, key, print_, now)
            if record_id is not None:
                return Claim(record_id)
            async with self.db_sessions() as session, session.begin():
                record = (
                    await session.execute(
                        select(IdempotencyRecord).where(
                            col(IdempotencyRecord.user_id) == user_id,
                            col(IdempotencyRecord.key) == key,
                        )
                    )
                ).scalar_one_or_none()
                if record is None:
                    continue  # released meanwhile: claim again
                abandoned = (
                    record.state == "processing"
                    and record.created_at < now - self.processing_timeout
                )
                if record.expires_at <= now or abandoned:
                    await session.execute(
                        delete(IdempotencyRecord).where(col(IdempotencyRecord.id) == record.id)
                    )
                    continue
                if record.fingerprint != print_:
                    raise IdempotencyKeyReused()
                if record.state == "processing":
                    raise IdempotencyInProgress()
                assert record.response_status is not None
                assert record.response_body is not None
                return StoredResponse(
                    record.response_status, record.response_body, record.response_headers or {}
                )
        raise IdempotencyInProgress()

    async def complete(self, session: AsyncSession, claim: Claim, response: StoredResponse) -> None:
        """Record the response inside the request's transaction."""
        result = await session.execute(
            update(IdempotencyRecord)
            .where(
                col(IdempotencyRecord.id) == claim.record_id,
                col(IdempotencyRecord.state) == "processing",
            )
            .values(
                state="completed",
                response_status=response.status,
                response_body=response.body,
                response_headers=response.headers,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            # Our claim timed out and was taken over: let the other request win.
            raise IdempotencyInProgress()

    async def release(self, claim: Claim) -> None:
        async with self.db_sessions() as session, session.begin():
            await session.execute(
                delete(IdempotencyRecord).where(
                    col(IdempotencyRecord.id) == claim.record_id,
                    col(IdempotencyRecord.state) == "processing",
                )
            )

    async def purge_expired(self) -> int:
        now = utcnow()
        async with self.db_sessions() as session, session.begin():
            result = await session.execute(
                delete(IdempotencyRecord).where(
                    or_(
                        col(IdempotencyRecord.expires_at) <= now,
                        and_(
                            col(IdempotencyRecord.state) == "processing",
                            col(IdempotencyRecord.created_at) < now - self.processing_timeout,
                        ),
                    )
                )
            )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def _insert(
        self, session: AsyncSession, user_id: int, key: str, print_: str, now: Any
    ) -> int | None:
        values = {
            "user_id": user_id,
            "key": key,
            "fingerprint": print_,
            "state": "processing",
            "created_at": now,
            "expires_at": now + self.ttl,
        }
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = (
            insert(IdempotencyRecord)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["user_id", "key"])
            .returning(col(IdempotencyRecord.id))
        )
        return (await session.execute(stmt)).scalar_one_or_none()
