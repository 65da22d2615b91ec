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
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.sql.elements import UnaryExpression
from sqlmodel import col

from taskservice.errors import BadRequest
from taskservice.tasks.models import PRIORITY_BY_RANK, Priority, Status, Task, TaskTag
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

    def clauses(self, owner_id: int) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [col(Task.owner_id) == owner_id]
        if self.statuses:
            clauses.append(_col("status").in_([s.value for s in self.statuses]))
        if self.priorities:
            clauses.append(_col("priority").in_(list(self.priorities)))
        if self.tag:
            tagged = select(col(TaskTag.task_id)).where(
                col(TaskTag.owner_id) == owner_id,
                col(TaskTag.tag) == normalise_tag(self.tag),
            )
            clauses.append(_col("id").in_(tagged))
        if self.q:
            needle = fold(self.q)
            clauses.append(
                or_(
                    _col("title_folded").contains(needle, autoescape=True),
                    _col("description_folded").contains(needle, autoescape=True),
                )
            )
        if self.due_before is not None:
            clauses.append(_col("due_date") < self.due_before)
        if self.due_after is not None:
            clauses.append(_col("due_date") > self.due_after)
        if self.overdue is not None:
            overdue = and_(  # null-safe, so that its negation keeps undated tasks
                _col("due_date").is_not(None),
                _col("due_date") < self.today,
                _col("status") != Status.done.value,
            )
            clauses.append(overdue if self.overdue else ~overdue)
        return clauses


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

    def after(self, values: Sequence[Any]) -> ColumnElement[bool]:
        """Rows strictly after ``values`` in this order."""
        decoded = [_decode_value(k.name, v) for k, v in zip(self.keys, values, strict=True)]
        predicate = _after(self.keys, decoded)
        first, v = self.keys[0], decoded[0]
        # A redundant bound on the leading column lets the planner use an index range.
        if not first.nullable:
            bound = _col(first.name) <= v if first.descending else _col(first.name) >= v
            predicate = and_(bound, predicate)
        return predicate


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    key, value = keys[0], values[0]
    col = _col(key.name)
    if value is None:  # nulls sort last: only other nulls (with later ties) follow
        strictly: ColumnElement[bool] = false()
        equal: ColumnElement[bool] = col.is_(None)
    else:
        strictly = col < value if key.descending else col > value
        if key.nullable:
            strictly = or_(strictly, col.is_(None))
        equal = col == value
    if len(keys) == 1:
        return strictly
    return or_(strictly, and_(equal, _after(keys[1:], values[1:])))


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
