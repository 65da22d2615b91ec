import pytest

# Shared checks with plain asserts, shown in full when they fail.
pytest.register_assert_rewrite("tests.agent.families", "tests.agent.helpers")
