"""The patterns the schema publishes say exactly what the server checks, whichever regex
engine reads them (Python's re, pydantic-core's Rust regex, ECMAScript in a client)."""

import re
import sys
import unicodedata

import pytest
from pydantic import TypeAdapter, ValidationError

from taskservice.tasks.schemas import (
    FORMAT,
    TAG_PATTERN,
    TITLE_PATTERN,
    WHITESPACE,
    Tag,
    TaskCreate,
)

CHARACTERS = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
# Where the engines disagree about `\s`, and the characters a tag may not hold.
# Where the engines disagree about `\s`, the characters a tag may not hold, and invisible
# format characters (in and outside the BMP).
TRICKY = [
    *"\t\n\v\f\r \x1c\x1f\x85\xa0\u1680\u2000\u200b\u2028\u3000\ufeff#,\x00",
    *"\xad\u061c\u200d\u2060\u2066\U000e0001\U000e0041\U0001d173",
    "a",
    "\u3164",
]


def test_format_is_exactly_the_unicode_format_characters() -> None:
    spelled_out = re.compile(f"[{FORMAT}]")

    assert [c for c in CHARACTERS if spelled_out.fullmatch(c)] == [
        c for c in CHARACTERS if unicodedata.category(c) == "Cf"
    ]


def test_whitespace_is_exactly_what_str_strip_removes() -> None:
    spelled_out = re.compile(f"[{WHITESPACE}]")

    assert [c for c in CHARACTERS if spelled_out.fullmatch(c)] == [
        c for c in CHARACTERS if c.isspace()
    ]


@pytest.mark.parametrize("char", TRICKY)
def test_title_pattern_matches_exactly_the_titles_accepted(char: str) -> None:
    title = f"{char}{char}"
    try:
        TaskCreate(title=title)
        accepted = True
    except ValidationError:
        accepted = False

    assert accepted == (re.fullmatch(TITLE_PATTERN, title) is not None)
    assert accepted == (
        char.strip() != "" and char != "\x00" and unicodedata.category(char) != "Cf"
    )


@pytest.mark.parametrize("char", TRICKY)
def test_tag_pattern_is_read_alike_by_python_and_pydantic(char: str) -> None:
    tag = f"a{char}"
    try:
        TypeAdapter(Tag).validate_python(tag)
        accepted = True
    except ValidationError:
        accepted = False

    assert accepted == (re.fullmatch(TAG_PATTERN, tag) is not None)
    assert accepted == (char not in "#,\x00" and not char.isspace())
