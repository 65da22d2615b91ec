"""The ``CurrentUser`` dependency: a bearer API key, checked against its stored digest."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from taskservice.auth.cache import VerifiedKeys
from taskservice.auth.keys import hash_key
from taskservice.auth.models import User
from taskservice.auth.repository import UserRepository
from taskservice.db import SessionDep, SessionMaker
from taskservice.errors import Unauthorized

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    bearerFormat="API key",
    description="An API key from `taskservice users create NAME`, sent as `Bearer <key>`.",
)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


async def _authenticate(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    session: AsyncSession | None = None,
) -> User:
    """The key's user: from the verified-keys cache, else from the database (on
    ``session``, or on a session of its own closed at once)."""
    if credentials is None:
        raise Unauthorized("Send an API key as `Authorization: Bearer <key>`.")
    digest = hash_key(credentials.credentials)
    verified: VerifiedKeys = request.app.state.verified_keys
    user = verified.get(digest)
    if user is None:
        if session is None:
            sessionmaker: SessionMaker = request.app.state.sessionmaker
            async with sessionmaker() as own_session:
                user = await UserRepository(own_session).authenticate_digest(digest)
        else:
            user = await UserRepository(session).authenticate_digest(digest)
        if user is None:
            raise Unauthorized("The API key is not valid or has been revoked.")
        # A plain copy: the loaded instance expires with its session's rollback.
        user = User(id=user.id, name=user.name, created_at=user.created_at)
        verified.put(digest, user)
    return user


async def get_current_user(request: Request, session: SessionDep, credentials: Credentials) -> User:
    """The request's user, looked up on the request's own session (one connection)."""
    return await _authenticate(request, credentials, session)


async def get_long_request_user(request: Request, credentials: Credentials) -> User:
    """The user, looked up on a session closed at once: for requests that last (agent
    runs), so that no connection, and on PostgreSQL no open transaction, is held idle
    for the whole run."""
    return await _authenticate(request, credentials)


CurrentUser = Annotated[User, Depends(get_current_user)]
LongRequestUser = Annotated[User, Depends(get_long_request_user)]
