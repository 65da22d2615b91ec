"""Starting the servers: the service as users run it, the baseline, the slow model.

The service is ``taskservice serve --workers N`` configured only by its
environment, as the README documents; the schema is migrated once beforehand with
``taskservice migrate``, so each start skips that step (``TASKSERVICE_AUTO_MIGRATE``).
Every server logs at ``warning`` (no access log line per request), the service and
the baseline alike.
"""

import json
import subprocess
import sys
from collections.abc import Mapping

from bench.common import BIN, HOST, ROOT, Settings
from bench.database import Database
from bench.procs import Process, Processes, clean_env, free_port

LOG_LEVEL = "warning"


def service_env(
    db: Database, settings: Settings, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    return clean_env(
        {
            "TASKSERVICE_DATABASE_URL": db.url,
            "TASKSERVICE_LOG_LEVEL": LOG_LEVEL,
            # `taskservice migrate` ran once before any server starts (bench.database)
            "TASKSERVICE_AUTO_MIGRATE": "false",
            "TASKSERVICE_AGENT_MODEL": "offline",
            "TASKSERVICE_AGENT_MAX_CONCURRENT": str(settings.agent_max_concurrent),
            **(extra or {}),
        }
    )


def start_service(
    procs: Processes,
    db: Database,
    workers: int,
    settings: Settings,
    *,
    name: str,
    extra_env: Mapping[str, str] | None = None,
) -> Process:
    port = free_port()
    argv = [
        str(BIN / "taskservice"),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    env = service_env(db, settings, extra_env)
    return procs.start(name, argv, env, port=port, ready_path="/healthz", workers=workers)


def _uvicorn(app: str, port: int, workers: int) -> list[str]:
    return [
        str(BIN / "uvicorn"),
        app,
        "--app-dir",
        str(ROOT),
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        LOG_LEVEL,
        "--no-proxy-headers",
    ]


def start_baseline(procs: Processes, db: Database, workers: int, owner_id: int) -> Process:
    port = free_port()
    env = clean_env({"BENCH_BASELINE_DSN": db.driver_dsn, "BENCH_BASELINE_OWNER": str(owner_id)})
    return procs.start(
        f"baseline-{db.kind}-{workers}w",
        _uvicorn("bench.baseline:app", port, workers),
        env,
        port=port,
        ready_path="/healthz",
        workers=workers,
    )


def start_floor(procs: Processes, db: Database) -> Process:
    """The stack floor (``bench/floor.py``), one worker, under the same uvicorn."""
    port = free_port()
    env = clean_env({"BENCH_FLOOR_URL": db.url})
    return procs.start(
        f"floor-{db.kind}",
        _uvicorn("bench.floor:app", port, 1),
        env,
        port=port,
        ready_path="/healthz",
    )


def start_model_server(procs: Processes, delay_s: float) -> Process:
    port = free_port()
    env = clean_env({"BENCH_MODEL_DELAY_S": str(delay_s)})
    return procs.start(
        "model-server",
        _uvicorn("bench.model_server:app", port, 1),
        env,
        port=port,
        ready_path="/health",
    )


def run_json(module: str, args: list[str], *, timeout_s: float) -> dict[str, object]:
    """Run ``python -m module args`` to its end; the ``BENCH_JSON`` line it printed."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=clean_env({}),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result: dict[str, object] = json.loads(line.removeprefix("BENCH_JSON "))
            return result
    raise RuntimeError(
        f"{module} failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}"
    )
