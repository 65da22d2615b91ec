"""Settings, read once from the environment (prefix ``TASKSERVICE_``)."""

from functools import lru_cache
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

OFFLINE_MODEL = "offline"
DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"
LOCAL_HOSTS = ["127.0.0.1", "127.0.0.1:*", "localhost", "localhost:*", "[::1]", "[::1]:*"]

# The one async driver for each database we run on; `postgres` is a common alias.
_ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
_BACKEND_ALIASES = {"postgres": "postgresql"}
_TRACING_WORDS = {"on": "openai", "true": "openai", "1": "openai", "false": "off", "0": "off"}
_URL_FORMS = "sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host:5432/db"


def async_database_url(url: str) -> str:
    """``url`` with the async driver we use: ``postgresql://`` and ``postgres://`` (as many
    hosting providers write them) mean ``postgresql+asyncpg://``, and ``sqlite://`` means
    ``sqlite+aiosqlite://``. Any other database or driver is a ``ValueError``."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        # Not echoed: a malformed URL may still hold a password.
        raise ValueError(f"not a database URL; use {_URL_FORMS}") from None
    backend, _, driver = parsed.drivername.partition("+")
    backend = _BACKEND_ALIASES.get(backend, backend)
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(f"unsupported database {backend!r}; use {_URL_FORMS}")
    if driver not in ("", _ASYNC_DRIVERS[backend]):
        raise ValueError(
            f"unsupported driver {driver!r} for {backend}; use {backend}+{_ASYNC_DRIVERS[backend]}"
        )
    return parsed.set(drivername=f"{backend}+{_ASYNC_DRIVERS[backend]}").render_as_string(
        hide_password=False
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TASKSERVICE_", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///./taskservice.db",
        description="sqlite+aiosqlite:///path or postgresql+asyncpg://...; postgresql://, "
        "postgres:// and sqlite:// mean the same.",
    )
    auto_migrate: bool = Field(default=True, description="Upgrade the schema on `serve`.")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1)
    log_level: str = "info"

    db_pool_size: int = Field(default=30, ge=1, description="Connections kept open per worker.")
    db_max_overflow: int = Field(
        default=10,
        ge=0,
        description="Extra connections for spikes (opened and closed per use, so keep the "
        "pool itself large enough for the usual load).",
    )
    db_pool_timeout_s: float = Field(
        default=60.0, gt=0, description="How long a request queues for a connection."
    )
    db_connect_timeout_s: float = Field(
        default=5.0,
        gt=0,
        description="How long opening a PostgreSQL connection may take; then the request "
        "gets 503 database-unavailable.",
    )
    sqlite_busy_timeout_ms: int = Field(
        default=30_000, ge=0, description="How long a SQLite writer waits for the write lock."
    )

    auth_cache_ttl_s: float = Field(
        default=5.0,
        ge=0,
        description="How long a worker trusts a verified API key; a revoked key stops "
        "working within this time. 0 checks the database on every request.",
    )
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    idempotency_ttl_hours: float = Field(default=24.0, gt=0)
    idempotency_processing_timeout_s: float = Field(
        default=120.0,
        gt=0,
        description="A claim older than this whose request never finished may be taken over.",
    )

    agent_model: str | None = Field(
        default=None,
        description=f"`{OFFLINE_MODEL}` (built in), or a model name for the OpenAI-compatible "
        f"server. Default: `{DEFAULT_OPENAI_MODEL}` when OPENAI_API_KEY is set, else offline.",
    )
    openai_api: Literal["responses", "chat_completions"] = Field(
        default="responses",
        description="`chat_completions` for servers without the Responses API.",
    )
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL")
    )
    openai_max_retries: int = Field(
        default=2, ge=0, description="Retries of a failed provider call (429, 5xx, timeouts)."
    )
    agent_timeout_s: float = Field(default=60.0, gt=0, description="A longer run gets 504.")
    agent_max_concurrent: int = Field(
        default=3, ge=1, description="Runs per user at once, across all workers; then 429."
    )
    agent_max_turns: int = Field(default=12, ge=1, description="Model calls in one run.")
    agent_max_tool_calls: int = Field(
        default=50,
        ge=1,
        description="Tool calls in one run. A model asking for more at once is refused before "
        "anything is done; a run reaching it otherwise stops there.",
    )
    agent_max_parallel_tools: int = Field(
        default=4,
        ge=1,
        description="Tool calls of one run running at once (each holds a database connection).",
    )
    agent_run_lease_s: float = Field(
        default=10.0,
        gt=0,
        description="A running run's lease, renewed while it runs: a run whose worker died is "
        "ended as lost once it runs out.",
    )
    agent_cancel_poll_s: float = Field(
        default=1.0,
        gt=0,
        description="How often a run renews its lease and checks for a cancel request made "
        "on another worker.",
    )
    agent_guardrail: Literal["model", "off"] = Field(
        default="model",
        description="`model`: with a real model, a guardrail agent first judges each new "
        "message (is it about tasks? does it try to override the assistant?), and a run "
        "it refuses makes no tool call. `off`: no model guardrail. The deterministic "
        "pre-filter for blatant instruction overrides runs either way; the offline model "
        "never uses a model guardrail.",
    )
    agent_guardrail_model: str | None = Field(
        default=None,
        description="The guardrail agent's model, on the same provider (a small fast one "
        "is enough). Default: the agents' model.",
    )
    agent_history_items: int = Field(
        default=40,
        ge=2,
        description="At most this many items of a conversation (messages, tool calls and "
        "their outputs) are sent to the model when a run starts: the most recent, whole "
        "turns first. The stored conversation keeps every item.",
    )
    agent_session_ttl_hours: float = Field(
        default=168.0, gt=0, description="Idle sessions expire after this."
    )
    tracing: Literal["off", "db", "openai"] = Field(
        default="db",
        description="`db`: each agent run's trace is kept in the database (GET "
        "/agent/runs/{id}/trace), nothing is sent anywhere; `openai`: also exported to "
        "OpenAI's traces; `off`: no tracing at all.",
    )
    otlp_endpoint: str | None = Field(
        default=None,
        description="Also export agent traces over OTLP/HTTP to this URL (e.g. "
        "http://collector:4318/v1/traces); needs the `otel` extra.",
    )
    metrics: bool = Field(default=True, description="Serve /metrics (Prometheus).")
    metrics_token: SecretStr | None = Field(
        default=None,
        description="If set, /metrics wants `Authorization: Bearer <token>`; unset, it is "
        "open (scrape it on a private network).",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="`json`: one JSON object per log line."
    )

    @field_validator("tracing", mode="before")
    @classmethod
    def _tracing_words(cls, value: Any) -> Any:
        """`on` (and true/false) as they meant before tracing had modes: `on` was the
        SDK's own tracing, which exports to OpenAI."""
        if isinstance(value, bool):
            return "openai" if value else "off"
        if isinstance(value, str):
            word = value.strip().lower()
            return _TRACING_WORDS.get(word, word)
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (scheme://host[:port]) whose pages may call the API from a "
        "browser, comma-separated; empty (the default) turns CORS off.",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for origin in value:
                if isinstance(origin, str) and not _is_origin(origin):
                    raise ValueError(f"{origin!r} is not an origin like https://example.com")
        return value

    mcp_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default=LOCAL_HOSTS,
        description="Host header values /mcp answers, comma-separated: `name`, `name:port` "
        "or `name:*` (any port); others get 421 (DNS-rebinding protection). Behind a proxy, "
        "list the public name, or `*` to leave host checking to the proxy.",
    )

    @field_validator("mcp_allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [host.strip() for host in value.split(",") if host.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _with_async_driver(cls, url: str) -> str:
        return async_database_url(url)

    @property
    def resolved_agent_model(self) -> str:
        if self.agent_model:
            return self.agent_model
        return DEFAULT_OPENAI_MODEL if self.openai_api_key else OFFLINE_MODEL

    @property
    def resolved_guardrail_model(self) -> str | None:
        """The model guardrail's model; None when there is no model guardrail (turned
        off, or the agents run on the offline model)."""
        if self.agent_guardrail == "off" or self.resolved_agent_model == OFFLINE_MODEL:
            return None
        return self.agent_guardrail_model or self.resolved_agent_model


def _is_origin(text: str) -> bool:
    """``scheme://host[:port]`` and nothing more: a browser sends exactly that."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not (parts.path or parts.query or parts.fragment or parts.username)
        and text == text.rstrip("/")
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
