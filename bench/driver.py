"""Send exactly N requests (for "after 10,000 tasks" and "after 1,000 agent sessions").

wrk runs for a duration, not a count, so the memory figure uses this instead; its
speed does not matter there. ``%N%`` in the body is replaced by the request's number.

    python -m bench.driver --url URL --key KEY --path /tasks --body '{"title": "t %N%"}' \\
        --count 5000 --concurrency 32
"""

import argparse
import asyncio
import json
import time
from collections import Counter

import httpx


async def main(args: argparse.Namespace) -> None:
    headers = {"Authorization": f"Bearer {args.key}", "Content-Type": "application/json"}
    numbers = iter(range(args.count))
    statuses: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=args.concurrency)
    timeout = httpx.Timeout(120.0)
    start = time.perf_counter()
    async with httpx.AsyncClient(base_url=args.url, limits=limits, timeout=timeout) as client:

        async def worker() -> None:
            for n in numbers:
                body = args.body.replace("%N%", str(n))
                try:
                    response = await client.post(args.path, content=body, headers=headers)
                    statuses[str(response.status_code)] += 1
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1

        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    seconds = time.perf_counter() - start
    print("BENCH_JSON " + json.dumps({"statuses": dict(statuses), "seconds": seconds}))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--body", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=32)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
