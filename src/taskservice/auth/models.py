"""Users and their API keys. A key is stored only as its SHA-256 digest."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from taskservice.db import UTCDateTime, utcnow
from taskservice.tasks.calendar import DEFAULT_TIMEZONE, TIMEZONE_MAX


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    timezone: str = Field(
        default=DEFAULT_TIMEZONE,
        sa_column=Column(String(TIMEZONE_MAX), nullable=False, server_default=DEFAULT_TIMEZONE),
        description="An IANA time zone name: the user's today is the date there.",
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    key_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    prefix: str = Field(
        sa_column=Column(String(12), nullable=False),
        description="The first characters of the key, to tell keys apart without the secret.",
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
