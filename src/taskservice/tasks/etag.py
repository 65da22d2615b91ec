"""Entity tags for tasks: ``"<id>.<version>"``, strong, since ``version`` grows on
every change and ids are never reused.

Parsing is strict: a tag is ours only if it is exactly what :func:`etag_for` writes,
ASCII digits with no leading zeros and at most ten of them (ids and versions are 32-bit
integers). Anything else (other digits such as ``²``, thousands of digits, stray text)
is a tag we never issued: it matches nothing, so ``If-Match`` answers 412.
"""

import re
from typing import Protocol


class Versioned(Protocol):
    """A task as stored or as read: its id and version make its tag."""

    @property
    def id(self) -> int | None: ...

    @property
    def version(self) -> int: ...


_NUMBER = r"(?:0|[1-9][0-9]{0,9})"
_OUR_TAG = re.compile(rf'"({_NUMBER})\.({_NUMBER})"')


def etag_for(task: Versioned) -> str:
    return f'"{task.id}.{task.version}"'


def _tags(header: str) -> list[str]:
    return [part.strip() for part in header.split(",") if part.strip()]


def if_match_versions(header: str | None, task_id: int) -> frozenset[int] | None:
    """The versions an ``If-Match`` header accepts; ``None`` means unconditional.

    ``*`` accepts any version. Weak tags never match (RFC 9110 uses the strong
    comparison for If-Match), and neither do malformed ones, so they yield 412.
    """
    if header is None:
        return None
    tags = _tags(header)
    if "*" in tags:
        return None
    versions: set[int] = set()
    for tag in tags:
        match = _OUR_TAG.fullmatch(tag)
        if match is not None and match[1] == str(task_id):
            versions.add(int(match[2]))
    return frozenset(versions)


def if_none_match_hits(header: str | None, task: Versioned) -> bool:
    """Whether ``If-None-Match`` names the current representation (weak comparison)."""
    if header is None:
        return False
    current = etag_for(task)
    return any(tag == "*" or tag.removeprefix("W/") == current for tag in _tags(header))
