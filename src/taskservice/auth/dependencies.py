"""The ``CurrentUser`` dependency: a bearer API key, checked against its stored digest."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from taskservice.auth.models import User
from taskservice.auth.repository import UserRepository
from taskservice.db import SessionDep
from taskservice.errors import Unauthorized

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    bearerFormat="API key",
    description="An API key from `taskservice users create NAME`, sent as `Bearer <key>`.",
)


async def get_current_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> User:
    if credentials is None:
        raise Unauthorized("Send an API key as `Authorization: Bearer <key>`.")
    user = await UserRepository(session).authenticate(credentials.credentials)
    if user is None:
        raise Unauthorized("The API key is not valid or has been revoked.")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
