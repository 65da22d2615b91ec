"""Settings, read once from the environment (prefix ``TASKSERVICE_``)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TASKSERVICE_", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///./taskservice.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    auto_migrate: bool = Field(default=True, description="Upgrade the schema on `serve`.")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1)
    log_level: str = "info"

    db_pool_size: int = Field(default=10, ge=1, description="Connections kept open per worker.")
    db_max_overflow: int = Field(default=20, ge=0, description="Extra connections under load.")
    db_pool_timeout_s: float = Field(
        default=60.0, gt=0, description="How long a request queues for a connection."
    )
    sqlite_busy_timeout_ms: int = Field(
        default=30_000, ge=0, description="How long a SQLite writer waits for the write lock."
    )

    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    idempotency_ttl_hours: float = Field(default=24.0, gt=0)
    idempotency_processing_timeout_s: float = Field(
        default=120.0,
        gt=0,
        description="A claim older than this whose request never finished may be taken over.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
