"""If-Match and If-None-Match: only tags the server issued match; anything else is a
clean 412 (If-Match) or a plain 200 (If-None-Match), never a 500."""

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taskservice.tasks.etag import if_match_versions, if_none_match_hits
from taskservice.tasks.models import Task
from tests.conftest import ApiUser

# What can arrive in a header: bytes other than CR, LF and NUL, read as Latin-1.
HEADER_TEXT = st.text(
    alphabet=st.characters(min_codepoint=1, max_codepoint=255, exclude_characters="\r\n"),
    max_size=200,
)
# Text made of the pieces an entity tag is made of, so that near misses are common.
TAG_LIKE = st.lists(
    st.sampled_from(['"', ".", ",", " ", "W/", "*", "7", "0", "1", "²", "٣", "9" * 30]),
    max_size=12,
).map("".join)
FUZZ = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def raw(header: str) -> bytes:
    """The bytes a client sends: Latin-1 where it can (the server reads headers so), else
    UTF-8 (which the server then reads as Latin-1)."""
    try:
        return header.encode("latin-1")
    except UnicodeEncodeError:
        return header.encode()


def task(task_id: int = 7, version: int = 3) -> Task:
    return Task(id=task_id, owner_id=1, title="t", title_folded="t", version=version)


class TestParsing:
    @pytest.mark.parametrize(
        ("header", "versions"),
        [
            ('"7.3"', {3}),
            ('"7.1", "7.3"', {1, 3}),
            ('"8.3"', set()),
            ('W/"7.3"', set()),
            ('"7.²"', set()),
            ('"7.٣"', set()),
            ('"7.03"', set()),
            ('"07.3"', set()),
            ('"7.' + "9" * 5000 + '"', set()),
            ('"7.' + "9" * 11 + '"', set()),
            ('"7.9999999999"', {9999999999}),
            ("7.3", set()),
            ("", set()),
        ],
    )
    def test_if_match_versions(self, header: str, versions: set[int]) -> None:
        assert if_match_versions(header, 7) == frozenset(versions)

    @pytest.mark.parametrize("header", [None, "*", '"7.1", *'])
    def test_if_match_without_condition(self, header: str | None) -> None:
        assert if_match_versions(header, 7) is None

    @pytest.mark.parametrize(
        ("header", "hits"),
        [
            ('"7.3"', True),
            ('W/"7.3"', True),
            ('"7.2", "7.3"', True),
            ("*", True),
            ('"7.2"', False),
            ('"7.³"', False),
            ('"7.' + "3" * 5000 + '"', False),
            (None, False),
        ],
    )
    def test_if_none_match_hits(self, header: str | None, hits: bool) -> None:
        assert if_none_match_hits(header, task()) is hits

    @given(header=HEADER_TEXT | TAG_LIKE)
    def test_if_match_only_accepts_versions_spelled_as_issued(self, header: str) -> None:
        versions = if_match_versions(header, 7)

        if versions is not None:
            assert all(f'"7.{version}"' in header for version in versions)

    @given(header=HEADER_TEXT | TAG_LIKE)
    def test_if_none_match_hits_only_on_the_current_tag(self, header: str) -> None:
        if if_none_match_hits(header, task()):
            assert '"7.3"' in header or "*" in header


async def create(user: ApiUser) -> dict[str, Any]:
    response = await user.client.post("/tasks", json={"title": "t"})
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


class TestOverHttp:
    @pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
    @pytest.mark.parametrize("version", ["²", "٣", "9" * 5000, "1" * 11])
    async def test_odd_if_match_is_412_and_writes_nothing(
        self, alice: ApiUser, method: str, version: str
    ) -> None:
        task = await create(alice)

        response = await alice.client.request(
            method,
            f"/tasks/{task['id']}",
            json=None if method == "DELETE" else {"title": "lost"},
            headers={b"If-Match": raw(f'"{task["id"]}.{version}"')},
        )

        assert response.status_code == 412
        assert response.json()["type"] == "urn:taskservice:problem:version-mismatch"
        assert (await alice.client.get(f"/tasks/{task['id']}")).json() == task

    @pytest.mark.parametrize("version", ["²", "9" * 5000])
    async def test_odd_if_none_match_is_a_plain_200(self, alice: ApiUser, version: str) -> None:
        task = await create(alice)

        response = await alice.client.get(
            f"/tasks/{task['id']}",
            headers={b"If-None-Match": raw(f'"{task["id"]}.{version}"')},
        )

        assert response.status_code == 200
        assert response.json() == task


@pytest.mark.slow
class TestFuzz:
    @FUZZ
    @given(header=HEADER_TEXT | TAG_LIKE)
    async def test_any_if_match_is_200_or_412(self, alice: ApiUser, header: str) -> None:
        task = await create(alice)

        response = await alice.client.patch(
            f"/tasks/{task['id']}",
            json={"title": "new"},
            headers={b"If-Match": raw(header)},
        )

        versions = if_match_versions(raw(header).decode("latin-1").strip(" \t"), task["id"])
        assert response.status_code == (200 if versions is None or 1 in versions else 412)

    @FUZZ
    @given(header=HEADER_TEXT | TAG_LIKE)
    async def test_any_if_none_match_is_200_or_304(self, alice: ApiUser, header: str) -> None:
        task = await create(alice)

        response = await alice.client.get(
            f"/tasks/{task['id']}", headers={b"If-None-Match": raw(header)}
        )

        assert response.status_code in (200, 304), response.text
