"""Agent test helpers: swap the model the agents run on, hold runs open, parse SSE."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from agents.models.interface import Model
from fastapi import FastAPI

from taskservice.agent.offline.model import OfflineModel
from taskservice.agent.router import get_agent_service
from taskservice.agent.service import AgentService
from taskservice.config import Settings
from taskservice.resources import resources_of


def use_model(app: FastAPI, model: Model, **overrides: Any) -> AgentService:
    """Run the app's agents on ``model`` (and optionally other settings), through
    ``app.dependency_overrides`` (the fixture ``app`` clears them afterwards)."""
    current = resources_of(app).agent
    settings = current.settings.model_copy(update=overrides)
    service = AgentService(settings, current.engine, current.db_sessions, model)
    app.dependency_overrides[get_agent_service] = lambda: service
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


__all__ = ["GatedModel", "Settings", "parse_sse", "use_model"]
