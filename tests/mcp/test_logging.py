"""Building the MCP server leaves the application's logging alone."""

import logging
from pathlib import Path

from taskservice.auth.cache import VerifiedKeys
from taskservice.config import Settings
from taskservice.db import create_db_sessionmaker, create_engine
from taskservice.mcp.server import McpEndpoint


async def test_the_root_logger_is_left_as_it_was(tmp_path: Path) -> None:
    # MCPServer() calls logging.basicConfig, which configures a root logger that has
    # no handler (a rich handler at INFO); with pytest's handlers set aside, it would.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/unused.db")
    engine = create_engine(settings)
    root.handlers.clear()
    root.setLevel(logging.WARNING)
    try:
        McpEndpoint(settings, create_db_sessionmaker(engine), VerifiedKeys(5.0))
        assert (root.handlers, root.level) == ([], logging.WARNING)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        await engine.dispose()
