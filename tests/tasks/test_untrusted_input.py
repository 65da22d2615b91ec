"""Whatever a client puts in a query parameter or header of the task routes, the answer
is a 2xx or a 4xx problem, never a 5xx (property-based, with Hypothesis)."""

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ApiUser

LIST_PARAMETERS = [
    "status",
    "priority",
    "tag",
    "q",
    "due_before",
    "due_after",
    "overdue",
    "sort",
    "limit",
    "cursor",
]
# Values that are near the valid ones as well as anything at all.
NEAR_VALID = st.sampled_from(
    [
        "todo",
        "done",
        "urgent",
        "low",
        "-priority,title",
        "due_date,-due_date",
        "2026-12-01",
        "0001-01-01",
        "9999-12-31",
        "true",
        "0",
        "100",
        "101",
        "-1",
        "9" * 40,
        "ß",
        "İ",
        "%",
        "_",
        "\\",
        "ﬃ",
    ]
)
VALUE = st.text(max_size=300) | NEAR_VALID
HEADER_TEXT = st.text(
    alphabet=st.characters(min_codepoint=1, max_codepoint=255, exclude_characters="\r\n"),
    min_size=1,
    max_size=300,
)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

pytestmark = pytest.mark.slow


def assert_clean(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == response.status_code


@pytest.fixture
async def tasks(alice: ApiUser) -> ApiUser:
    seeds: list[tuple[str, dict[str, Any]]] = [
        ("Straße fegen", {"priority": "high", "due_date": "2026-12-01", "tags": ["home"]}),
        ("ÄPFEL kaufen", {"status": "done", "tags": ["shop"]}),
        ("100% done_ish \\", {"description": "ﬃ and İ"}),
    ]
    for title, fields in seeds:
        response = await alice.client.post("/tasks", json={"title": title, **fields})
        assert response.status_code == 201
    return alice


class TestListTasksParameters:
    @pytest.mark.parametrize("name", LIST_PARAMETERS)
    @FUZZ
    @given(values=st.lists(VALUE, min_size=1, max_size=3))
    async def test_any_value_of_one_parameter(
        self, tasks: ApiUser, name: str, values: list[str]
    ) -> None:
        response = await tasks.client.get("/tasks", params={name: values})

        assert_clean(response)

    @FUZZ
    @given(params=st.dictionaries(st.sampled_from(LIST_PARAMETERS), VALUE, max_size=6))
    async def test_any_combination(self, tasks: ApiUser, params: dict[str, str]) -> None:
        response = await tasks.client.get("/tasks", params=params)

        assert_clean(response)


class TestHeaders:
    @pytest.mark.parametrize("name", ["Idempotency-Key", "X-Request-ID", "Authorization"])
    @FUZZ
    @given(value=HEADER_TEXT)
    async def test_any_header_value_on_create(self, alice: ApiUser, name: str, value: str) -> None:
        headers = {
            key.encode(): text.encode("latin-1")
            for key, text in {**alice.headers, name: value}.items()
        }

        response = await alice.client.post("/tasks", json={"title": "t"}, headers=headers)

        assert_clean(response)
