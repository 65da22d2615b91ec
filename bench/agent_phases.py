"""Where the CPU time of one ``POST /agent`` goes, phase by phase (evidence for figure 4).

Instrumentation rather than a figure: the app runs in this process (httpx's ASGI
transport, offline model, one request at a time) with timers wrapped around the
steps of a request by name. The CPU time (``time.process_time``) of each step is
summed; steps nest ("of which").

    python -m bench.agent_phases --database-url URL --key KEY --requests 200
"""

import argparse
import asyncio
import json
import os
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

# (module, class or "" for a module-level name, attribute, label): a module-level function
# is wrapped where it is called from (the module that imported it by name).
PHASES = (
    ("taskservice.auth.repository", "UserRepository", "authenticate_digest", "auth (key lookup)"),
    ("taskservice.agent.runs.lifecycle", "", "admit_message", "admission + new conversation"),
    ("agents", "Runner", "run", "Runner.run (the agent round)"),
    ("taskservice.agent.history", "TurnHistory", "get_items", "  of which history load"),
    ("taskservice.agent.runs.tool_calls", "RunToolCalls", "_unit", "  of which tool calls"),
    ("taskservice.agent.runs.run", "Run", "finish", "save the turn and end the run"),
    ("taskservice.agent.runs.run", "", "append", "  of which history write"),
)


def instrument(spent: dict[str, float]) -> list[str]:
    """Wrap each phase's coroutine function with a CPU timer; the names not found."""
    import importlib

    missing = []
    for module_name, owner_name, attr, label in PHASES:
        module = importlib.import_module(module_name)
        owner: Any = getattr(module, owner_name) if owner_name else module
        original = getattr(owner, attr, None)
        if original is None or not asyncio.iscoroutinefunction(original):
            missing.append(f"{module_name}.{owner_name or ''}.{attr}")
            continue
        setattr(owner, attr, _timed(original, label, spent))
    return missing


def _timed(
    original: Callable[..., Awaitable[Any]], label: str, spent: dict[str, float]
) -> Callable[..., Awaitable[Any]]:
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return await original(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start

    return wrapper


async def main(args: argparse.Namespace) -> None:
    os.environ.update(
        {
            "TASKSERVICE_DATABASE_URL": args.database_url,
            "TASKSERVICE_AGENT_MODEL": "offline",
            "TASKSERVICE_AGENT_MAX_CONCURRENT": "100",
            "TASKSERVICE_LOG_LEVEL": "warning",
        }
    )
    spent: dict[str, float] = defaultdict(float)
    missing = instrument(spent)
    from taskservice.app import create_app

    app = create_app()
    headers = {"Authorization": f"Bearer {args.key}"}
    body = {"message": args.message}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def turn() -> None:
                response = await client.post("/agent", json=body, headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"POST /agent: {response.status_code} {response.text}")

            for _ in range(args.warmup):
                await turn()
            spent.clear()
            start = time.process_time()
            for _ in range(args.requests):
                await turn()
            total = time.process_time() - start
    per_turn = {label: 1000 * value / args.requests for label, value in spent.items()}
    result = {"total_ms": 1000 * total / args.requests, "phases": per_turn, "missing": missing}
    print("BENCH_JSON " + json.dumps(result), flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--message", default="add a task to buy milk")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
