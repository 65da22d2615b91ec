"""Log lines: one access line per request, JSON that parses and carries the ids."""

import io
import json
import logging
import sys
from typing import Any

import pytest

from taskservice.observability.logs import JsonFormatter, RequestContextFilter, log_config
from tests.conftest import ApiUser
from tests.observability.conftest import parsed


class TestAccessLog:
    async def test_one_json_line_per_request_with_its_ids(
        self, alice: ApiUser, json_lines: io.StringIO
    ) -> None:
        response = await alice.client.get("/tasks/42", headers={"X-Request-ID": "req-42"})
        other = await alice.client.get("/tasks", params={"q": "a secret plan"})

        access = [e for e in parsed(json_lines) if e["logger"] == "taskservice.access"]
        assert response.status_code == 404
        assert [
            {k: e[k] for k in ("request_id", "user_id", "method", "route", "status", "level")}
            for e in access
        ] == [
            {
                "request_id": "req-42",
                "user_id": alice.id,
                "method": "GET",
                "route": "/tasks/{task_id}",
                "status": 404,
                "level": "INFO",
            },
            {
                "request_id": other.headers["X-Request-ID"],
                "user_id": alice.id,
                "method": "GET",
                "route": "/tasks",
                "status": 200,
                "level": "INFO",
            },
        ]
        assert all(isinstance(e["duration_ms"], float) for e in access)
        assert access[0]["message"].startswith("GET /tasks/{task_id} 404 ")
        assert "secret" not in json_lines.getvalue()
        assert alice.key not in json_lines.getvalue()

    async def test_a_request_without_a_key_has_no_user(
        self, client: Any, json_lines: io.StringIO
    ) -> None:
        response = await client.get("/tasks")

        (entry,) = [e for e in parsed(json_lines) if e["logger"] == "taskservice.access"]
        assert (entry["status"], entry["user_id"], entry["request_id"]) == (
            401,
            None,
            response.headers["X-Request-ID"],
        )

    def test_a_line_outside_a_request_and_an_exception(self) -> None:
        try:
            raise ValueError("boom")
        except ValueError:
            failure = sys.exc_info()
        record = logging.LogRecord(
            "taskservice", logging.ERROR, __file__, 1, "it %s", ("failed",), failure
        )
        RequestContextFilter().filter(record)

        entry = json.loads(JsonFormatter().format(record))

        assert (entry["message"], entry["level"], entry["request_id"], entry["user_id"]) == (
            "it failed",
            "ERROR",
            None,
            None,
        )
        assert entry["exception"].splitlines()[-1] == "ValueError: boom"


class TestLogConfig:
    @pytest.mark.parametrize("log_format", ["text", "json"])
    def test_ours_and_uvicorns_lines_in_the_format(self, log_format: str) -> None:
        config = log_config("info", log_format)

        formatter = config["formatters"]["app"]
        if log_format == "json":
            assert formatter == {"()": "taskservice.observability.logs.JsonFormatter"}
            assert config["handlers"]["default"]["filters"] == ["request"]
        else:
            assert "%(request_id)s" in formatter["format"]
        assert config["loggers"]["taskservice"]["handlers"] == ["app"]
