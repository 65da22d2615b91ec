"""A recording HTTP proxy on loopback that forwards nothing.

A service started with ``HTTP(S)_PROXY``/``ALL_PROXY`` pointing here (and ``NO_PROXY`` for
loopback) sends every non-loopback connection attempt of its HTTP clients to this proxy,
which remembers the request line (``CONNECT api.openai.com:443 HTTP/1.1``) and answers 403.
"""

import contextlib
import socketserver
import threading
import time
from types import TracebackType
from typing import Self

FORBIDDEN = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class _Handler(socketserver.StreamRequestHandler):
    server: "_Server"

    def handle(self) -> None:
        self.connection.settimeout(5)
        try:
            line = self.rfile.readline(8192).decode("latin-1").strip()
            while self.rfile.readline(8192).strip():  # the headers, up to the blank line
                pass
        except OSError:
            return
        if line:
            self.server.record(line)
        with contextlib.suppress(OSError):
            self.wfile.write(FORBIDDEN)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lines: list[str] = []
        self.lock = threading.Lock()

    def record(self, line: str) -> None:
        with self.lock:
            self.lines.append(line)


class RecordingProxy:
    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[str]:
        """The request lines seen so far, e.g. ``CONNECT api.openai.com:443 HTTP/1.1``."""
        with self._server.lock:
            return list(self._server.lines)

    def env(self) -> dict[str, str]:
        """Environment that routes a process's non-loopback HTTP(S) through this proxy."""
        proxy, loopback = self.url, "127.0.0.1,localhost"
        names = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
        return {
            **dict.fromkeys(names, proxy),
            **{name.lower(): proxy for name in names},
            "NO_PROXY": loopback,
            "no_proxy": loopback,
        }

    def wait_for(self, line_start: str, timeout: float) -> list[str]:
        """The request lines starting with ``line_start``, waiting up to ``timeout`` for one."""
        deadline = time.monotonic() + timeout
        while not (found := [r for r in self.requests if r.startswith(line_start)]):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        return found

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
