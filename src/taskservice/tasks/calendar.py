"""What "today" is for a user: the date in their time zone.

Every user has a time zone, an IANA name (``Europe/Paris``, ``Asia/Tokyo``; ``UTC`` by
default, set by ``taskservice users create NAME --timezone ZONE``). Whatever counts
from today counts from the user's today: the ``overdue`` filter, the summary, and the
agent's relative dates ("tomorrow" said at 23:30 in Tokyo is the Tokyo day after).
"""

import zoneinfo
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache

from taskservice.errors import UnprocessableContent

DEFAULT_TIMEZONE = "UTC"
TIMEZONE_MAX = 64

Clock = Callable[[], datetime]


class UnknownTimezone(UnprocessableContent):
    slug = "unknown-timezone"


def utc_now() -> datetime:
    """The clock the service runs on (tests hand their own to ``build_resources``)."""
    return datetime.now(UTC)


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def checked_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone name (exactly, as the tz database spells it),
    else :class:`UnknownTimezone` (422)."""
    if name not in _known_timezones():
        shown = name if len(name) <= TIMEZONE_MAX and name.isprintable() else "that"
        raise UnknownTimezone(
            f"Unknown time zone {shown!r}: use an IANA name such as Europe/Paris, "
            "America/New_York or UTC."
        )
    return name


def today_for(timezone: str, now: datetime) -> date:
    """The date it is in ``timezone`` at the instant ``now`` (an aware datetime)."""
    return now.astimezone(zoneinfo.ZoneInfo(timezone)).date()
