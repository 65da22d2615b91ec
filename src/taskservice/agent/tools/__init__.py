"""The specialists' function tools. Each calls the same repository methods as the
REST routes, through the same schemas, inside one unit of work per call."""
