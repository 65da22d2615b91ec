"""TypeScript users: openapi-typescript turns the live schema into types, and the
hand-written ``clients/typescript/usage.ts`` (create, list, page, patch with If-Match,
404, 422 with ``errors[].field``, delete) must keep compiling against them."""

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from taskservice.app import create_app
from taskservice.config import Settings
from tests.contract.sdk import TYPESCRIPT_DIR, ensure_node_modules, write_document

pytestmark = pytest.mark.slow

TOOL_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def node_bin() -> Path:
    return ensure_node_modules()


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("ts-schema") / "unused.db"
    schema: dict[str, Any] = create_app(
        Settings(database_url=f"sqlite+aiosqlite:///{path}")
    ).openapi()
    return schema


def generate_types(node_bin: Path, document: dict[str, Any], workdir: Path) -> Path:
    """The same command as `make sdk`."""
    source = write_document(document, workdir / "openapi.json")
    types = workdir / "schema.d.ts"
    result = subprocess.run(
        [
            str(node_bin / "openapi-typescript"),
            str(source),
            "--default-non-nullable",
            "false",
            "--output",
            str(types),
        ],
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return types


def compile_usage(node_bin: Path, types: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    """``tsc --noEmit`` on usage.ts with the committed tsconfig, pointed at ``types``."""
    config = workdir / "tsconfig.json"
    config.write_text(
        json.dumps(
            {
                "extends": str(TYPESCRIPT_DIR / "tsconfig.json"),
                "compilerOptions": {"paths": {"@taskservice/schema": [str(types)]}},
                "files": [str(TYPESCRIPT_DIR / "usage.ts")],
            }
        )
    )
    return subprocess.run(
        [str(node_bin / "tsc"), "--noEmit", "--pretty", "false", "--project", str(config)],
        cwd=TYPESCRIPT_DIR,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_S,
        check=False,
    )


class TestTypeScriptTypes:
    def test_usage_compiles_against_the_generated_types(
        self, node_bin: Path, document: dict[str, Any], tmp_path: Path
    ) -> None:
        types = generate_types(node_bin, document, tmp_path)

        result = compile_usage(node_bin, types, tmp_path)

        assert (result.returncode, result.stdout + result.stderr) == (0, "")
        assert "update_task: {" in types.read_text()

    def test_a_schema_change_that_breaks_users_fails_the_check(
        self, node_bin: Path, document: dict[str, Any], tmp_path: Path
    ) -> None:
        broken = copy.deepcopy(document)
        validation_problem = broken["components"]["schemas"]["ValidationProblem"]
        del validation_problem["properties"]["errors"]
        validation_problem["required"].remove("errors")
        types = generate_types(node_bin, broken, tmp_path)

        result = compile_usage(node_bin, types, tmp_path)

        assert result.returncode == 2
        errors = [line for line in result.stdout.splitlines() if "error TS" in line]
        assert len(errors) == 1
        assert errors[0].startswith("usage.ts(")
        assert "Property 'errors' does not exist" in errors[0]
