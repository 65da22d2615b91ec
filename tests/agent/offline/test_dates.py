"""Date phrases resolved against a fixed ``today`` (never the clock)."""

import re
from datetime import date

import pytest

from taskservice.agent.offline.dates import DATE_PATTERN, parse_date, week_bounds

WEDNESDAY = date(2026, 11, 25)
FRIDAY = date(2026, 11, 27)
SATURDAY = date(2026, 11, 28)
SUNDAY = date(2026, 11, 29)


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


class TestParseDate:
    @pytest.mark.parametrize(
        ("phrase", "expected"),
        [
            ("today", d(11, 25)),
            ("Tonight", d(11, 25)),
            ("tomorrow", d(11, 26)),
            ("TOMORROW", d(11, 26)),
            ("tmrw", d(11, 26)),
            ("yesterday", d(11, 24)),
            ("the day after tomorrow", d(11, 27)),
            ("day after tomorrow", d(11, 27)),
            # a bare weekday: the first such day on or after today
            ("friday", d(11, 27)),
            ("Friday", d(11, 27)),
            ("fri", d(11, 27)),
            ("on friday", d(11, 27)),
            ("this friday", d(11, 27)),
            ("wednesday", d(11, 25)),
            ("tuesday", d(12, 1)),
            ("tues", d(12, 1)),
            ("monday", d(11, 30)),
            ("sun", d(11, 29)),
            # next <weekday>: that weekday in the next ISO week
            ("next monday", d(11, 30)),
            ("next friday", d(12, 4)),
            ("Next Wednesday", d(12, 2)),
            ("next sunday", d(12, 6)),
            ("next week", d(11, 30)),
            ("end of week", d(11, 29)),
            ("end of the week", d(11, 29)),
            ("end of the month", d(11, 30)),
            ("in 3 days", d(11, 28)),
            ("in 1 day", d(11, 26)),
            ("in a week", d(12, 2)),
            ("in two weeks", d(12, 9)),
            ("in 2 months", d(1, 25, 2027)),
            ("3 days from now", d(11, 28)),
            ("2026-12-24", d(12, 24)),
            ("2027-01-05", d(1, 5, 2027)),
            ("dec 24", d(12, 24)),
            ("Dec. 24", d(12, 24)),
            ("december 24th", d(12, 24)),
            ("24 december", d(12, 24)),
            ("the 24th of dec", d(12, 24)),
            ("december 24, 2026", d(12, 24)),
            ("24 Dec 2027", d(12, 24, 2027)),
            ("jan 5", d(1, 5, 2027)),
            ("nov 25", d(11, 25)),
            ("nov 24", d(11, 24, 2027)),
            ("sept 3", d(9, 3, 2027)),
            ("feb 29", d(2, 29, 2028)),
            ("  due   on friday. ", d(11, 27)),
            ("by tomorrow", d(11, 26)),
        ],
    )
    def test_on_a_wednesday(self, phrase: str, expected: date) -> None:
        assert parse_date(phrase, WEDNESDAY) == expected

    @pytest.mark.parametrize(
        ("today", "phrase", "expected"),
        [
            (FRIDAY, "friday", FRIDAY),
            (FRIDAY, "next friday", d(12, 4)),
            (FRIDAY, "saturday", d(11, 28)),
            (FRIDAY, "next saturday", d(12, 5)),
            (FRIDAY, "thursday", d(12, 3)),
            (FRIDAY, "end of week", SUNDAY),
            (SATURDAY, "friday", d(12, 4)),
            (SATURDAY, "next friday", d(12, 4)),
            (SUNDAY, "sunday", SUNDAY),
            (SUNDAY, "end of week", SUNDAY),
            (SUNDAY, "monday", d(11, 30)),
            (SUNDAY, "next monday", d(11, 30)),
            (SUNDAY, "next sunday", d(12, 6)),
            (SUNDAY, "next week", d(11, 30)),
            (d(12, 31), "tomorrow", d(1, 1, 2027)),
            (d(12, 31), "jan 1", d(1, 1, 2027)),
            (d(1, 31, 2027), "in 1 month", d(2, 28, 2027)),
        ],
    )
    def test_relative_to_other_days(self, today: date, phrase: str, expected: date) -> None:
        assert parse_date(phrase, today) == expected

    @pytest.mark.parametrize(
        "phrase",
        [
            "2026-02-30",
            "2026-13-01",
            "feb 30",
            "february 30, 2026",
            "31 april",
            "12/24",
            "someday",
            "next",
            "friday week",
            "in days",
            "",
        ],
    )
    def test_what_is_not_a_date(self, phrase: str) -> None:
        assert parse_date(phrase, WEDNESDAY) is None


class TestWeekBounds:
    @pytest.mark.parametrize(
        ("today", "expected"),
        [
            (WEDNESDAY, (d(11, 23), d(11, 29))),
            (d(11, 23), (d(11, 23), d(11, 29))),
            (SUNDAY, (d(11, 23), d(11, 29))),
            (d(12, 31), (d(12, 28), d(1, 3, 2027))),
        ],
    )
    def test_monday_to_sunday(self, today: date, expected: tuple[date, date]) -> None:
        assert week_bounds(today) == expected


class TestDatePattern:
    @pytest.mark.parametrize(
        ("text", "found"),
        [
            ("call mom next friday", "next friday"),
            ("pay rent by Dec 24, 2026 please", "Dec 24, 2026"),
            ("ship it in 3 days", "in 3 days"),
            ("renew 2026-12-01", "2026-12-01"),
            ("buy 2 mars bars", None),
            ("fix the monday report", "monday"),
        ],
    )
    def test_finds_date_phrases_in_text(self, text: str, found: str | None) -> None:
        match = re.search(rf"(?<!\w){DATE_PATTERN}", text, re.IGNORECASE)
        assert (match[0] if match else None) == found
