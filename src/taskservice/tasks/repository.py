"""All task logic and data access, always scoped to one owner.

Every query this class builds starts from the owner's id, so a caller cannot
forget the filter: another user's task is indistinguishable from a missing one.
The repository adds and flushes; the caller's unit of work commits.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import col

from taskservice.db import reading, utcnow
from taskservice.tasks import counts
from taskservice.tasks.counts import Group
from taskservice.tasks.cursors import decode_cursor, encode_cursor
from taskservice.tasks.errors import (
    ConcurrentUpdate,
    TaskNotFound,
    TasksNotFound,
    TaskVersionMismatch,
    TooManyTasks,
)
from taskservice.tasks.events import API, Action, Actor, TaskEvent, json_value
from taskservice.tasks.listing import NEXT_ORDER, SortOrder, TaskFilters, filter_clauses
from taskservice.tasks.models import OPEN_STATUSES, Status, Task, TaskTag
from taskservice.tasks.schemas import EXACT_TOTAL_MAX, TaskCreate, TaskPatch, TaskRead
from taskservice.tasks.search import fold, fold_optional, title_words, without_accents
from taskservice.tasks.tags import with_tags, without_tags

__all__ = ["Page", "TaskNotFound", "TaskRepository"]

BULK_MAX = 100
"""The most tasks one bulk change may name."""


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
        return await self.update(task_id, TaskPatch.replacing(data), if_versions=if_versions)

    async def update(
        self,
        task_id: int,
        patch: TaskPatch,
        *,
        if_versions: Collection[int] | None = None,
    ) -> Task:
        """Apply ``patch`` (only the fields it holds). A change to nothing writes nothing.

        ``if_versions`` is the optimistic-concurrency precondition (from ``If-Match``):
        the write happens only if the task is at one of these versions.
        """
        task = await self.get(task_id, for_update=True)
        self._check_version(task, if_versions)
        await counts.adjust(
            self.session, self.owner_id, await self._change(task, patch.changes(), if_versions)
        )
        return task

    async def add_tags(self, task_id: int, tags: Sequence[str]) -> Task:
        """Add ``tags`` (``#`` optional) to those the task has; the result is validated
        as any tag list is (at most 20, each 1-40 characters)."""
        task = await self.get(task_id, for_update=True)
        patch = TaskPatch(tags=with_tags(task.tags, tags))
        await self._change(task, patch.changes(), None)
        return task

    async def remove_tags(self, task_id: int, tags: Sequence[str]) -> Task:
        """Remove ``tags`` (``#`` optional) from the task; tags it lacks are ignored."""
        task = await self.get(task_id, for_update=True)
        await self._change(task, {"tags": without_tags(task.tags, tags)}, None)
        return task

    async def update_many(self, task_ids: Sequence[int], patch: TaskPatch) -> list[Task]:
        """Apply ``patch`` to every task named, all or nothing: if any of them does not
        exist (or is not the owner's), nothing changes. In the order given, without
        repeats."""
        tasks = await self._get_many(task_ids)
        changes = patch.changes()
        moves: list[tuple[Group, int]] = []
        for task in tasks:
            moves += await self._change(task, changes, None)
        await counts.adjust(self.session, self.owner_id, moves)
        return tasks

    async def delete(self, task_id: int, *, if_versions: Collection[int] | None = None) -> Task:
        task = await self.get(task_id, for_update=True)
        self._check_version(task, if_versions)
        await counts.adjust(self.session, self.owner_id, await self._delete(task, if_versions))
        return task

    async def delete_many(self, task_ids: Sequence[int]) -> list[Task]:
        """Delete every task named, all or nothing (see :meth:`update_many`)."""
        tasks = await self._get_many(task_ids)
        moves: list[tuple[Group, int]] = []
        for task in tasks:
            moves += await self._delete(task, None)
        await counts.adjust(self.session, self.owner_id, moves)
        return tasks

    async def begin_writing(self) -> None:
        """Take the write lock now, for a change that reads before it knows which tasks
        it writes: on SQLite a transaction that read first may not write later if another
        wrote meanwhile; PostgreSQL locks rows instead (see :meth:`get`), so a no-op."""
        if self.session.get_bind().dialect.name == "sqlite":
            await self.session.execute(
                update(Task)
                .where(col(Task.owner_id) == self.owner_id, col(Task.id) == 0)
                .values(version=col(Task.version))
            )

    async def revert(
        self, task_id: int, values: dict[str, Any], *, if_versions: Collection[int]
    ) -> Task:
        """Set recorded fields back to earlier values, ``completed_at`` included (an undo:
        a task marked done by mistake gets back its old completion time, not a new one)."""
        task = await self.get(task_id, for_update=True)
        self._check_version(task, if_versions)
        await counts.adjust(
            self.session, self.owner_id, await self._change(task, values, if_versions)
        )
        return task

    async def restore(
        self, task_id: int, values: dict[str, Any], *, version: int, created_at: datetime
    ) -> Task:
        """Bring back a deleted task (an undo): its id, fields and creation time, at the
        version after the one it was deleted at (so no ETag of it ever means two things)."""
        now = utcnow()
        fields = {name: values.get(name) for name in _RECORDED}
        fields["tags"] = list(fields["tags"] or [])
        await self.session.execute(
            insert(Task.__table__).values(  # type: ignore[attr-defined]
                id=task_id,
                owner_id=self.owner_id,
                **fields,
                title_folded=fold(str(fields["title"])),
                description_folded=fold_optional(fields["description"]),
                created_at=created_at,
                updated_at=now,
                version=version + 1,
            )
        )
        task = await self.get(task_id)
        await self._write_tags(task, task.tags, replace=False)
        await counts.adjust(self.session, self.owner_id, [((task.status, task.priority), 1)])
        await self._record(task, "created", {f: (None, getattr(task, f)) for f in _RECORDED}, now)
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
        """Tasks named ``title``: those whose title is it, ignoring case; failing that,
        those whose title holds every word of it (the distinctive words a person names a
        task by: "the milk task"); failing that, the same ignoring accents too."""
        if not title.strip():
            return []
        owned = select(Task).where(col(Task.owner_id) == self.owner_id).order_by(col(Task.id))
        needle = fold(title.strip())
        found = list(
            (
                await self.session.execute(
                    owned.where(col(Task.title_folded) == needle).limit(limit)
                )
            ).scalars()
        )
        if found:
            return found
        containing = owned.where(
            *(col(Task.title_folded).contains(word, autoescape=True) for word in title_words(title))
        )
        found = list((await self.session.execute(containing.limit(limit))).scalars())
        if found:
            return found
        return await self._find_ignoring_accents(title, limit)

    async def next_tasks(self, *, limit: int) -> Page:
        """What to work on next: open tasks, ranked by :data:`~listing.NEXT_ORDER`."""
        return await self.list_tasks(TaskFilters(statuses=OPEN_STATUSES), NEXT_ORDER, limit=limit)

    async def count_by_status(self) -> dict[Status, int]:
        async with reading(self.session) as db:
            return await counts.by_status(db, self.owner_id)

    async def count_overdue(self, today: date) -> int:
        filters = TaskFilters(overdue=True, today=today)
        stmt = select(func.count()).select_from(Task).where(*filters.clauses())
        async with reading(self.session) as db:
            return int(await db.scalar(stmt, filters.params(self.owner_id)) or 0)

    async def _find_ignoring_accents(self, title: str, limit: int) -> list[Task]:
        """:meth:`find_by_title`'s rules with accents ignored ("cafe" finds "Café"). The
        stored folded titles keep their accents, so this compares in Python, reading
        only ids and folded titles; it runs only when the other rules found nothing."""
        rows = await self.session.execute(
            select(Task.__table__.c.id, col(Task.title_folded)).where(  # type: ignore[attr-defined]
                col(Task.owner_id) == self.owner_id
            )
        )
        needle = without_accents(fold(title.strip()))
        words = [without_accents(word) for word in title_words(title)]
        exact: list[int] = []
        partial: list[int] = []
        for task_id, folded in rows:
            bare = without_accents(folded)
            if bare == needle:
                exact.append(task_id)
            elif all(word in bare for word in words):
                partial.append(task_id)
        ids = sorted(exact or partial)[:limit]
        if not ids:
            return []
        stmt = select(Task).where(col(Task.owner_id) == self.owner_id, col(Task.id).in_(ids))
        return list((await self.session.execute(stmt.order_by(col(Task.id)))).scalars())

    async def _get_many(self, task_ids: Sequence[int]) -> list[Task]:
        """The tasks named, locked for a change, in the order given (repeats dropped); or
        :class:`TasksNotFound` naming every one that is missing."""
        ids = list(dict.fromkeys(task_ids))
        if not ids:
            raise TooManyTasks("Name at least one task.")
        if len(ids) > BULK_MAX:
            raise TooManyTasks(f"One change can name at most {BULK_MAX} tasks, not {len(ids)}.")
        where = (col(Task.owner_id) == self.owner_id, col(Task.id).in_(ids))
        stmt = select(Task).where(*where).order_by(col(Task.id))
        if self.session.get_bind().dialect.name == "sqlite":  # see ``get``
            await self.session.execute(update(Task).where(*where).values(version=col(Task.version)))
        else:
            stmt = stmt.with_for_update()
        found = {task.id: task for task in (await self.session.execute(stmt)).scalars()}
        missing = [task_id for task_id in ids if task_id not in found]
        if len(missing) == 1:
            raise TaskNotFound(missing[0])
        if missing:
            raise TasksNotFound(missing)
        return [found[task_id] for task_id in ids]

    async def _change(
        self, task: Task, changes: dict[str, Any], if_versions: Collection[int] | None
    ) -> list[tuple[Group, int]]:
        """Write ``changes`` (field -> value) and record them; the counter moves it needs.
        ``completed_at`` follows the status unless ``changes`` sets it."""
        unknown = set(changes) - set(_RECORDED)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        assert task.id is not None
        changed = {k: v for k, v in changes.items() if getattr(task, k) != v}
        if not changed:
            return []
        now = utcnow()
        if "status" in changed and "completed_at" not in changes:
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
        await self._flush(task.id, if_versions)
        if "tags" in changed:
            await self._write_tags(task, changed["tags"], replace=True)
        await self._record(task, "updated", diff, now)
        after = (task.status, task.priority)
        return [] if after == before else [(before, -1), (after, 1)]

    async def _delete(
        self, task: Task, if_versions: Collection[int] | None
    ) -> list[tuple[Group, int]]:
        assert task.id is not None
        snapshot = {f: (getattr(task, f), None) for f in _RECORDED}
        await self.session.delete(task)
        await self._flush(task.id, if_versions)
        await self._record(task, "deleted", snapshot, utcnow())
        return [((task.status, task.priority), -1)]

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
                "change_id": self.actor.change_id,
                "undoes": self.actor.undoes,
                "version": task.version,
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
