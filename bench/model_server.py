"""A slow OpenAI-compatible model server: ``POST /v1/responses`` answers after a delay.

It plays the agents from what each request declares, so that one conversation
turn is a realistic multi-call round (triage -> reporter -> tool -> reply):

- a request that declares ``list_tasks`` (the reporter) calls it once per turn,
  then answers with text from the tool's output;
- one that declares ``transfer_to_reporter`` (triage) hands off once per turn;
- anything else gets a short text reply.

"Per turn" means after the last user message. The wire format is the Responses
API's ``response`` object (shape as in ``tests/provider/responses_api.py``);
streaming is not served (``POST /agent`` does not stream).

    BENCH_MODEL_DELAY_S=0.2 uvicorn bench.model_server:app --port 8100
"""

import asyncio
import json
import os
import time
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DELAY_S = float(os.environ.get("BENCH_MODEL_DELAY_S", "0.2"))
LIST_ARGUMENTS = {
    "status": ["todo"],
    "priority": None,
    "tag": None,
    "query": None,
    "due_from": None,
    "due_to": None,
    "overdue": None,
    "open_only": None,
    "sort": "-priority",
    "limit": 5,
}
Json = dict[str, Any]
CALLS = {"count": 0}


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def declared_tools(body: Json) -> set[str]:
    return {str(tool.get("name")) for tool in body.get("tools") or [] if isinstance(tool, dict)}


def this_turn(body: Json) -> list[Json]:
    """The input items after the last user message."""
    raw = body.get("input")
    items = [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []
    last_user = max((n for n, item in enumerate(items) if item.get("role") == "user"), default=-1)
    return items[last_user + 1 :]


def decide(body: Json) -> Json:
    """The one output item to answer with: a function call or a message."""
    tools, turn = declared_tools(body), this_turn(body)
    called = {item.get("call_id"): item.get("name") for item in turn if _is_call(item)}
    outputs = {
        called.get(item.get("call_id")): item.get("output")
        for item in turn
        if item.get("type") == "function_call_output"
    }
    if "list_tasks" in tools:
        if "list_tasks" not in called.values():
            return _call("list_tasks", LIST_ARGUMENTS)
        return _message(f"Here are your open tasks: {str(outputs.get('list_tasks'))[:300]}")
    if "transfer_to_reporter" in tools and "transfer_to_reporter" not in called.values():
        return _call("transfer_to_reporter", {})
    return _message("I can list, create and change your tasks.")


def _is_call(item: Json) -> bool:
    return item.get("type") == "function_call"


def _call(name: str, arguments: Json) -> Json:
    return {
        "id": new_id("fc"),
        "type": "function_call",
        "call_id": new_id("call"),
        "name": name,
        "arguments": json.dumps(arguments),
        "status": "completed",
    }


def _message(text: str) -> Json:
    return {
        "id": new_id("msg"),
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
    }


def render(body: Json, output: Json) -> Json:
    input_tokens = len(json.dumps(body.get("input"))) // 4
    return {
        "id": new_id("resp"),
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "metadata": {},
        "model": body.get("model", "bench"),
        "output": [output],
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "temperature": 1.0,
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "top_p": 1.0,
        "usage": {
            "input_tokens": input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 20,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": input_tokens + 20,
        },
    }


def _error(status: int, message: str) -> JSONResponse:
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    return JSONResponse({"error": error}, status_code=status)


async def responses(request: Request) -> Response:
    body = json.loads(await request.body())
    if not isinstance(body, dict):
        return _error(400, "the body is not a JSON object")
    if body.get("stream"):
        return _error(400, "this bench server does not stream")
    CALLS["count"] += 1
    await asyncio.sleep(DELAY_S)
    return JSONResponse(render(body, decide(body)))


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok", "delay_s": DELAY_S, "calls": CALLS["count"]})


app = Starlette(
    routes=[
        Route("/v1/responses", responses, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
    ]
)
