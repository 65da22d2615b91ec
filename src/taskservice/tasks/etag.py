"""Entity tags for tasks: ``"<id>.<version>"``, strong, since ``version`` grows on
every change and ids are never reused."""

from taskservice.tasks.models import Task


def etag_for(task: Task) -> str:
    return f'"{task.id}.{task.version}"'


def _tags(header: str) -> list[str]:
    return [part.strip() for part in header.split(",") if part.strip()]


def if_match_versions(header: str | None, task_id: int) -> frozenset[int] | None:
    """The versions an ``If-Match`` header accepts; ``None`` means unconditional.

    ``*`` accepts any version. Weak tags never match (RFC 9110 uses the strong
    comparison for If-Match), and neither do malformed ones, so they yield 412.
    """
    if header is None:
        return None
    tags = _tags(header)
    if "*" in tags:
        return None
    versions: set[int] = set()
    for tag in tags:
        if not (tag.startswith('"') and tag.endswith('"')) or len(tag) < 2:
            continue
        task_part, _, version_part = tag[1:-1].partition(".")
        if task_part == str(task_id) and version_part.isdigit():
            versions.add(int(version_part))
    return frozenset(versions)


def if_none_match_hits(header: str | None, task: Task) -> bool:
    """Whether ``If-None-Match`` names the current representation (weak comparison)."""
    if header is None:
        return False
    current = etag_for(task)
    return any(tag == "*" or tag.removeprefix("W/") == current for tag in _tags(header))
