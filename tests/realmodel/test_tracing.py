"""Tracing stays in the service by default (its traces go to the database only): a full
round reaches nothing but the configured model server. The positive control asks for
OpenAI's exporter (`TASKSERVICE_TRACING=openai`) and sees it try to reach api.openai.com.

The service runs behind a recording proxy (``HTTP(S)_PROXY``/``ALL_PROXY``, ``NO_PROXY``
for loopback), so every connection its HTTP clients try beyond loopback is recorded and
refused. The SDK's exporter sends in batches (every 5 s, and at exit), so the server is
stopped before the proxy's record is read, with SIGTERM, as systemd and container runtimes
stop a service. (uvicorn re-raises SIGTERM after its shutdown, so atexit hooks never run;
the service's lifespan flushes the traces itself, which this test also proves.)
"""

import os
import signal
from pathlib import Path

import httpx
import pytest

from tests.provider.fixture import FakeProvider
from tests.realmodel.egress import RecordingProxy
from tests.realmodel.harness import (
    Api,
    create_steps,
    parse_sse,
    real_service,
    service_env,
)

pytestmark = pytest.mark.slow

ARGS = {"title": "Traced", "description": None, "priority": None, "due_date": None, "tags": None}
TRACE_INGEST = "CONNECT api.openai.com:443 HTTP/1.1"


def full_rounds(fake: FakeProvider, user: httpx.Client) -> None:
    """A create round over POST /agent and one over POST /agent/stream."""
    fake.script([*create_steps(ARGS, reply="Done."), *create_steps(ARGS, reply="Done.")])
    response = user.post("/agent", json={"message": "add a task: traced"})
    assert (response.status_code, response.json()["reply"]) == (200, "Done.")
    with user.stream("POST", "/agent/stream", json={"message": "add a task: traced"}) as stream:
        events = parse_sse(stream.read().decode())
    assert events[-1][0] == "done"
    assert events[-1][1]["reply"] == "Done."
    assert user.get("/tasks").json()["total"] == 2
    assert len(fake.requests()) == 6


@pytest.mark.parametrize("tracing", ["default", "openai"])
def test_only_the_model_server_is_reached_unless_openai_tracing_is_asked_for(
    api: Api, fake: FakeProvider, tmp_path: Path, tracing: str
) -> None:
    assert "TASKSERVICE_TRACING" not in os.environ, "the default must be the service's own"
    assert "OPENAI_AGENTS_DISABLE_TRACING" not in os.environ
    extra = {"TASKSERVICE_TRACING": "openai"} if tracing == "openai" else {}

    with RecordingProxy() as proxy:
        env = service_env(api, fake, proxy, **extra)
        with real_service(api, tmp_path / "service.db", env) as service:
            with service.new_user() as user:
                full_rounds(fake, user)
            service.process.send_signal(signal.SIGTERM)
            assert service.process.wait(timeout=30) in (0, -signal.SIGTERM)
            assert "Traceback" not in service.log_text()
        seen = proxy.requests

    if tracing == "default":
        assert seen == []
    else:
        # The exporter retries a refused batch, so it may knock more than once.
        assert seen
        assert set(seen) == {TRACE_INGEST}
