"""A run's lifecycle across real `taskservice serve` processes that share a database: a
cancel sent to another instance, a worker killed with SIGKILL, and a server stopped with
SIGTERM while a run is in flight. The model is the scripted provider, slow on purpose."""

import json
import queue
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.process import admin_key, serving
from tests.provider.fixture import FakeProvider
from tests.provider.script import Step

pytestmark = pytest.mark.slow

BOTH = pytest.mark.parametrize("db_backend", ["sqlite", "postgresql"], indirect=True)
CREATE = {
    "title": "from the model",
    "description": None,
    "priority": None,
    "due_date": None,
    "tags": None,
}
# A handoff, one task created, then a model that takes its time.
CREATE_THEN_THINK: list[Step] = [
    {"tool_calls": [{"name": "transfer_to_planner"}]},
    {"tool_calls": [{"name": "create_task", "arguments": CREATE}]},
    {"text": "done", "delay_s": 60},
]


def provider_env(provider: FakeProvider, **extra: str) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": "dummy",
        "OPENAI_BASE_URL": provider.base_url,
        "TASKSERVICE_AGENT_MODEL": "gpt-test",
        "TASKSERVICE_AGENT_GUARDRAIL": "off",  # each scripted step is an agent's turn
        "TASKSERVICE_OPENAI_MAX_RETRIES": "0",
        "TASKSERVICE_AGENT_TIMEOUT_S": "120",
        **extra,
    }


class Stream:
    """``POST /agent/stream`` read in a thread; ``run_id`` as soon as the run starts."""

    def __init__(self, base_url: str, key: str, body: dict[str, Any]) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.started: queue.Queue[str] = queue.Queue()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, args=(base_url, key, body))
        self._thread.start()

    def _read(self, base_url: str, key: str, body: dict[str, Any]) -> None:
        try:
            with httpx.stream(
                "POST",
                f"{base_url}/agent/stream",
                json=body,
                headers={"Authorization": f"Bearer {key}"},
                timeout=120,
            ) as response:
                name = "message"
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        name = line.removeprefix("event:").strip()
                    elif line.startswith("data:"):
                        data = json.loads(line.removeprefix("data:"))
                        self.events.append((name, data))
                        if name == "run_started":
                            self.started.put(data["run_id"])
        except httpx.TransportError as exc:  # the server was killed
            self.error = exc
        finally:
            self.started.put("")

    def run_id(self) -> str:
        run_id = self.started.get(timeout=60)
        assert run_id, "the stream ended before the run started"
        return run_id

    def join(self) -> list[tuple[str, dict[str, Any]]]:
        self._thread.join(timeout=120)
        assert not self._thread.is_alive()
        return self.events


def wait_for_model_requests(provider: FakeProvider, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(provider.requests()) < count:
        assert time.monotonic() < deadline, "the run never reached the model"
        time.sleep(0.05)


def get(base_url: str, key: str, path: str) -> Any:
    response = httpx.get(f"{base_url}{path}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    return response.json()


@BOTH
def test_a_cancel_sent_to_another_instance_stops_the_run(db_url: str, tmp_path: Path) -> None:
    with FakeProvider() as provider:
        provider.script(CREATE_THEN_THINK)
        env = provider_env(provider)
        log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
        with (
            serving(db_url, env=env, log=log_a) as (url_a, _),
            serving(db_url, env=env, log=log_b) as (url_b, _),
        ):
            key = admin_key(log_a)
            stream = Stream(url_a, key, {"message": "add a task"})
            run_id = stream.run_id()
            wait_for_model_requests(provider, 3)  # the task is made; the model thinks

            cancelled = httpx.post(
                f"{url_b}/agent/runs/{run_id}/cancel",
                headers={"Authorization": f"Bearer {key}"},
                timeout=30,
            )
            events = stream.join()

            assert cancelled.status_code == 200, cancelled.text
            run = cancelled.json()
            assert (run["status"], run["outcome"], run["stop_requested"]) == (
                "cancelled",
                "cancelled",
                "after_tool_call",
            )
            assert [(c["name"], c["ok"]) for c in run["tool_calls"]] == [("create_task", True)]
            assert events[-1][0] == "error"
            assert (events[-1][1]["status"], events[-1][1]["type"]) == (
                409,
                "urn:taskservice:problem:run-cancelled",
            )
            session = get(url_b, key, f"/agent/sessions/{run['session_id']}")
            assert session["messages"][-1]["content"] == (
                "(This request was cancelled before it finished. Done before it stopped: "
                "created task #1 'from the model'.)"
            )
            assert get(url_b, key, "/tasks")["total"] == 1


@BOTH
def test_a_killed_workers_run_is_released_and_noted_as_lost(db_url: str, tmp_path: Path) -> None:
    with FakeProvider() as provider:
        provider.script(CREATE_THEN_THINK)
        env = provider_env(provider)
        log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
        with serving(db_url, env=env, log=log_b) as (url_b, _):
            with serving(db_url, env=env, log=log_a) as (url_a, process_a):
                key = admin_key(log_b)
                stream = Stream(url_a, key, {"message": "add a task"})
                run_id = stream.run_id()
                wait_for_model_requests(provider, 3)
                process_a.kill()  # SIGKILL: nothing of it runs any more
                process_a.wait(timeout=30)
                stream.join()
                killed_at = time.monotonic()
            provider.reset()
            provider.script([{"text": "here you are", "repeat": True}])
            session_id = get(url_b, key, f"/agent/runs/{run_id}")["session_id"]

            # Until the run's lease runs out its session is busy; then it is usable again.
            statuses = []
            while True:
                response = httpx.post(
                    f"{url_b}/agent",
                    json={"message": "list my tasks", "session_id": session_id},
                    headers={"Authorization": f"Bearer {key}"},
                    timeout=30,
                )
                statuses.append(response.status_code)
                if response.status_code != 409:
                    break
                assert time.monotonic() - killed_at < 60, "the session never became usable"
                time.sleep(0.25)

            assert statuses[-1] == 200, response.text
            assert set(statuses[:-1]) <= {409}
            run = get(url_b, key, f"/agent/runs/{run_id}")
            assert (run["status"], run["outcome"]) == ("failed", "lost")
            assert [(c["name"], c["ok"]) for c in run["tool_calls"]] == [("create_task", True)]
            messages = get(url_b, key, f"/agent/sessions/{session_id}")["messages"]
            notes = [m["content"] for m in messages if m["role"] == "assistant" and m["content"]]
            assert notes[0] == (
                "(This request was lost when the server running it stopped. Done before it "
                "stopped: created task #1 'from the model'.)"
            )


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_sigterm_stops_a_run_at_once_and_records_it(db_url: str, tmp_path: Path) -> None:
    with FakeProvider() as provider:
        provider.script(CREATE_THEN_THINK)
        env = provider_env(provider)
        log = tmp_path / "a.log"
        with serving(db_url, env=env, log=log) as (url, process):
            key = admin_key(log)
            stream = Stream(url, key, {"message": "add a task"})
            run_id = stream.run_id()
            wait_for_model_requests(provider, 3)
            process.terminate()  # SIGTERM
            events = stream.join()
            # Uvicorn shuts down gracefully, then raises the signal again as it exits.
            assert process.wait(timeout=30) == -signal.SIGTERM

        assert events[-1][0] == "error"
        assert (events[-1][1]["type"], events[-1][1]["detail"]) == (
            "urn:taskservice:problem:run-cancelled",
            "The server is shutting down.",
        )
        with serving(db_url, env=env, log=tmp_path / "b.log") as (url_b, _):
            run = get(url_b, key, f"/agent/runs/{run_id}")
            assert (run["status"], run["detail"]) == ("cancelled", "The server is shutting down.")
