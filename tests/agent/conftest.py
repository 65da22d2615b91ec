"""Agent test helpers: swap the model the agents run on, hold runs open, parse SSE."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from agents.models.interface import Model
from fastapi import FastAPI
from sqlalchemy.pool import QueuePool
from starlette.types import Message

from taskservice.agent.offline.model import OfflineModel
from taskservice.agent.router import get_agent_runs
from taskservice.agent.runs.lifecycle import AgentRuns
from taskservice.config import Settings
from taskservice.resources import resources_of
from taskservice.tasks.repository import TaskRepository


def use_model(app: FastAPI, model: Model, **overrides: Any) -> AgentRuns:
    """Run the app's agents on ``model`` (and optionally other settings), through
    ``app.dependency_overrides`` (the fixture ``app`` clears them afterwards)."""
    current = resources_of(app).agent_runs
    settings = current.settings.model_copy(update=overrides)
    service = AgentRuns(settings, current.engine, current.db_sessions, model)
    app.dependency_overrides[get_agent_runs] = lambda: service
    return service


class GatedModel(OfflineModel):
    """The offline model, but every call waits at a gate until the test opens it."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.entered = 0
        self.cancelled = 0
        self.arrived = asyncio.Condition()

    async def _wait(self) -> None:
        async with self.arrived:
            self.entered += 1
            self.arrived.notify_all()
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            async with self.arrived:
                self.arrived.notify_all()
            raise

    async def until_entered(self, count: int) -> None:
        async with self.arrived:
            await self.arrived.wait_for(lambda: self.entered >= count)

    async def until_cancelled(self, count: int) -> None:
        async with self.arrived:
            await self.arrived.wait_for(lambda: self.cancelled >= count)

    async def get_response(self, *args: Any, **kwargs: Any) -> Any:
        await self._wait()
        return await super().get_response(*args, **kwargs)

    async def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        await self._wait()
        async for event in super().stream_response(*args, **kwargs):
            yield event


@pytest.fixture
def gated(app: FastAPI) -> GatedModel:
    model = GatedModel()
    use_model(app, model)
    return model


def parse_sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(event, data) pairs of a text/event-stream body, in order; comments skipped."""
    events = []
    for block in text.split("\n\n"):
        name, data = "message", []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line[len("event:") :].strip()
            elif line.startswith("data:"):
                data.append(line[len("data:") :].strip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


class GatedCreates:
    """Holds every ``TaskRepository.create`` inside its transaction until the test opens
    the gate: a tool call in flight, on demand. By default after its insert (so on SQLite
    it holds the write lock); ``before_writing`` holds it before any statement."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, before_writing: bool = False) -> None:
        self.gate = asyncio.Event()
        self.entered = 0
        self.inside = 0
        self.most_inside = 0
        self.cancelled = 0
        self.changed = asyncio.Condition()
        original = TaskRepository.create

        async def create(repository: TaskRepository, data: Any) -> Any:
            if not before_writing:
                task = await original(repository, data)
            async with self.changed:
                self.entered += 1
                self.inside += 1
                self.most_inside = max(self.most_inside, self.inside)
                self.changed.notify_all()
            try:
                await self.gate.wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
            finally:
                self.inside -= 1
            if before_writing:
                task = await original(repository, data)
            return task

        monkeypatch.setattr(TaskRepository, "create", create)

    async def until_entered(self, count: int) -> None:
        async with self.changed:
            await self.changed.wait_for(lambda: self.entered >= count)


@pytest.fixture
def gated_creates(monkeypatch: pytest.MonkeyPatch) -> Iterator[GatedCreates]:
    gated = GatedCreates(monkeypatch)
    yield gated
    gated.gate.set()  # a failed test must not leave calls waiting at the gate


class StreamClient:
    """Drives ``POST /agent/stream`` on the ASGI app directly, so a test decides when the
    client goes away: ``leave_after`` (the events received before it disconnects) or
    ``leave_when`` (an awaitable: it disconnects once that is done). The call returns
    once the app has finished with the request, i.e. after the run's end is recorded."""

    def __init__(self, app: FastAPI, key: str) -> None:
        self.app = app
        self.key = key

    async def post(
        self,
        body: dict[str, Any],
        *,
        leave_after: int | None = None,
        leave_when: Callable[[], Awaitable[None]] | None = None,
    ) -> list[tuple[str, dict[str, Any]]]:
        payload = json.dumps(body).encode()
        leave = asyncio.Event()
        received: list[bytes] = []
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": payload, "more_body": False}
            if leave_when is not None:
                await leave_when()
            else:
                await leave.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.body":
                received.append(message.get("body", b""))
                events = parse_sse(b"".join(received).decode())
                if leave_after is not None and len(events) >= leave_after:
                    leave.set()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/agent/stream",
            "raw_path": b"/agent/stream",
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"test"),
                (b"authorization", f"Bearer {self.key}".encode()),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
            "client": ("127.0.0.1", 1234),
            "server": ("test", 80),
            "state": {},
        }
        await asyncio.wait_for(self.app(scope, receive, send), timeout=60)
        return parse_sse(b"".join(received).decode())


def checked_out(app: FastAPI) -> int:
    """Connections of the app's pool in use now."""
    pool = resources_of(app).engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedout()


async def stopping(runs: AgentRuns) -> bool:
    """Whether a run of ``runs`` has been asked to stop (and waits for its calls)."""
    return any(run.stop is not None for run in runs.active.values())


async def wait_until(predicate: Callable[[], Awaitable[bool]]) -> None:
    """Poll ``predicate`` (a state the code under test reaches on its own) until it
    holds; bounded, so a broken build fails instead of hanging."""
    for _ in range(3000):
        if await predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


__all__ = [
    "GatedCreates",
    "GatedModel",
    "Settings",
    "StreamClient",
    "checked_out",
    "parse_sse",
    "stopping",
    "use_model",
    "wait_until",
]
