"""The real server with two workers: /metrics on either sums both; a worker that dies
leaves the gauges; the log is JSON lines that carry the ids."""

import json
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.observability.helpers import Key, parse_exposition
from tests.process import admin_key, serving

pytestmark = pytest.mark.slow

POOL_SIZE = 7
NOT_FOUND = (
    "taskservice_http_requests_total",
    frozenset({("method", "GET"), ("route", "/tasks/{task_id}"), ("status", "404")}),
)

UNAUTHORIZED = (
    "taskservice_http_requests_total",
    frozenset({("method", "GET"), ("route", "/tasks/{task_id}"), ("status", "401")}),
)


def scrape(base_url: str) -> dict[Key, float]:
    response = httpx.get(f"{base_url}/metrics", timeout=10)
    assert response.status_code == 200
    return parse_exposition(response.text)


def per_worker(directory: Path, key: Key) -> dict[int, float]:
    """The sample's value in each worker's own file (what the scrape sums)."""
    values = {}
    for path in directory.glob("counter_*.db"):
        pid = int(re.fullmatch(r"counter_(\d+)\.db", path.name).group(1))  # type: ignore[union-attr]
        metrics = MultiProcessCollector.merge([str(path)], accumulate=False)  # type: ignore[no-untyped-call]
        values[pid] = sum(
            s.value
            for metric in metrics
            for s in metric.samples
            if (s.name, frozenset(s.labels.items())) == key
        )
    return values


def worker_pids(directory: Path) -> set[int]:
    return {
        int(m.group(1))
        for p in directory.glob("gauge_livesum_*.db")
        if (m := re.fullmatch(r"gauge_livesum_(\d+)\.db", p.name))
    }


def wait_for(check: Any, what: str) -> None:
    """Until ``check()`` holds (the server gets there on its own); bounded."""
    for _ in range(600):
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


class TestTwoWorkers:
    def test_metrics_sum_both_workers_and_survive_one_dying(
        self, db_url: str, tmp_path: Path
    ) -> None:
        directory = tmp_path / "metrics"
        log = tmp_path / "serve.log"
        env = {
            "PROMETHEUS_MULTIPROC_DIR": str(directory),
            "TASKSERVICE_DB_POOL_SIZE": str(POOL_SIZE),
            "TASKSERVICE_LOG_FORMAT": "json",
        }
        with serving(db_url, "--workers", "2", env=env, log=log) as (base_url, _):
            wait_for(lambda: len(worker_pids(directory)) == 2, "both workers started")
            auth = {"Authorization": f"Bearer {admin_key(log)}"}
            before = scrape(base_url)
            # Each request on a connection of its own, until both workers have answered.
            made = 0
            while made < 400 and not (
                made >= 10 and all(per_worker(directory, NOT_FOUND).values())
            ):
                response = httpx.get(
                    f"{base_url}/tasks/123", headers={**auth, "X-Request-ID": f"r{made}"}
                )
                assert response.status_code == 404
                made += 1
            after = scrape(base_url)
            counts = per_worker(directory, NOT_FOUND)

            assert len(counts) == 2
            assert all(count > 0 for count in counts.values())
            assert after.get(NOT_FOUND, 0) - before.get(NOT_FOUND, 0) == made
            assert sum(counts.values()) == after[NOT_FOUND]
            pool: Key = ("taskservice_db_pool_size", frozenset())
            assert after[pool] == 2 * POOL_SIZE

            # A worker dies; uvicorn starts another. Its gauges leave the sums.
            victim = min(worker_pids(directory))
            os.kill(victim, signal.SIGKILL)
            seen: list[dict[Key, float]] = []

            def replaced() -> bool:
                seen.append(scrape(base_url))  # a scrape forgets dead workers' gauges
                pids = worker_pids(directory)
                return victim not in pids and len(pids) == 2 and seen[-1][pool] == 2 * POOL_SIZE

            wait_for(replaced, "the dead worker replaced, its gauges gone")
            assert seen[-1][NOT_FOUND] == after[NOT_FOUND]  # its counts stay in the sums

        lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
        entries = [json.loads(line) for line in lines]
        access = [e for e in entries if e["logger"] == "taskservice.access"]
        ours = [e for e in access if e["route"] == "/tasks/{task_id}"]
        assert [e["request_id"] for e in ours] == [f"r{i}" for i in range(made)]
        assert {(e["user_id"], e["method"], e["status"]) for e in ours} == {(1, "GET", 404)}
        assert {e["logger"] for e in entries} >= {"taskservice.access", "uvicorn.error"}
        assert not [e for e in entries if "color_message" in e or "pool" in e["logger"]]
        assert not [
            line
            for line in log.read_text().splitlines()
            if line and not line.startswith("{") and "INFO" in line
        ]


class TestMetricsDirectory:
    @pytest.mark.parametrize("workers", ["1", "2"])
    def test_serve_makes_its_directory_and_removes_it_when_stopped(
        self, db_url: str, tmp_path: Path, workers: str
    ) -> None:
        temp = tmp_path / "tmp"
        temp.mkdir()
        env = {"TMPDIR": str(temp)}
        assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ

        with serving(db_url, "--workers", workers, env=env) as (base_url, _):
            (directory,) = temp.glob("taskservice-metrics-*")
            wait_for(lambda: len(worker_pids(directory)) == int(workers), "the workers")
            assert httpx.get(f"{base_url}/tasks/123").status_code == 401
            assert scrape(base_url)[UNAUTHORIZED] == 1

        assert list(temp.glob("taskservice-metrics-*")) == []
