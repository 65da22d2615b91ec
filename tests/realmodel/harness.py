"""The service as a user starts it, its users, and readers for what the provider recorded.

The recorded requests come in two wire formats; ``transcript`` reduces either to the same
list of ``(kind, text)`` pairs, so one expected value serves both APIs.
"""

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from subprocess import Popen
from typing import Any, Literal

import httpx

from taskservice.auth.repository import UserRepository
from taskservice.config import Settings
from taskservice.db import create_db_sessionmaker, create_engine
from tests.process import serving
from tests.provider.fixture import FakeProvider
from tests.provider.script import RecordedRequest, Step
from tests.realmodel.egress import RecordingProxy

Api = Literal["responses", "chat_completions"]
APIS: tuple[Api, ...] = ("responses", "chat_completions")
MODEL = "gpt-test"
PATHS: dict[Api, str] = {"responses": "/v1/responses", "chat_completions": "/v1/chat/completions"}
MAX_RETRIES = 2
FAILING_TIMEOUT_S = 2
HTTP_TIMEOUT = httpx.Timeout(30.0)
FAST_RETRY = {"retry-after-ms": "1"}
Json = dict[str, Any]


def service_env(
    api: Api, provider: FakeProvider, proxy: RecordingProxy, **settings: str
) -> dict[str, str]:
    """The environment a user sets to run on a real provider, plus the egress proxy.

    The model guardrail is off, so each scripted step is an agent's turn; the guardrail
    has tests of its own (``tests/agent/guardrails/test_model_guardrail.py``, and
    ``test_guardrail.py`` here, which turns it on)."""
    return {
        "OPENAI_API_KEY": "sk-test-dummy",
        "OPENAI_BASE_URL": provider.base_url,
        "TASKSERVICE_AGENT_MODEL": MODEL,
        "TASKSERVICE_AGENT_GUARDRAIL": "off",
        "TASKSERVICE_OPENAI_API": api,
        "TASKSERVICE_OPENAI_MAX_RETRIES": str(MAX_RETRIES),
        "TASKSERVICE_LOG_LEVEL": "warning",
        **proxy.env(),
        **settings,
    }


async def _create_user(db_url: str, name: str) -> str:
    engine = create_engine(Settings(database_url=db_url))
    try:
        async with create_db_sessionmaker(engine)() as session, session.begin():
            _, key = await UserRepository(session).create(name)
    finally:
        await engine.dispose()
    return key


@dataclass
class RealService:
    """A running ``taskservice serve`` and the database file it owns."""

    api: Api
    base_url: str
    db_url: str
    process: "Popen[str]"
    log: Path
    _names: Iterator[int] = field(default_factory=count)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def new_user(self) -> httpx.Client:
        """A client of a fresh user, so a test sees only its own tasks."""
        key = asyncio.run(_create_user(self.db_url, f"user{next(self._names)}"))
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {key}"},
            timeout=HTTP_TIMEOUT,
        )


@contextmanager
def real_service(api: Api, db_path: Path, env: dict[str, str]) -> Iterator[RealService]:
    db_url = f"sqlite+aiosqlite:///{db_path}"
    log = db_path.with_suffix(".log")
    with serving(db_url, env=env, log=log) as (base_url, process):
        yield RealService(api, base_url, db_url, process, log)


def create_steps(arguments: Json | str, reply: str = "Created: {last_tool_output}") -> list[Step]:
    """triage -> planner -> create_task(arguments) -> a final text."""
    return [
        handoff_step("planner"),
        {
            "tool_calls": [{"name": "create_task", "arguments": arguments}],
            "expect_tool": "create_task",
        },
        {"text": reply},
    ]


def handoff_step(agent: str) -> Step:
    tool = f"transfer_to_{agent}"
    return {"tool_calls": [{"name": tool, "arguments": {}}], "expect_tool": tool}


def compact(value: Any) -> str:
    """JSON as the tools write it (``to_json`` in the service)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parse_sse(text: str) -> list[tuple[str, Json]]:
    events: list[tuple[str, Json]] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data.append(line.removeprefix("data:").strip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def items(request: RecordedRequest) -> list[Json]:
    """The conversation items of a request: Responses ``input`` or Chat ``messages``."""
    body = request["body"]
    raw = body.get("input", body.get("messages"))
    if isinstance(raw, str):
        return [{"role": "user", "content": raw}]
    return [item for item in raw if isinstance(item, dict)]


def instructions(request: RecordedRequest) -> list[str]:
    """The system instructions: Responses ``instructions``, Chat ``system`` messages."""
    body = request["body"]
    found = [body["instructions"]] if body.get("instructions") else []
    system = [i for i in items(request) if i.get("role") in {"system", "developer"}]
    return found + [_text(item["content"]) for item in system]


def transcript(request: RecordedRequest) -> list[tuple[str, str]]:
    """The conversation as ``(kind, text)``: ``user``, ``assistant``, ``call`` (the tool's
    name and arguments) and ``output`` (a tool's output); system instructions left out."""
    result: list[tuple[str, str]] = []
    for item in items(request):
        kind, role = item.get("type"), item.get("role")
        if kind == "function_call":
            result.append(("call", f"{item['name']} {item['arguments']}"))
        elif kind == "function_call_output" or role == "tool":
            result.append(("output", _text(item.get("output", item.get("content")))))
        elif role == "user":
            result.append(("user", _text(item["content"])))
        elif role == "assistant":
            if text := _text(item.get("content")):
                result.append(("assistant", text))
            for call in item.get("tool_calls") or []:
                function = call["function"]
                result.append(("call", f"{function['name']} {function['arguments']}"))
    return result


def call_ids(request: RecordedRequest) -> list[str]:
    """The ids of the tool outputs a request sends back, in order."""
    return [
        str(item.get("call_id") or item.get("tool_call_id"))
        for item in items(request)
        if item.get("type") == "function_call_output" or item.get("role") == "tool"
    ]


@dataclass(frozen=True)
class DeclaredTool:
    name: str
    strict: bool | None
    parameters: Json


def declared_tools(request: RecordedRequest) -> list[DeclaredTool]:
    """The tools a request declares, from either wire format."""
    tools = []
    for tool in request["body"].get("tools") or []:
        spec = tool.get("function", tool)
        tools.append(DeclaredTool(spec["name"], spec.get("strict"), spec["parameters"]))
    return tools
