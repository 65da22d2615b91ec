"""Tool arguments: the REST models themselves, checked as REST checks a request.

Each tool's arguments are one pydantic model built on the model REST validates with
(``TaskCreate``, ``TaskPatch``, ``TaskQuery``), so the constraints, descriptions,
examples and error messages are the same ones. The model is also the tool's input
schema, and unknown arguments are refused as REST refuses unknown body fields (the
SDK's own argument models would silently drop them: ``update_task(state="done")``
would "succeed" and change nothing).
"""

import inspect
import json
import types
from collections.abc import Callable
from typing import Annotated, Any, Union, get_args, get_origin

from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp_types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

from taskservice.tasks.query import TaskQuery
from taskservice.tasks.schemas import TaskCreate, TaskPatch

TaskId = Annotated[int, Field(ge=1, le=2**31 - 1, description="The task's id.", examples=[42])]
ExpectedVersion = Annotated[
    int | None,
    Field(
        ge=1,
        description="Change the task only if it is still at this version (from a previous "
        "read); otherwise nothing changes and the error names the current version.",
        examples=[3],
    ),
]


class Arguments(ArgModelBase):
    model_config = ConfigDict(extra="forbid")


class NoArguments(Arguments):
    """This tool takes no arguments."""


class TaskIdArguments(Arguments):
    """Which task."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"task_id": 42}]})

    task_id: TaskId


class ListTasksArguments(TaskQuery, Arguments):
    """Which of your tasks to list, in what order, one page at a time. Every argument is
    optional; filters combine (all must hold)."""


class CreateTaskArguments(TaskCreate, Arguments):
    """The new task. Only the title is required."""


class UpdateTaskArguments(TaskPatch, Arguments):
    """Which task, and the fields to change. Only the fields you pass change (a JSON
    merge patch): leave a field out to keep it, pass null to clear description or
    due_date."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"task_id": 42, "status": "done"},
                {"task_id": 42, "due_date": None, "tags": ["home"], "expected_version": 3},
            ]
        }
    )

    task_id: TaskId
    expected_version: ExpectedVersion = None

    def patch(self) -> TaskPatch:
        """The task fields passed, with their validated values, as the patch REST applies."""
        fields = TaskPatch.model_fields.keys()
        values = {name: getattr(self, name) for name in self.model_fields_set if name in fields}
        return TaskPatch.model_construct(_fields_set=set(values), **values)


class DeleteTaskArguments(TaskIdArguments):
    """Which task to delete."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"task_id": 42}, {"task_id": 42, "expected_version": 3}]}
    )

    expected_version: ExpectedVersion = None


class _WholeArguments(FuncMetadata):
    """Hands a tool its validated arguments model as ``arguments`` (rather than one
    keyword per field), so the tool works with the REST model it is built on."""

    def validate_arguments(self, arguments_to_validate: dict[str, Any]) -> dict[str, Any]:
        raw = _lists_from_json(self.arg_model, arguments_to_validate)
        return {"arguments": self.arg_model.model_validate(raw)}


def _lists_from_json(model: type[BaseModel], arguments: dict[str, Any]) -> dict[str, Any]:
    """A list sent as a JSON string (``"[\\"work\\"]"``, which some assistants send)
    becomes the list. Only for list arguments: a text argument is taken as sent (the
    SDK's own pre-parsing would turn a description ``"null"`` into a cleared one)."""
    parsed = dict(arguments)
    for name, value in arguments.items():
        field = model.model_fields.get(name)
        if field is None or not isinstance(value, str) or not _accepts_list(field.annotation):
            continue
        try:
            decoded = json.loads(value)
        except ValueError:
            continue
        if isinstance(decoded, list):
            parsed[name] = decoded
    return parsed


def _accepts_list(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is list:
        return True
    if origin is Annotated:
        return _accepts_list(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_accepts_list(arg) for arg in get_args(annotation))
    return False


def task_tool(
    fn: Callable[..., Any],
    *,
    arguments: type[Arguments],
    output: type[BaseModel],
    title: str,
    annotations: ToolAnnotations,
) -> Tool:
    """A tool named after ``fn``, described by its docstring, taking ``arguments`` and
    returning ``output`` as its structured content (also its output schema)."""
    return Tool(
        fn=fn,
        name=fn.__name__,
        title=title,
        description=inspect.cleandoc(fn.__doc__ or ""),
        parameters=_required_first(arguments.model_json_schema(by_alias=True)),
        fn_metadata=_WholeArguments(arg_model=arguments, output_model=output),
        is_async=True,
        context_kwarg="ctx",
        annotations=annotations,
    )


def _required_first(schema: dict[str, Any]) -> dict[str, Any]:
    """The required arguments listed first (``task_id`` before the fields to change)."""
    properties: dict[str, Any] = schema["properties"]
    required = [name for name in schema.get("required", []) if name in properties]
    rest = {name: value for name, value in properties.items() if name not in required}
    return {**schema, "properties": {**{name: properties[name] for name in required}, **rest}}
