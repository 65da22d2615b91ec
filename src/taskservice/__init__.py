"""taskservice: a multi-user task service with a REST API and a natural-language agent."""

__version__ = "0.1.0"
