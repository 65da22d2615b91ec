"""Adding tags to a task and removing them: what a tag list becomes.

Tags are compared as they are stored (lower-cased, see ``schemas.normalise_tag``); a
leading ``#``, which people write when they speak of a tag, is not part of it.
"""

from collections.abc import Iterable

from taskservice.tasks.schemas import normalise_tag


def tag_name(text: str) -> str:
    """A tag as it is stored, from how a person may write it (``#Work`` is ``work``)."""
    return normalise_tag(text.strip().removeprefix("#"))


def with_tags(current: Iterable[str], added: Iterable[str]) -> list[str]:
    """``current`` followed by the ``added`` tags it does not have yet (order kept)."""
    return list(dict.fromkeys([*current, *(tag_name(tag) for tag in added)]))


def without_tags(current: Iterable[str], removed: Iterable[str]) -> list[str]:
    """``current`` without the ``removed`` tags (those it does not have are ignored)."""
    gone = {tag_name(tag) for tag in removed}
    return [tag for tag in current if tag not in gone]
