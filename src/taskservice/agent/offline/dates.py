"""Date phrases the offline grammar understands, resolved against a given ``today``.

The server passes its UTC date as ``today``; nothing here reads the clock. Conventions:

- ``today`` (``tonight``), ``tomorrow`` (``tmrw``), ``yesterday``, ``the day after tomorrow``.
- A bare weekday (``friday``, ``fri``, ``this friday``, ``on friday``) is the first such day
  on or after today, as most task apps read it: said on a Friday, ``friday`` is today.
- ``next <weekday>`` is that weekday in the next ISO week (weeks start on Monday): said on
  Wednesday 2026-11-25, ``next monday`` is 2026-11-30 and ``next friday`` is 2026-12-04.
- ``next week`` is next Monday; ``end of (the) week`` is this week's Sunday (today on a
  Sunday); ``end of (the) month`` is the last day of this month; ``next month`` is the
  first day of next month.
- ``in N days|weeks|months`` and ``N days from now`` (N in digits, ``one``..``twelve``,
  ``a``/``an``); months keep the day of the month, clamped to the month's last day.
- ``2026-12-24``; ``dec 24``, ``december 24th``, ``24 december``, ``the 24th of dec``, each
  with an optional year (``december 24, 2026``). Without a year: the first such date on or
  after today.
- A date that does not exist (``2026-02-30``, ``feb 30``) is ``None``, never a nearby day.
  Numeric ``12/24`` forms are not accepted: their day/month order is ambiguous.
"""

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

_WEEKDAYS = {
    **dict.fromkeys(("monday", "mon"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("wednesday", "wed"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("friday", "fri"), 4),
    **dict.fromkeys(("saturday", "sat"), 5),
    **dict.fromkeys(("sunday", "sun"), 6),
}
WEEKDAY_NAMES = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
WEEKDAY_ABBREVIATIONS = frozenset(name for name in _WEEKDAYS if not name.endswith("day"))
_MONTHS = {
    **dict.fromkeys(("january", "jan"), 1),
    **dict.fromkeys(("february", "feb"), 2),
    **dict.fromkeys(("march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    "may": 5,
    **dict.fromkeys(("june", "jun"), 6),
    **dict.fromkeys(("july", "jul"), 7),
    **dict.fromkeys(("august", "aug"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9),
    **dict.fromkeys(("october", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dec"), 12),
}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_NUMBERS |= {"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}

Resolver = Callable[[re.Match[str], date], date | None]


def _alternatives(words: dict[str, int]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_WEEKDAY = rf"(?P<weekday>{_alternatives(_WEEKDAYS)})"
_MONTH = rf"(?P<month>{_alternatives(_MONTHS)})\.?"
_COUNT = rf"(?P<count>\d{{1,3}}|{_alternatives(_NUMBERS)})\s+(?P<unit>days?|weeks?|months?)"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"


def week_bounds(today: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week that contains ``today``."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _add_months(day: date, months: int) -> date:
    year, month_index = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last))


def _upcoming(match: re.Match[str], today: date) -> date:
    weekday = _WEEKDAYS[match["weekday"].lower()]
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _in_next_week(match: re.Match[str], today: date) -> date:
    monday = week_bounds(today)[0] + timedelta(weeks=1)
    return monday + timedelta(days=_WEEKDAYS[match["weekday"].lower()])


def _after(match: re.Match[str], today: date) -> date:
    count = match["count"].lower()
    number = _NUMBERS[count] if count in _NUMBERS else int(count)
    unit = match["unit"].lower()
    if unit.startswith("month"):
        return _add_months(today, number)
    return today + timedelta(days=number * (7 if unit.startswith("week") else 1))


def _iso(match: re.Match[str], today: date) -> date | None:
    return _make(int(match["year"]), int(match["month"]), int(match["day"]))


def _month_day(match: re.Match[str], today: date) -> date | None:
    month, day = _MONTHS[match["month"].lower()], int(match["day"])
    if match["year"]:
        return _make(int(match["year"]), month, day)
    for year in range(today.year, today.year + 9):  # 9 years always hold a 29 February
        candidate = _make(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _end_of_month(match: re.Match[str], today: date) -> date:
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


def _shift(days: int) -> Resolver:
    return lambda match, today: today + timedelta(days=days)


_RULES: tuple[tuple[str, Resolver], ...] = (
    (r"(?:the\s+)?day\s+after\s+tomorrow", _shift(2)),
    (r"today|tonight", _shift(0)),
    (r"tomorrow|tmrw", _shift(1)),
    (r"yesterday", _shift(-1)),
    (rf"next\s+{_WEEKDAY}", _in_next_week),
    (rf"(?:this\s+)?{_WEEKDAY}", _upcoming),
    (r"next\s+week", lambda match, today: week_bounds(today)[0] + timedelta(weeks=1)),
    (r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week", lambda match, today: week_bounds(today)[1]),
    (r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month", _end_of_month),
    (r"next\s+month", lambda match, today: _add_months(today.replace(day=1), 1)),
    (rf"in\s+{_COUNT}", _after),
    (rf"{_COUNT}\s+from\s+(?:now|today)", _after),
    (r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})", _iso),
    (rf"{_MONTH}\s+{_DAY}{_YEAR}", _month_day),
    (rf"(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}", _month_day),
)
_COMPILED = tuple((re.compile(pattern, re.IGNORECASE), resolve) for pattern, resolve in _RULES)
_PREFIX = re.compile(r"^(?:due\s+(?:on\s+|by\s+)?|on\s+|by\s+)", re.IGNORECASE)

DATE_PATTERN = (
    "(?:" + "|".join(re.sub(r"\(\?P<\w+>", "(?:", pattern) for pattern, _ in _RULES) + r")(?![\w-])"
)
"""Every phrase ``parse_date`` reads, without groups, for embedding in other patterns
(compile with ``re.IGNORECASE``); it checks shape only, ``parse_date`` checks existence."""


SPAN_PATTERN = (
    rf"(?:(?:\d{{1,3}}|{_alternatives(_NUMBERS)}|a\s+couple\s+of)\s+"
    r"(?:days?|weeks?)|a\s+fortnight|(?:one|a)\s+more\s+(?:day|week))(?![\w-])"
)
"""A span of days or weeks ("3 days", "a week", "two weeks", "a couple of days")."""


def parse_days(span: str) -> int | None:
    """The number of days ``span`` (see ``SPAN_PATTERN``) names; ``None`` if it names none
    or more than ten years."""
    words = " ".join(span.lower().split())
    if words == "a fortnight":
        return 14
    match = re.fullmatch(r"(.+?)\s+(?:more\s+)?(days?|weeks?)", words)
    if match is None:
        return None
    count, unit = match[1].removesuffix(" more"), match[2]
    counts = {**_NUMBERS, "a couple of": 2}
    number = counts[count] if count in counts else int(count) if count.isdigit() else None
    if number is None or number < 1:
        return None
    days = number * (7 if unit.startswith("week") else 1)
    return days if days <= 3660 else None


def parse_date(phrase: str, today: date) -> date | None:
    """The date ``phrase`` names (see the module docstring), or ``None``.

    A leading ``on``, ``by``, ``due``, ``due on`` or ``due by`` is allowed.
    """
    text = _PREFIX.sub("", " ".join(phrase.split()).rstrip(".,!?"))
    for regex, resolve in _COMPILED:
        if match := regex.fullmatch(text):
            try:
                return resolve(match, today)
            except (OverflowError, ValueError):
                return None
    return None
