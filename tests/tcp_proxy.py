"""A TCP proxy on 127.0.0.1 in front of a database server, which a test can cut and restore.

``cut()`` stops listening (new connections are refused) and resets every open connection
on both sides, as a server that went away would. ``silence()`` listens but never answers
(a server that hangs, or a network that drops packets). ``restore()`` forwards again, on
the same port. Everything runs on the test's own event loop.
"""

import asyncio
import contextlib
from typing import Literal

Mode = Literal["forward", "refuse", "silent"]


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.mode: Mode = "forward"
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Refuse new connections and reset the open ones."""
        self.mode = "refuse"
        await self._stop_listening()
        self._reset_all()

    async def silence(self) -> None:
        """Accept connections but never answer; reset the open ones."""
        self.mode = "silent"
        self._reset_all()
        if self._server is None:
            await self.start()

    async def restore(self) -> None:
        self.mode = "forward"
        self._reset_all()  # a silent proxy's hung connections
        if self._server is None:
            await self.start()

    async def close(self) -> None:
        await self._stop_listening()
        self._reset_all()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _stop_listening(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _reset_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if self.mode != "forward":  # silent: hold the connection open and say nothing
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(upstream_writer)
        for source, sink in ((reader, upstream_writer), (upstream_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            sink.transport.abort()
            self._writers.discard(sink)
