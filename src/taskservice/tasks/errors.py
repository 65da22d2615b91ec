"""What can go wrong with a task, as the one error hierarchy's types (see ``errors``)."""

from collections.abc import Sequence

from taskservice.errors import BadRequest, Conflict, NotFound, PreconditionFailed


class TaskNotFound(NotFound):
    slug = "task-not-found"

    def __init__(self, task_id: int) -> None:
        super().__init__(f"Task {task_id} does not exist.")
        self.task_id = task_id


class TasksNotFound(NotFound):
    """Some of the tasks a change names do not exist (or are not the owner's)."""

    slug = "task-not-found"

    def __init__(self, task_ids: Sequence[int]) -> None:
        names = ", ".join(str(task_id) for task_id in task_ids[:-1])
        super().__init__(f"Tasks {names} and {task_ids[-1]} do not exist; nothing was changed.")
        self.task_ids = list(task_ids)


class TooManyTasks(BadRequest):
    slug = "too-many-tasks"


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
