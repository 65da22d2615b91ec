"""A scripted OpenAI-compatible HTTP server for tests of the real-model path.

``server`` runs in its own process (``python -m tests.provider.server --port 0``), ``script``
holds the step format and request parsing, ``responses_api``/``chat_api`` render the two wire
formats and ``fixture`` starts the process for pytest.
"""
