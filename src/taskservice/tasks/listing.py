"""Filters and sort orders for listing tasks, and the keyset predicate behind cursors.

A cursor (see ``cursors``) holds the sort keys of the last row of a page. The next
page starts strictly after it, so rows inserted meanwhile never shift a page (no
duplicates, none skipped), and a page deep in the chain costs an index range scan,
not an OFFSET.
"""

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Date, Text, and_, bindparam, false, or_, select
from sqlalchemy.sql.elements import BindParameter, UnaryExpression
from sqlmodel import col

from taskservice.errors import BadRequest
from taskservice.tasks.models import (
    OPEN_STATUSES,
    PRIORITY_BY_RANK,
    Priority,
    Status,
    Task,
    TaskTag,
)
from taskservice.tasks.schemas import TaskRead, normalise_tag
from taskservice.tasks.search import fold

SORT_FIELDS = ("created_at", "updated_at", "due_date", "priority", "title")
DEFAULT_SORT = "-created_at"
SORT_PATTERN = (
    r"^-?(created_at|updated_at|due_date|priority|title)"
    r"(,-?(created_at|updated_at|due_date|priority|title))*$"
)
_NULLABLE = {"due_date"}


class InvalidSort(BadRequest):
    slug = "invalid-sort"


@dataclass(frozen=True)
class DueWindow:
    """Due dates from ``first`` to ``last``, both days included; either end may be open.

    ``TaskFilters`` (like the REST ``due_after``/``due_before``) bounds strictly; this
    says once how an inclusive window ("due this week", "due from Monday to Friday")
    becomes those strict bounds.
    """

    first: date | None = None
    last: date | None = None

    @property
    def due_after(self) -> date | None:
        if self.first is None or self.first == date.min:
            return None
        return self.first - timedelta(days=1)

    @property
    def due_before(self) -> date | None:
        if self.last is None or self.last == date.max:
            return None
        return self.last + timedelta(days=1)

    def filters(self, **others: Any) -> "TaskFilters":
        """Filters for this window, and ``others`` (any other :class:`TaskFilters` field)."""
        return TaskFilters(due_after=self.due_after, due_before=self.due_before, **others)


@dataclass(frozen=True)
class TaskFilters:
    statuses: Sequence[Status] = ()
    priorities: Sequence[Priority] = ()
    tag: str | None = None
    q: str | None = None
    due_before: date | None = None
    due_after: date | None = None
    overdue: bool | None = None
    today: date = field(default_factory=lambda: datetime.now(UTC).date())

    @property
    def by_status_and_priority_only(self) -> bool:
        """Whether the counters alone give the total (see ``counts``)."""
        return (self.tag, self.q, self.due_before, self.due_after, self.overdue) == (
            None,
            None,
            None,
            None,
            None,
        )

    def fingerprint(self) -> str:
        canonical = json.dumps(
            [
                sorted(s.value for s in self.statuses),
                sorted(p.value for p in self.priorities),
                normalise_tag(self.tag) if self.tag else None,
                self.q,
                self.due_before.isoformat() if self.due_before else None,
                self.due_after.isoformat() if self.due_after else None,
                self.overdue,
            ]
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def shape(self) -> tuple[bool | None, ...]:
        """Which filters are set: all that the statement's text depends on (the values
        are bound parameters), so one statement serves every list of the same shape."""
        return (
            bool(self.statuses),
            bool(self.priorities),
            bool(self.tag),
            bool(self.q),
            self.due_before is not None,
            self.due_after is not None,
            self.overdue,
        )

    def clauses(self) -> list[ColumnElement[bool]]:
        """The filters as SQL, with the bound parameters that :meth:`params` fills."""
        return filter_clauses(self.shape())

    def params(self, owner_id: int) -> dict[str, Any]:
        values: dict[str, Any] = {"owner_id": owner_id}
        if self.statuses:
            values["statuses"] = [s.value for s in self.statuses]
        if self.priorities:
            values["priorities"] = list(self.priorities)
        if self.tag:
            values["tag"] = normalise_tag(self.tag)
        if self.q:
            values["q"] = _contains_pattern(fold(self.q))
        if self.due_before is not None:
            values["due_before"] = self.due_before
        if self.due_after is not None:
            values["due_after"] = self.due_after
        if self.overdue is not None:
            values["today"] = self.today
        return values


LIKE_ESCAPE = "/"


def _contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its own ``%`` and ``_`` taken literally."""
    for char in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(char, LIKE_ESCAPE + char)
    return f"%{text}%"


@lru_cache(maxsize=64)
def filter_clauses(shape: tuple[bool | None, ...]) -> list[ColumnElement[bool]]:
    """The SQL of filters of this :meth:`TaskFilters.shape`, made once per shape."""
    statuses, priorities, tag, q, due_before, due_after, overdue = shape
    clauses: list[ColumnElement[bool]] = [_col("owner_id") == bindparam("owner_id")]
    if statuses:
        clauses.append(_col("status").in_(bindparam("statuses", expanding=True)))
    if priorities:
        clauses.append(_col("priority").in_(bindparam("priorities", expanding=True)))
    if tag:
        tagged = select(col(TaskTag.task_id)).where(
            col(TaskTag.owner_id) == bindparam("owner_id"),
            col(TaskTag.tag) == bindparam("tag"),
        )
        clauses.append(_col("id").in_(tagged))
    if q:
        pattern = bindparam("q", type_=Text())
        clauses.append(
            or_(
                _col("title_folded").like(pattern, escape=LIKE_ESCAPE),
                _col("description_folded").like(pattern, escape=LIKE_ESCAPE),
            )
        )
    if due_before:
        clauses.append(_col("due_date") < bindparam("due_before"))
    if due_after:
        clauses.append(_col("due_date") > bindparam("due_after"))
    if overdue is not None:
        late = and_(  # null-safe, so that its negation keeps undated tasks
            _col("due_date").is_not(None),
            _col("due_date") < bindparam("today", type_=Date()),
            _col("status") != Status.done.value,
        )
        clauses.append(late if overdue else ~late)
    return clauses


def open_tasks(today: date) -> TaskFilters:
    """Every task that is not done."""
    return TaskFilters(statuses=OPEN_STATUSES, today=today)


def _col(name: str) -> Any:
    return Task.__table__.c[name]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SortKey:
    name: str
    descending: bool

    @property
    def nullable(self) -> bool:
        return self.name in _NULLABLE

    def order_by(self) -> UnaryExpression[Any]:
        col = _col(self.name)
        ordered: UnaryExpression[Any] = col.desc() if self.descending else col.asc()
        return ordered.nulls_last() if self.nullable else ordered


@dataclass(frozen=True)
class SortOrder:
    spec: str
    keys: tuple[SortKey, ...]

    @classmethod
    def parse(cls, raw: str | None) -> "SortOrder":
        raw = (raw or DEFAULT_SORT).strip() or DEFAULT_SORT
        keys: list[SortKey] = []
        seen: set[str] = set()
        for part in raw.split(","):
            part = part.strip()
            name = part.removeprefix("-")
            if name not in SORT_FIELDS:
                raise InvalidSort(
                    f"Cannot sort by {name!r}; use a comma-separated list of "
                    f"{', '.join(SORT_FIELDS)}, each optionally prefixed with '-'."
                )
            if name not in seen:  # a repeated field cannot change the order
                seen.add(name)
                keys.append(SortKey(name, part.startswith("-")))
        # The id breaks ties, in the direction of the last key, so the order is total.
        keys.append(SortKey("id", keys[-1].descending))
        spec = ",".join(("-" if k.descending else "") + k.name for k in keys[:-1])
        return cls(spec=spec, keys=tuple(keys))

    @classmethod
    def parse_strict(cls, raw: str) -> "SortOrder":
        """The REST ``sort`` parameter: exactly what :data:`SORT_PATTERN` allows (as the
        schema says), else 400; no blanks, no empty string."""
        if not re.fullmatch(SORT_PATTERN, raw):
            raise InvalidSort(
                f"Cannot sort by {raw!r}; use a comma-separated list of "
                f"{', '.join(SORT_FIELDS)}, each optionally prefixed with '-'."
            )
        return cls.parse(raw)

    def order_by(self) -> list[UnaryExpression[Any]]:
        return [key.order_by() for key in self.keys]

    def key_values(self, task: Task | TaskRead) -> list[Any]:
        return [_encode_value(key.name, getattr(task, key.name)) for key in self.keys]

    def position(self, values: Sequence[Any]) -> tuple[tuple[bool, ...], dict[str, Any]]:
        """A cursor's sort key values as :meth:`after` takes them: which are null (that
        changes the predicate), and the others as its bound parameters."""
        decoded = [_decode_value(k.name, v) for k, v in zip(self.keys, values, strict=True)]
        nulls = tuple(v is None for v in decoded)
        params = {f"after_{n}": v for n, v in enumerate(decoded) if v is not None}
        return nulls, params

    def after(self, nulls: tuple[bool, ...]) -> ColumnElement[bool]:
        """Rows strictly after a position in this order (its values bound, see
        :meth:`position`)."""
        return _after_clause(self.keys, nulls)


@lru_cache(maxsize=256)
def _after_clause(keys: tuple[SortKey, ...], nulls: tuple[bool, ...]) -> ColumnElement[bool]:
    predicate = _after(keys, nulls, 0)
    first = keys[0]
    # A redundant bound on the leading column lets the planner use an index range.
    if not first.nullable and not nulls[0]:
        value: BindParameter[Any] = bindparam("after_0")
        bound = _col(first.name) <= value if first.descending else _col(first.name) >= value
        predicate = and_(bound, predicate)
    return predicate


def _after(keys: Sequence[SortKey], nulls: Sequence[bool], n: int) -> ColumnElement[bool]:
    key, col = keys[n], _col(keys[n].name)
    if nulls[n]:  # nulls sort last: only other nulls (with later ties) follow
        strictly: ColumnElement[bool] = false()
        equal: ColumnElement[bool] = col.is_(None)
    else:
        value: BindParameter[Any] = bindparam(f"after_{n}")
        strictly = col < value if key.descending else col > value
        if key.nullable:
            strictly = or_(strictly, col.is_(None))
        equal = col == value
    if n == len(keys) - 1:
        return strictly
    return or_(strictly, and_(equal, _after(keys, nulls, n + 1)))


def _encode_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in ("created_at", "updated_at", "due_date"):
        return value.isoformat()
    if name == "priority":
        return Priority(value).rank
    return value


def _decode_value(name: str, value: Any) -> Any:
    """The inverse of :func:`_encode_value`, for values the server signed itself."""
    if value is None:
        return None
    if name in ("created_at", "updated_at"):
        return datetime.fromisoformat(value)
    if name == "due_date":
        return date.fromisoformat(value)
    if name == "priority":
        return PRIORITY_BY_RANK[value]
    return value


NEXT_ORDER = SortOrder.parse("-priority,due_date")
"""The "what next" ranking: most urgent first, then soonest due (undated last), then id."""
