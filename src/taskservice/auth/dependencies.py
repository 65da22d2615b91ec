"""The ``CurrentUser`` dependency: a bearer API key, checked against its stored digest."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from taskservice.auth.cache import VerifiedKeys
from taskservice.auth.keys import hash_key
from taskservice.auth.models import User
from taskservice.auth.repository import UserRepository
from taskservice.db import DbSessionMaker
from taskservice.errors import Unauthorized
from taskservice.observability.context import note_user
from taskservice.resources import ResourcesDep

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    bearerFormat="API key",
    description="An API key from `taskservice users create NAME`, sent as `Bearer <key>`.",
)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


async def authenticate_key(
    key: str, verified: VerifiedKeys, db_sessions: DbSessionMaker
) -> User | None:
    """The active key's user: from the verified-keys cache, else from the database (and
    then cached); None for an unknown or revoked key.

    The lookup uses a session of its own, closed at once, never the request's: a
    request holds at most one connection at a time. (Holding the request's open
    transaction while another step, such as an idempotency claim, waits for a second
    connection let 30 concurrent requests exhaust the pool; and an agent run would
    keep it idle for the whole run.) Every front door (REST, /agent, MCP) checks keys here.
    """
    digest = hash_key(key)
    user = verified.get(digest)
    if user is None:
        async with db_sessions() as db:
            found = await UserRepository(db).authenticate_digest(digest)
            if found is None:
                return None
            # A plain copy, usable after its session is gone.
            user = User(
                id=found.id, name=found.name, timezone=found.timezone, created_at=found.created_at
            )
        verified.put(digest, user)
    note_user(user.id)  # for the request's access log line
    return user


async def get_current_user(resources: ResourcesDep, credentials: Credentials) -> User:
    """The key's user, from the resources' verified-keys cache (tests swap the cache by
    overriding ``get_resources``): one dependency less on every request (~12 us)."""
    if credentials is None:
        raise Unauthorized("Send an API key as `Authorization: Bearer <key>`.")
    verified = resources.verified_keys
    user = await authenticate_key(credentials.credentials, verified, resources.db_sessions)
    if user is None:
        raise Unauthorized("The API key is not valid or has been revoked.")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
