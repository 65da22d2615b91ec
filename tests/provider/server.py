"""The fake provider's HTTP app and process entry point.

Run ``python -m tests.provider.server --port 0``: it binds 127.0.0.1 on a free port and prints
``LISTENING <port>`` once it accepts connections. Model endpoints answer from the script set
with ``POST /_script``; every model request is recorded for ``GET /_requests``.
"""

import argparse
import asyncio
import json
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.provider import chat_api, responses_api
from tests.provider.script import (
    RecordedRequest,
    Reply,
    Script,
    ScriptError,
    Step,
    declared_tool_names,
    new_id,
    plan_reply,
    validate_steps,
)

HOST = "127.0.0.1"
Api = Literal["responses", "chat"]


@dataclass
class ProviderState:
    script: Script = field(default_factory=Script)
    requests: list[RecordedRequest] = field(default_factory=list)


def error_response(
    status: int,
    message: str,
    *,
    error_type: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An OpenAI-style error body, which the client turns into ``APIStatusError`` subclasses."""
    if error_type is None:
        error_type = "server_error" if status >= 500 else "invalid_request_error"
        if status == 429:
            error_type, code = "requests", code or "rate_limit_exceeded"
    body = {"error": {"message": message, "type": error_type, "param": None, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


def _record(request: Request, body: Any) -> RecordedRequest:
    headers = {name.lower(): value for name, value in request.headers.items()}
    has_authorization = headers.pop("authorization", None) is not None
    return {
        "path": request.url.path,
        "body": body,
        "headers": headers,
        "has_authorization": has_authorization,
    }


async def _pause(request: Request, seconds: float) -> None:
    """Sleep, but stop early once the client has gone (e.g. after its own timeout)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        if await request.is_disconnected():
            return
        await asyncio.sleep(min(remaining, 0.05))


def _malformed(api: Api, *, stream: bool) -> Response:
    if not stream:
        return Response('{"id": "broken", "output": [', media_type="application/json")
    if api == "responses":
        broken = b'event: response.created\ndata: {"type": "response.created", "response": {\n\n'
    else:
        broken = b'data: {"id": "chatcmpl_broken", "choices": [\n\n'
    return Response(broken, media_type="text/event-stream")


def _answer(api: Api, body: dict[str, Any], reply: Reply, headers: dict[str, str]) -> Response:
    if not body.get("stream"):
        if api == "responses":
            return JSONResponse(responses_api.render_response(body, reply), headers=headers)
        return JSONResponse(chat_api.render_completion(body, reply), headers=headers)

    async def events() -> AsyncIterator[bytes]:
        if api == "responses":
            for event in responses_api.stream_events(body, reply):
                yield responses_api.sse_event(event)
        else:
            for chunk in chat_api.stream_chunks(body, reply):
                yield chat_api.sse_chunk(chunk)
            yield chat_api.DONE

    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


async def _model_call(request: Request, state: ProviderState, api: Api) -> Response:
    try:
        body = json.loads(await request.body())
    except ValueError:
        body = None
    state.requests.append(_record(request, body))
    if not isinstance(body, dict):
        return error_response(400, "fake provider: request body is not a JSON object")
    step = state.script.next_step()
    if step is None:
        message = "fake provider: script exhausted, no step left for this request"
        return error_response(500, message, headers={"x-should-retry": "false"})
    return await _play(request, api, body, step)


async def _play(request: Request, api: Api, body: dict[str, Any], step: Step) -> Response:
    await _pause(request, step.get("delay_s", 0))
    expected = step.get("expect_tool")
    if expected is not None and expected not in (declared := declared_tool_names(body)):
        return error_response(
            400, f"fake provider: expected a tool named {expected!r}, request declared {declared}"
        )
    if (error := step.get("error")) is not None:
        return error_response(
            error["status"],
            error.get("message", f"fake provider: scripted error {error['status']}"),
            error_type=error.get("type"),
            code=error.get("code"),
            headers=error.get("headers"),
        )
    if step.get("malformed", False):
        return _malformed(api, stream=bool(body.get("stream")))
    return _answer(api, body, plan_reply(step, body), {"x-request-id": new_id("req")})


def create_app() -> Starlette:
    state = ProviderState()

    async def responses(request: Request) -> Response:
        return await _model_call(request, state, "responses")

    async def chat_completions(request: Request) -> Response:
        return await _model_call(request, state, "chat")

    async def set_script(request: Request) -> Response:
        try:
            payload = json.loads(await request.body())
            steps = validate_steps(payload.get("steps") if isinstance(payload, dict) else None)
        except (ValueError, ScriptError) as exc:
            return error_response(400, f"fake provider: bad script: {exc}")
        state.script.replace(steps)
        return JSONResponse({"steps": len(steps)})

    async def reset(request: Request) -> Response:
        state.script.replace([])
        state.requests.clear()
        return JSONResponse({"reset": True})

    async def recorded(request: Request) -> Response:
        return JSONResponse(state.requests)

    async def health(request: Request) -> Response:
        pending, count = state.script.pending, len(state.requests)
        return JSONResponse({"status": "ok", "pending_steps": pending, "requests": count})

    return Starlette(
        routes=[
            Route("/v1/responses", responses, methods=["POST"]),
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/_script", set_script, methods=["POST"]),
            Route("/_reset", reset, methods=["POST"]),
            Route("/_requests", recorded, methods=["GET"]),
            Route("/_health", health, methods=["GET"]),
        ]
    )


class _AnnouncingServer(uvicorn.Server):
    """Prints ``LISTENING <port>`` once the socket accepts connections."""

    def __init__(self, config: uvicorn.Config, port: int) -> None:
        super().__init__(config)
        self.announced_port = port

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
            print(f"LISTENING {self.announced_port}", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Scripted OpenAI-compatible test server.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, args.port))
    config = uvicorn.Config(
        create_app(),
        lifespan="off",
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    _AnnouncingServer(config, port=sock.getsockname()[1]).run(sockets=[sock])


if __name__ == "__main__":
    main()
