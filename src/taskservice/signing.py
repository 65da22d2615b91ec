"""The server's signing keys, kept in the database, and HMAC signatures made with them.

Tokens the server hands out and later takes back (list cursors) carry a signature, so
that one the server did not issue is refused before anything in it is read. The key
lives in the database, not in a process: every worker and every instance that shares
the database signs and verifies with the same key, with nothing to configure. It is made
on first use (by whichever process comes first; the others read that one) and read once
per engine.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import weakref

from sqlalchemy import Column, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlmodel import Field, SQLModel, col

SIGNATURE_BYTES = 16  # HMAC-SHA256 cut to 128 bits: ample for a token a client cannot forge


class ServerSecret(SQLModel, table=True):
    __tablename__ = "server_secrets"

    name: str = Field(sa_column=Column(String(40), primary_key=True))
    value: str = Field(sa_column=Column(String(64), nullable=False))


_KEYS: "weakref.WeakKeyDictionary[Engine, dict[str, bytes]]" = weakref.WeakKeyDictionary()


async def signing_key(db: AsyncSession | AsyncConnection, name: str) -> bytes:
    """The key called ``name``, made if the database has none yet."""
    engine = db.bind if isinstance(db, AsyncSession) else db.engine
    assert isinstance(engine, AsyncEngine)
    known = _KEYS.setdefault(engine.sync_engine, {})
    if name not in known:
        value = await db.scalar(
            select(col(ServerSecret.value)).where(col(ServerSecret.name) == name)
        )
        if value is None:
            value = await _create(engine, name)
        known[name] = bytes.fromhex(value)
    return known[name]


async def _create(engine: AsyncEngine, name: str) -> str:
    """Insert a new key unless another process just did; either way, the stored one.

    Committed on a connection of its own before it is used: a key that a rolled-back
    request made would sign tokens that no other process could verify.
    """
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    table = ServerSecret.__table__  # type: ignore[attr-defined]
    async with engine.begin() as connection:
        await connection.execute(
            insert(table)
            .values(name=name, value=secrets.token_hex(32))
            .on_conflict_do_nothing(index_elements=["name"])
        )
        stored = await connection.scalar(select(table.c.value).where(table.c.name == name))
    assert isinstance(stored, str)
    return stored


def sign(key: bytes, message: bytes) -> str:
    return b64encode(hmac.new(key, message, hashlib.sha256).digest()[:SIGNATURE_BYTES])


def verify(key: bytes, message: bytes, signature: str) -> bool:
    """Whether ``signature`` is ours for ``message`` (any text an attacker sends: a
    signature holds ASCII only, and ``compare_digest`` refuses non-ASCII strings)."""
    return signature.isascii() and hmac.compare_digest(sign(key, message), signature)


def b64encode(data: bytes) -> str:
    """URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64decode(text: str) -> bytes:
    """The inverse of :func:`b64encode`, strictly: anything else raises ``ValueError``."""
    try:
        padded = (text + "=" * (-len(text) % 4)).encode("ascii")
        return base64.b64decode(padded, altchars=b"-_", validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise ValueError("not URL-safe base64") from exc
