"""Dependency aliases for the task routes: database session -> user -> repository, and
the user's today.

Routes that only read take ``TaskReaderDep``: the same repository on a session that
cannot begin a transaction, so that no unit of work is opened, committed or closed
for them (a generator dependency alone costs ~60 us a request); the repository's reads
run on connections of their own (see ``db.reading``). A write on it fails at once.
"""

from datetime import date
from typing import Annotated

from fastapi import Depends

from taskservice.auth.dependencies import CurrentUser
from taskservice.db import DbSession
from taskservice.resources import ResourcesDep
from taskservice.tasks.calendar import today_for
from taskservice.tasks.idempotency import IdempotencyStore
from taskservice.tasks.repository import TaskRepository


async def get_task_repository(db: DbSession, user: CurrentUser) -> TaskRepository:
    assert user.id is not None
    return TaskRepository(db, owner_id=user.id)


async def get_task_reader(resources: ResourcesDep, user: CurrentUser) -> TaskRepository:
    assert user.id is not None
    return TaskRepository(resources.db_sessions(autobegin=False), owner_id=user.id)


async def get_today(user: CurrentUser, resources: ResourcesDep) -> date:
    """The user's today: the date in their time zone, on the service's clock."""
    return today_for(user.timezone, resources.clock())


async def get_idempotency_store(resources: ResourcesDep) -> IdempotencyStore:
    return resources.idempotency


TaskRepositoryDep = Annotated[TaskRepository, Depends(get_task_repository)]
TaskReaderDep = Annotated[TaskRepository, Depends(get_task_reader)]
IdempotencyStoreDep = Annotated[IdempotencyStore, Depends(get_idempotency_store)]
TodayDep = Annotated[date, Depends(get_today)]
