"""Run the real ``taskservice`` command in a subprocess, as a user would."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

TASKSERVICE = str(Path(sys.executable).with_name("taskservice"))
_BANNER_KEY = re.compile(r"^\s+(ts_\S+)$", flags=re.MULTILINE)


def admin_key(log: Path) -> str:
    """The key `serve` printed for the user it made on a database with none."""
    keys: list[str] = _BANNER_KEY.findall(log.read_text())
    assert len(keys) == 1, keys
    return keys[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_cli(
    db_url: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TASKSERVICE, *args],
        env={**os.environ, "TASKSERVICE_DATABASE_URL": db_url, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@contextmanager
def serving(
    db_url: str, *args: str, env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Start ``taskservice serve`` on a free port; yield its base URL once it is ready."""
    port = free_port()
    out = open(log, "w+") if log else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        [TASKSERVICE, "serve", "--port", str(port), *args],
        env={**os.environ, "TASKSERVICE_DATABASE_URL": db_url, **(env or {})},
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"taskservice serve exited with {process.returncode}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("taskservice serve did not start within 60 s")
            time.sleep(0.1)
        yield base_url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if log:
            out.close()  # type: ignore[union-attr]
