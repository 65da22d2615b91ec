"""The MCP front door: the same tasks as tools and resources for any MCP client.

Everything here imports the official SDK as ``mcp`` (absolute imports, so the name
means the SDK, never this package).
"""
