"""Dependency aliases for the task routes: session -> user -> repository."""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from taskservice.auth.dependencies import CurrentUser
from taskservice.db import SessionDep
from taskservice.tasks.idempotency import IdempotencyStore
from taskservice.tasks.repository import TaskRepository


async def get_task_repository(session: SessionDep, user: CurrentUser) -> TaskRepository:
    assert user.id is not None
    return TaskRepository(session, owner_id=user.id)


async def get_idempotency_store(request: Request) -> IdempotencyStore:
    settings = request.app.state.settings
    return IdempotencyStore(
        request.app.state.sessionmaker,
        ttl=timedelta(hours=settings.idempotency_ttl_hours),
        processing_timeout=timedelta(seconds=settings.idempotency_processing_timeout_s),
    )


TaskRepositoryDep = Annotated[TaskRepository, Depends(get_task_repository)]
IdempotencyStoreDep = Annotated[IdempotencyStore, Depends(get_idempotency_store)]
