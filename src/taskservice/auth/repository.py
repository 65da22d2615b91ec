"""Users and API keys: create, list, set a time zone, revoke, rotate, authenticate."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from taskservice.auth.keys import display_prefix, generate_key, hash_key
from taskservice.auth.models import ApiKey, User
from taskservice.db import utcnow
from taskservice.errors import Conflict, NotFound, UnprocessableContent
from taskservice.tasks.calendar import DEFAULT_TIMEZONE, checked_timezone

_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


class UserExists(Conflict):
    slug = "user-exists"


class UserNotFound(NotFound):
    slug = "user-not-found"


@dataclass(frozen=True)
class UserSummary:
    name: str
    timezone: str
    created_at: datetime
    active_keys: list[str]


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, name: str, timezone: str = DEFAULT_TIMEZONE) -> tuple[User, str]:
        """Create a user and return it with its new key (the only time the key exists)."""
        if not _NAME.match(name):
            raise UnprocessableContent(
                "A user name is 1-64 characters of letters, digits, '_', '.', '@' or '-'."
            )
        checked_timezone(timezone)
        if await self._find(name) is not None:
            raise UserExists(f"User {name!r} already exists.")
        user = User(name=name, timezone=timezone)
        self.session.add(user)
        await self.session.flush()
        return user, await self._issue_key(user)

    async def rotate(self, name: str) -> str:
        """Revoke every key of ``name`` and issue a new one."""
        user = await self._get(name)
        await self._revoke_keys(user)
        return await self._issue_key(user)

    async def set_timezone(self, name: str, timezone: str) -> None:
        """Set the time zone of ``name`` (its today is the date there)."""
        checked_timezone(timezone)
        user = await self._get(name)
        user.timezone = timezone
        await self.session.flush()

    async def revoke(self, name: str) -> int:
        """Revoke every key of ``name``; returns how many were active."""
        return await self._revoke_keys(await self._get(name))

    async def list_users(self) -> list[UserSummary]:
        users = (await self.session.execute(select(User).order_by(col(User.name)))).scalars().all()
        keys = (
            await self.session.execute(
                select(col(ApiKey.user_id), col(ApiKey.prefix))
                .where(col(ApiKey.revoked_at).is_(None))
                .order_by(col(ApiKey.id))
            )
        ).all()
        by_user: dict[int, list[str]] = {}
        for user_id, prefix in keys:
            by_user.setdefault(user_id, []).append(prefix)
        return [
            UserSummary(u.name, u.timezone, u.created_at, by_user.get(u.id or 0, [])) for u in users
        ]

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(User)) or 0)

    async def authenticate_digest(self, digest: str) -> User | None:
        """The user of the active key with this SHA-256 digest."""
        stmt = (
            select(User)
            .join(ApiKey, col(ApiKey.user_id) == col(User.id))
            .where(col(ApiKey.key_hash) == digest, col(ApiKey.revoked_at).is_(None))
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def _find(self, name: str) -> User | None:
        stmt = select(User).where(col(User.name) == name)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def _get(self, name: str) -> User:
        user = await self._find(name)
        if user is None:
            raise UserNotFound(f"User {name!r} does not exist.")
        return user

    async def _issue_key(self, user: User) -> str:
        assert user.id is not None
        key = generate_key()
        self.session.add(
            ApiKey(user_id=user.id, key_hash=hash_key(key), prefix=display_prefix(key))
        )
        await self.session.flush()
        return key

    async def _revoke_keys(self, user: User) -> int:
        result = await self.session.execute(
            update(ApiKey)
            .where(
                col(ApiKey.user_id) == user.id,
                col(ApiKey.revoked_at).is_(None),
            )
            .values(revoked_at=utcnow())
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
