"""The logging configuration of ``taskservice serve``: text for people, or one JSON object
per line for a log pipeline (``TASKSERVICE_LOG_FORMAT=json``).

Every line carries the request id and user id of the request it was written in (``-``
outside one). Fields given as ``extra=`` (the access line's method, route, status and
duration; a run's id, outcome, turns and tokens) become keys of the JSON object. The
service logs ids, counts, names and timings, never an API key and, at INFO, never
text from a task or a message.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any

import uvicorn

from taskservice.middleware import request_id_var
from taskservice.observability.context import current_user_id

# What every LogRecord has; anything else on a record came in through ``extra=`` (but
# uvicorn's copy of its message with terminal colours).
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}
_CONTEXT = ("request_id", "user_id")


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user_id`` to every record (unless given as extras)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get() or "-"
        if not hasattr(record, "user_id"):
            record.user_id = current_user_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the request's ids, the
    record's extras, and the exception's traceback if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in _CONTEXT:
            entry[key] = getattr(record, key, None)
        if entry["request_id"] == "-":
            entry["request_id"] = None
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def log_config(level: str, log_format: str = "text") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn: ours and uvicorn's loggers in one
    format. Uvicorn's access log is off; ours (``taskservice.access``) names the route,
    not the raw path and query (which may hold task text: ``/tasks?q=...``)."""
    config: dict[str, Any] = {**uvicorn.config.LOGGING_CONFIG}
    config["filters"] = {"request": {"()": f"{__name__}.RequestContextFilter"}}
    if log_format == "json":
        formatter = {"()": f"{__name__}.JsonFormatter"}
        config["formatters"] = {"default": formatter, "access": formatter, "app": formatter}
    else:
        config["formatters"] = {**config["formatters"], "app": {"format": TEXT_FORMAT}}
    handlers = {**config["handlers"]}
    handlers["app"] = {
        "class": "logging.StreamHandler",
        "formatter": "app",
        "filters": ["request"],
        "stream": "ext://sys.stderr",
    }
    if log_format == "json":
        handlers["default"] = {**handlers["default"], "filters": ["request"]}
    config["handlers"] = handlers
    config["loggers"] = {
        **config["loggers"],
        "taskservice": {"handlers": ["app"], "level": level.upper(), "propagate": False},
        # The MCP SDK's warnings (a refused Host header, a crashed tool), in our format.
        "mcp": {"handlers": ["app"], "level": "WARNING", "propagate": False},
        # SQLAlchemy names a pool's logger after its class, ours: its INFO is its debug.
        "taskservice.observability.pool": {"level": "WARNING"},
    }
    return config
