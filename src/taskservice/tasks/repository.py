"""All task logic and data access, always scoped to one owner.

Every query this class builds starts from the owner's id, so a caller cannot
forget the filter: another user's task is indistinguishable from a missing one.
The repository adds and flushes; the caller's unit of work commits.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import col

from taskservice.db import reading, utcnow
from taskservice.errors import Conflict, NotFound, PreconditionFailed
from taskservice.tasks import counts
from taskservice.tasks.cursors import decode_cursor, encode_cursor
from taskservice.tasks.events import API, Action, Actor, TaskEvent, json_value
from taskservice.tasks.listing import SortOrder, TaskFilters, filter_clauses
from taskservice.tasks.models import Status, Task, TaskTag
from taskservice.tasks.schemas import EXACT_TOTAL_MAX, TaskCreate, TaskRead
from taskservice.tasks.search import fold, fold_optional


class TaskNotFound(NotFound):
    slug = "task-not-found"

    def __init__(self, task_id: int) -> None:
        super().__init__(f"Task {task_id} does not exist.")
        self.task_id = task_id


class TaskVersionMismatch(PreconditionFailed):
    slug = "version-mismatch"

    def __init__(self, task_id: int, current_version: int | None = None) -> None:
        detail = f"Task {task_id} has changed since you read it"
        if current_version is not None:
            detail += f" (it is now at version {current_version})"
        super().__init__(detail + "; fetch it again and retry.")


class ConcurrentUpdate(Conflict):
    slug = "concurrent-update"

    def __init__(self, task_id: int) -> None:
        super().__init__(
            f"Task {task_id} was changed by another request at the same moment; retry."
        )


@dataclass(frozen=True)
class Page:
    items: list[TaskRead]
    total: int
    next_cursor: str | None
    total_exact: bool = True  # False: ``total`` is EXACT_TOTAL_MAX, and more match


# What a read returns, selected as columns (Core rows, no ORM objects to build and track).
_READ_COLUMNS = tuple(Task.__table__.c[name] for name in TaskRead.model_fields)  # type: ignore[attr-defined]
# Built once: making a statement and its cache key costs more than running it (~150 us).
_ONE_OF_OWNER = (
    col(Task.id) == bindparam("task"),  # not a column's name: UPDATE reserves those
    col(Task.owner_id) == bindparam("owner"),
)
_READ_ONE = select(*_READ_COLUMNS).where(*_ONE_OF_OWNER)
_GET = select(Task).where(*_ONE_OF_OWNER)
_GET_FOR_UPDATE = _GET.with_for_update()
_INSERT_EVENT = insert(TaskEvent.__table__)  # type: ignore[attr-defined]
_TAKE_WRITE_LOCK = update(Task).where(*_ONE_OF_OWNER).values(version=col(Task.version))


_EDITABLE = ("title", "description", "status", "priority", "due_date", "tags")


_RECORDED = (*_EDITABLE, "completed_at")


# Made once per shape of list (which filters, which sort, where a cursor has nulls): the
# values are bound parameters. Building a statement costs more than running it.
@lru_cache(maxsize=256)
def _page_statement(
    shape: tuple[bool | None, ...], order: SortOrder, after: tuple[bool, ...] | None
) -> Select[Any]:
    stmt = select(*_READ_COLUMNS).where(*filter_clauses(shape))
    if after is not None:
        stmt = stmt.where(order.after(after))
    return stmt.order_by(*order.order_by()).limit(bindparam("limit", type_=Integer()))


@lru_cache(maxsize=64)
def _count_statement(shape: tuple[bool | None, ...]) -> Select[Any]:
    """How many match, counting no further than ``count_limit`` rows: the scan stops
    there instead of growing with the owner's tasks."""
    matching = select(col(Task.id)).where(*filter_clauses(shape))
    bound = matching.limit(bindparam("count_limit", type_=Integer()))
    return select(func.count()).select_from(bound.subquery())


class TaskRepository:
    def __init__(self, session: AsyncSession, owner_id: int, actor: Actor = API) -> None:
        self.session = session
        self.owner_id = owner_id
        self.actor = actor

    async def create(self, data: TaskCreate) -> Task:
        now = utcnow()
        task = Task(
            owner_id=self.owner_id,
            **data.model_dump(),
            title_folded=fold(data.title),
            description_folded=fold_optional(data.description),
            created_at=now,
            updated_at=now,
            completed_at=now if data.status == Status.done else None,
        )
        self.session.add(task)
        await self.session.flush()
        await self._write_tags(task, task.tags, replace=False)
        await counts.adjust(self.session, self.owner_id, [((task.status, task.priority), 1)])
        await self._record(task, "created", {f: (None, getattr(task, f)) for f in _RECORDED}, now)
        return task

    async def get(self, task_id: int, *, for_update: bool = False) -> Task:
        """The task, or :class:`TaskNotFound`.

        ``for_update`` locks the row for a read-modify-write: ``SELECT ... FOR UPDATE``
        on PostgreSQL; on SQLite, which has no row locks, a no-op ``UPDATE`` first, so
        the transaction holds the write lock (waiting for it, per ``busy_timeout``)
        before it reads. Either way a concurrent writer queues instead of failing.
        """
        params = {"task": task_id, "owner": self.owner_id}
        stmt = _GET
        if for_update:
            if self.session.get_bind().dialect.name == "sqlite":
                await self.session.execute(_TAKE_WRITE_LOCK, params)
            else:
                stmt = _GET_FOR_UPDATE
        task = (await self.session.execute(stmt, params)).scalar_one_or_none()
        if task is None:
            raise TaskNotFound(task_id)
        return task

    async def read(self, task_id: int) -> TaskRead:
        """The task as every door shows it, or :class:`TaskNotFound`. Outside a unit of
        work this is one statement on an autocommit connection (see ``db.reading``)."""
        async with reading(self.session) as db:
            params = {"task": task_id, "owner": self.owner_id}
            row = (await db.execute(_READ_ONE, params)).first()
        if row is None:
            raise TaskNotFound(task_id)
        return TaskRead.model_validate(row)

    async def list_tasks(
        self,
        filters: TaskFilters,
        order: SortOrder,
        *,
        limit: int,
        cursor: str | None = None,
    ) -> Page:
        shape = filters.shape()
        params = filters.params(self.owner_id)
        async with reading(self.session) as db:
            after = None
            if cursor is not None:
                values = await decode_cursor(db, self.owner_id, cursor, order, filters)
                after, position = order.position(values)
                params.update(position)
            page = _page_statement(shape, order, after)
            rows = await db.execute(page, {**params, "limit": limit + 1})
            items = [TaskRead.model_validate(row) for row in rows]
            if filters.by_status_and_priority_only:  # exact, from the counters
                total = await counts.total(db, self.owner_id, filters.statuses, filters.priorities)
            else:  # counting stops past EXACT_TOTAL_MAX: a bounded cost (see TaskPage.total)
                counting = {**params, "count_limit": EXACT_TOTAL_MAX + 1}
                total = int(await db.scalar(_count_statement(shape), counting) or 0)
            next_cursor = None
            if len(items) > limit:
                items = items[:limit]
                next_cursor = await encode_cursor(
                    db, self.owner_id, order, filters, order.key_values(items[-1])
                )
        exact = total <= EXACT_TOTAL_MAX or filters.by_status_and_priority_only
        total = total if exact else EXACT_TOTAL_MAX
        return Page(items=items, total=total, next_cursor=next_cursor, total_exact=exact)

    async def replace(
        self, task_id: int, data: TaskCreate, *, if_versions: Collection[int] | None = None
    ) -> Task:
        """Full replacement: fields left out of ``data`` return to their defaults."""
        return await self.update(task_id, data.model_dump(), if_versions=if_versions)

    async def update(
        self,
        task_id: int,
        changes: dict[str, Any],
        *,
        if_versions: Collection[int] | None = None,
    ) -> Task:
        """Apply ``changes`` (field -> new value). A change to nothing writes nothing.

        ``if_versions`` is the optimistic-concurrency precondition (from ``If-Match``):
        the write happens only if the task is at one of these versions.
        """
        unknown = set(changes) - set(_EDITABLE)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        task = await self.get(task_id, for_update=True)
        self._check_version(task, if_versions)
        changed = {k: v for k, v in changes.items() if getattr(task, k) != v}
        if not changed:
            return task
        now = utcnow()
        if "status" in changed:
            if changed["status"] == Status.done:
                changed["completed_at"] = now
            elif task.status == Status.done:
                changed["completed_at"] = None
        diff = {name: (getattr(task, name), value) for name, value in changed.items()}
        before = (task.status, task.priority)
        for name, value in changed.items():
            setattr(task, name, value)
        task.title_folded = fold(task.title)
        task.description_folded = fold_optional(task.description)
        task.updated_at = now
        await self._flush(task_id, if_versions)
        if "tags" in changed:
            await self._write_tags(task, changed["tags"], replace=True)
        if "status" in changed or "priority" in changed:
            moves = [(before, -1), ((task.status, task.priority), 1)]
            await counts.adjust(self.session, self.owner_id, moves)
        await self._record(task, "updated", diff, now)
        return task

    async def delete(self, task_id: int, *, if_versions: Collection[int] | None = None) -> Task:
        task = await self.get(task_id, for_update=True)
        self._check_version(task, if_versions)
        snapshot = {f: (getattr(task, f), None) for f in _RECORDED}
        group = (task.status, task.priority)
        await self.session.delete(task)
        await self._flush(task_id, if_versions)
        await counts.adjust(self.session, self.owner_id, [(group, -1)])
        await self._record(task, "deleted", snapshot, utcnow())
        return task

    async def history(self, task_id: int) -> list[TaskEvent]:
        """Every change to one of the owner's tasks, oldest first. A deleted task's history
        stays, ending with its ``deleted`` event (ids are never reused). No events: the
        task is not the owner's (404), or it predates the history (an empty one)."""
        stmt = (
            select(TaskEvent)
            .where(col(TaskEvent.owner_id) == self.owner_id, col(TaskEvent.task_id) == task_id)
            .order_by(col(TaskEvent.id))
        )
        events = list((await self.session.execute(stmt)).scalars())
        if not events:
            await self.get(task_id)
        return events

    async def find_by_title(self, title: str, *, limit: int) -> list[Task]:
        """Tasks whose title equals ``title`` ignoring case; failing that, containing it."""
        owned = select(Task).where(col(Task.owner_id) == self.owner_id)
        needle = fold(title.strip())
        exact = owned.where(col(Task.title_folded) == needle)
        found = list(
            (await self.session.execute(exact.order_by(col(Task.id)).limit(limit))).scalars()
        )
        if found:
            return found
        partial = owned.where(col(Task.title_folded).contains(needle, autoescape=True))
        return list(
            (await self.session.execute(partial.order_by(col(Task.id)).limit(limit))).scalars()
        )

    async def count_by_status(self) -> dict[Status, int]:
        async with reading(self.session) as db:
            return await counts.by_status(db, self.owner_id)

    async def count_overdue(self, today: date) -> int:
        filters = TaskFilters(overdue=True, today=today)
        stmt = select(func.count()).select_from(Task).where(*filters.clauses())
        async with reading(self.session) as db:
            return int(await db.scalar(stmt, filters.params(self.owner_id)) or 0)

    @staticmethod
    def _check_version(task: Task, if_versions: Collection[int] | None) -> None:
        if if_versions is not None and task.version not in if_versions:
            assert task.id is not None
            raise TaskVersionMismatch(task.id, task.version)

    async def _flush(self, task_id: int, if_versions: Collection[int] | None) -> None:
        try:
            await self.session.flush()
        except StaleDataError as exc:
            # Another transaction wrote the row between our read and our write.
            if if_versions is not None:
                raise TaskVersionMismatch(task_id) from exc
            raise ConcurrentUpdate(task_id) from exc

    async def _record(
        self, task: Task, action: Action, diff: dict[str, tuple[Any, Any]], at: datetime
    ) -> None:
        assert task.id is not None
        await self.session.execute(
            _INSERT_EVENT,
            {
                "task_id": task.id,
                "owner_id": self.owner_id,
                "actor": self.actor.label,
                "session_id": self.actor.session_id,
                "action": action,
                "changes": {
                    name: {"old": json_value(old), "new": json_value(new)}
                    for name, (old, new) in diff.items()
                    if old != new
                },
                "at": at,
            },
        )

    async def _write_tags(self, task: Task, tags: list[str], *, replace: bool) -> None:
        if replace:
            await self.session.execute(delete(TaskTag).where(col(TaskTag.task_id) == task.id))
        if tags:
            await self.session.execute(
                insert(TaskTag),
                [{"task_id": task.id, "tag": tag, "owner_id": self.owner_id} for tag in tags],
            )
