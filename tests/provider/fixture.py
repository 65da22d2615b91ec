"""Start the fake provider as a separate process and drive it from tests.

Use the ``fake_provider`` fixture by importing it into a test module::

    from tests.provider.fixture import FakeProvider
    from tests.provider.fixture import fake_provider as fake_provider  # the alias keeps ruff quiet

    async def test_x(fake_provider: FakeProvider) -> None:
        await fake_provider.ascript([{"text": "hi"}])
        client = AsyncOpenAI(base_url=fake_provider.base_url, api_key="dummy")

One server process is shared by the whole pytest session (started on first use, stopped when
the session ends); the fixture resets its script and recorded requests before each test.
"""

import ipaddress
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Self, cast

import httpx
import openai
import pytest

from tests.provider.script import RecordedRequest, Step

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONTROL_TIMEOUT = httpx.Timeout(10.0)


class FakeProviderError(RuntimeError):
    """The server process did not start, or a control call failed."""


class FakeProvider:
    def __init__(self, *, startup_timeout: float = 20.0) -> None:
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        self._port: int | None = None

    @property
    def root_url(self) -> str:
        if self._port is None:
            raise FakeProviderError("fake provider is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """What an OpenAI client takes as ``base_url``."""
        return f"{self.root_url}/v1"

    def start(self) -> str:
        if self._process is not None:
            return self.base_url
        log_fd, log_path = tempfile.mkstemp(prefix="fake-provider-", suffix=".log")
        self._log_path = Path(log_path)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "tests.provider.server", "--port", "0"],
                cwd=PROJECT_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log_fd,
            )
        finally:
            os.close(log_fd)
        try:
            self._port = self._wait_for_port(self._process)
        except BaseException:
            self.stop()
            raise
        return self.base_url

    def _wait_for_port(self, process: subprocess.Popen[bytes]) -> int:
        stdout = cast(IO[bytes], process.stdout)
        deadline = time.monotonic() + self._startup_timeout
        while (remaining := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([stdout], [], [], remaining)
            if not ready:
                continue
            line = stdout.readline().decode().strip()
            if line.startswith("LISTENING "):
                return int(line.removeprefix("LISTENING "))
            if not line:  # end of stdout: the process is gone
                break
        raise FakeProviderError(f"fake provider did not start; stderr:\n{self.server_log()}")

    def server_log(self) -> str:
        """The server's stderr so far (tracebacks of failed requests land here)."""
        if self._log_path is None or not self._log_path.exists():
            return ""
        return self._log_path.read_text(errors="replace")

    def stop(self) -> None:
        process, self._process, self._port = self._process, None, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            if process.stdout is not None:
                process.stdout.close()
        if self._log_path is not None:
            self._log_path.unlink(missing_ok=True)
            self._log_path = None

    def openai_client(self, *, max_retries: int = 0, timeout: float = 10.0) -> openai.AsyncOpenAI:
        """A real client aimed at this server; no retries unless a test asks for them."""
        return openai.AsyncOpenAI(
            base_url=self.base_url, api_key="dummy", max_retries=max_retries, timeout=timeout
        )

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _check(self, response: httpx.Response) -> Any:
        if response.is_error:
            raise FakeProviderError(f"{response.request.url}: {response.text}")
        return response.json()

    def script(self, steps: Sequence[Step]) -> None:
        """Replace the script; the next model request plays ``steps[0]``."""
        url = f"{self.root_url}/_script"
        self._check(httpx.post(url, json={"steps": list(steps)}, timeout=CONTROL_TIMEOUT))

    def reset(self) -> None:
        """Clear the script and the recorded requests."""
        self._check(httpx.post(f"{self.root_url}/_reset", timeout=CONTROL_TIMEOUT))

    @contextmanager
    def checked(self) -> Iterator[Self]:
        """Reset, hand the provider to a test, then fail the test if the server process
        died or logged a traceback meanwhile."""
        self.reset()
        log_start = len(self.server_log())
        yield self
        if not self.is_running():
            pytest.fail(f"fake provider died during the test; stderr:\n{self.server_log()}")
        if "Traceback" in (log := self.server_log()[log_start:]):
            pytest.fail(f"fake provider raised during the test:\n{log}")

    def requests(self) -> list[RecordedRequest]:
        """Every model request received since the last reset, in order."""
        url = f"{self.root_url}/_requests"
        return cast(list[RecordedRequest], self._check(httpx.get(url, timeout=CONTROL_TIMEOUT)))

    async def ascript(self, steps: Sequence[Step]) -> None:
        async with httpx.AsyncClient(base_url=self.root_url, timeout=CONTROL_TIMEOUT) as client:
            self._check(await client.post("/_script", json={"steps": list(steps)}))

    async def arequests(self) -> list[RecordedRequest]:
        async with httpx.AsyncClient(base_url=self.root_url, timeout=CONTROL_TIMEOUT) as client:
            return cast(list[RecordedRequest], self._check(await client.get("/_requests")))


class LoopbackGuard:
    """Refuses socket connections to anything but loopback, and remembers each attempt.

    Install it with ``monkeypatch`` and assert ``refused == []`` at the end of a test: a
    client that quietly retries (or a tracing exporter that swallows errors) cannot hide it.
    """

    def __init__(self) -> None:
        self.refused: list[object] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

        def guarded_connect(sock: socket.socket, address: Any) -> None:
            self._check(address)
            connect(sock, address)

        def guarded_connect_ex(sock: socket.socket, address: Any) -> int:
            self._check(address)
            return connect_ex(sock, address)

        monkeypatch.setattr(socket.socket, "connect", guarded_connect)
        monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)

    def _check(self, address: object) -> None:
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            self.refused.append(address)
            raise ConnectionRefusedError(f"loopback guard: {address!r} is not loopback")


def _is_loopback(host: object) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False


class _SessionProvider:
    """The one process per pytest session, started lazily by the first test that needs it."""

    instance: FakeProvider | None = None

    @classmethod
    def get(cls, config: pytest.Config) -> FakeProvider:
        if cls.instance is None or not cls.instance.is_running():
            provider = FakeProvider()
            provider.start()
            config.add_cleanup(provider.stop)
            cls.instance = provider
        return cls.instance


@pytest.fixture
def fake_provider(request: pytest.FixtureRequest) -> Iterator[FakeProvider]:
    """The session's fake provider, with an empty script and no recorded requests.

    Fails the test if the server process died or logged a traceback meanwhile.
    """
    with _SessionProvider.get(request.config).checked() as provider:
        yield provider
