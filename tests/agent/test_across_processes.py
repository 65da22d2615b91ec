"""The per-user run limit and the one-run-per-session rule hold across server processes
that share a database: two real `taskservice serve` instances, one slow model server."""

import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.process import admin_key, serving
from tests.provider.fixture import FakeProvider
from tests.provider.script import Step

pytestmark = pytest.mark.slow

SLOW_STEP: Step = {"text": "done", "delay_s": 4.0, "repeat": True}


def _wait_for_requests(provider: FakeProvider, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(provider.requests()) < count:
        assert time.monotonic() < deadline, "the runs never reached the model"
        time.sleep(0.05)


@pytest.mark.parametrize("db_backend", ["postgresql", "sqlite"], indirect=True)
def test_limits_hold_across_instances(db_url: str, tmp_path: Path) -> None:
    with FakeProvider() as provider:
        provider.script([SLOW_STEP])
        env = {
            "OPENAI_API_KEY": "dummy",
            "OPENAI_BASE_URL": provider.base_url,
            "TASKSERVICE_AGENT_MODEL": "gpt-test",
            "TASKSERVICE_AGENT_GUARDRAIL": "off",  # each scripted step is an agent's turn
            "TASKSERVICE_OPENAI_MAX_RETRIES": "0",
        }
        log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
        with (
            serving(db_url, env=env, log=log_a) as (url_a, _),
            serving(db_url, env=env, log=log_b) as (url_b, _),
        ):
            auth = {"Authorization": f"Bearer {admin_key(log_a)}"}
            results: list[httpx.Response] = []

            def ask(base: str, body: dict[str, str]) -> None:
                results.append(httpx.post(f"{base}/agent", json=body, headers=auth, timeout=30))

            first = httpx.post(
                f"{url_a}/agent", json={"message": "list my tasks"}, headers=auth, timeout=30
            )
            session_id = first.json()["session_id"]
            provider.reset()
            provider.script([SLOW_STEP])
            threads = [
                threading.Thread(
                    target=ask,
                    args=(url_a, {"message": "list my tasks", "session_id": session_id}),
                ),
                *(
                    threading.Thread(target=ask, args=(url_a, {"message": "list my tasks"}))
                    for _ in range(2)
                ),
            ]
            for thread in threads:
                thread.start()
            _wait_for_requests(provider, 3)

            # Instance B sees the three runs instance A holds.
            over_limit = httpx.post(
                f"{url_b}/agent", json={"message": "list my tasks"}, headers=auth, timeout=30
            )
            for thread in threads:
                thread.join(timeout=30)

            assert over_limit.status_code == 429
            assert over_limit.headers["retry-after"] == "2"
            assert sorted(r.status_code for r in results) == [200, 200, 200]

            # One run per session, across instances too.
            provider.reset()
            provider.script([SLOW_STEP])
            on_a = threading.Thread(
                target=ask, args=(url_a, {"message": "list my tasks", "session_id": session_id})
            )
            on_a.start()
            _wait_for_requests(provider, 1)
            busy = httpx.post(
                f"{url_b}/agent",
                json={"message": "list my tasks", "session_id": session_id},
                headers=auth,
                timeout=30,
            )
            on_a.join(timeout=30)

            assert busy.status_code == 409
            assert busy.json()["type"] == "urn:taskservice:problem:session-busy"
