"""The ``CurrentUser`` dependency: a bearer API key, checked against its stored digest."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

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
    session: AsyncSession, credentials: HTTPAuthorizationCredentials | None
) -> User:
    if credentials is None:
        raise Unauthorized("Send an API key as `Authorization: Bearer <key>`.")
    user = await UserRepository(session).authenticate(credentials.credentials)
    if user is None:
        raise Unauthorized("The API key is not valid or has been revoked.")
    return user


async def get_current_user(session: SessionDep, credentials: Credentials) -> User:
    """The request's user, looked up on the request's own session (one connection)."""
    return await _authenticate(session, credentials)


async def get_long_request_user(request: Request, credentials: Credentials) -> User:
    """The user, looked up on a session closed at once: for requests that last (agent
    runs), so that no connection, and on PostgreSQL no open transaction, is held idle
    for the whole run."""
    sessionmaker: SessionMaker = request.app.state.sessionmaker
    async with sessionmaker() as session:
        return await _authenticate(session, credentials)


CurrentUser = Annotated[User, Depends(get_current_user)]
LongRequestUser = Annotated[User, Depends(get_long_request_user)]
