"""Background agent load: N conversations, each posting to ``/agent`` turn after turn.

Conversation ``n`` belongs to user ``n % len(keys)``; it continues one session for
``--turns-per-session`` turns, then starts a new one. It prints ``STARTED`` once
every conversation has finished a turn, stops by itself after ``--seconds`` (or on
SIGTERM), and prints a JSON summary: turns, errors by status, mean turn time.

    python -m bench.agent_load --url http://127.0.0.1:8000 --keys-file keys.txt
"""

import argparse
import asyncio
import json
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import httpx


async def conversation(
    client: httpx.AsyncClient,
    key: str,
    args: argparse.Namespace,
    stop: asyncio.Event,
    stats: Counter[str],
    durations: list[float],
    first_turns: asyncio.Queue[int],
) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    session_id: str | None = None
    turns_in_session = 0
    first = True
    while not stop.is_set():
        body: dict[str, object] = {"message": args.message}
        if session_id is not None:
            body["session_id"] = session_id
        start = time.perf_counter()
        try:
            response = await client.post("/agent", json=body, headers=headers)
            stats[str(response.status_code)] += 1
            if response.status_code == 200:
                durations.append(time.perf_counter() - start)
                session_id = response.json()["session_id"]
                turns_in_session += 1
        except httpx.HTTPError as exc:
            stats[type(exc).__name__] += 1
            await asyncio.sleep(0.1)
        if turns_in_session >= args.turns_per_session:
            session_id, turns_in_session = None, 0
        if first:
            first = False
            first_turns.put_nowait(1)


async def main(args: argparse.Namespace, keys: list[str]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.call_later(args.seconds, stop.set)
    stats: Counter[str] = Counter()
    durations: list[float] = []
    first_turns: asyncio.Queue[int] = asyncio.Queue()
    limits = httpx.Limits(max_connections=args.conversations)
    timeout = httpx.Timeout(120.0)
    async with httpx.AsyncClient(base_url=args.url, limits=limits, timeout=timeout) as client:
        tasks = [
            asyncio.create_task(
                conversation(client, keys[n % len(keys)], args, stop, stats, durations, first_turns)
            )
            for n in range(args.conversations)
        ]
        for _ in range(args.conversations):
            await first_turns.get()
        print("STARTED", flush=True)
        await stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    mean_ms = 1000 * sum(durations) / len(durations) if durations else float("nan")
    summary = {"turns": len(durations), "statuses": dict(stats), "mean_turn_ms": mean_ms}
    print("BENCH_JSON " + json.dumps(summary), flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--keys-file", required=True)
    parser.add_argument("--conversations", type=int, default=64)
    parser.add_argument("--turns-per-session", type=int, default=5)
    parser.add_argument("--message", default="list my todo tasks")
    parser.add_argument("--seconds", type=float, default=60.0)
    return parser.parse_args()


if __name__ == "__main__":
    if not sys.argv[1:]:
        sys.argv.append("--help")
    arguments = parse_args()
    asyncio.run(main(arguments, Path(arguments.keys_file).read_text().split()))
