"""Dependency aliases for the task routes: database session -> user -> repository, and
the user's today."""

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


async def get_today(user: CurrentUser, resources: ResourcesDep) -> date:
    """The user's today: the date in their time zone, on the service's clock."""
    return today_for(user.timezone, resources.clock())


async def get_idempotency_store(resources: ResourcesDep) -> IdempotencyStore:
    return resources.idempotency


TaskRepositoryDep = Annotated[TaskRepository, Depends(get_task_repository)]
IdempotencyStoreDep = Annotated[IdempotencyStore, Depends(get_idempotency_store)]
TodayDep = Annotated[date, Depends(get_today)]
