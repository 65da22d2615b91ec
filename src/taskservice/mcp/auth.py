"""API keys as MCP bearer tokens, checked through the SDK's token verifier.

The SDK's bearer middleware calls :class:`ApiKeyVerifier` on every request; a missing,
unknown or revoked key gets 401 with ``WWW-Authenticate: Bearer``. A known key becomes
an :class:`ApiKeyAccess`, which the tools read back with :func:`caller_id`: the user
comes from the verified token only, never from a tool argument.
"""

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken

from taskservice.auth.cache import VerifiedKeys
from taskservice.auth.dependencies import authenticate_key
from taskservice.auth.keys import hash_key
from taskservice.db import DbSessionMaker


class ApiKeyAccess(AccessToken):
    """A verified API key. ``token`` holds the key's digest, not the key: the secret is
    not kept in a request's context, where a log line could reach it."""

    user_id: int
    user_name: str
    user_timezone: str


class ApiKeyVerifier:
    """The SDK's ``TokenVerifier``: the same keys, cache and lookup as the REST API."""

    def __init__(self, verified: VerifiedKeys, db_sessions: DbSessionMaker) -> None:
        self.verified = verified
        self.db_sessions = db_sessions

    async def verify_token(self, token: str) -> AccessToken | None:
        user = await authenticate_key(token, self.verified, self.db_sessions)
        if user is None or user.id is None:
            return None
        return ApiKeyAccess(
            token=hash_key(token),
            client_id=f"user:{user.id}",
            subject=str(user.id),
            scopes=[],
            user_id=user.id,
            user_name=user.name,
            user_timezone=user.timezone,
        )


def _access() -> ApiKeyAccess:
    """The verified key of this request. Only called behind the SDK's auth check, which
    refuses a request without a verified key before any tool runs."""
    access = get_access_token()
    if not isinstance(access, ApiKeyAccess):
        raise RuntimeError("an MCP handler ran without a verified API key")
    return access


def caller_id() -> int:
    """The user whose key this request carries."""
    return _access().user_id


def caller_timezone() -> str:
    """That user's time zone."""
    return _access().user_timezone
