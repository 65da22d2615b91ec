"""Generating the SDKs the way a user does (the same commands as `make sdk`)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON_CLIENT_CONFIG = ROOT / "clients" / "python" / "openapi-python-client.yaml"
TYPESCRIPT_DIR = ROOT / "clients" / "typescript"
PACKAGE = "taskservice_client"

OPENAPI_PYTHON_CLIENT = str(Path(sys.executable).with_name("openapi-python-client"))
GENERATE_TIMEOUT_S = 120
NPM_CI_TIMEOUT_S = 300


def write_document(document: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(document, indent=2))
    return path


def generate_python_client(document: Path, output: Path) -> Path:
    """Generate the package alone (no project metadata) into ``output/taskservice_client``;
    any generator warning is a failure, since it means part of the API was left out."""
    package = output / PACKAGE
    result = subprocess.run(
        [
            OPENAPI_PYTHON_CLIENT,
            "generate",
            "--path",
            str(document),
            "--config",
            str(PYTHON_CLIENT_CONFIG),
            "--meta",
            "none",
            "--output-path",
            str(package),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=GENERATE_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return package


def npm() -> str:
    found = shutil.which("npm")
    assert found is not None, "npm is needed for the TypeScript contract test (Node >= 20)"
    return found


def ensure_node_modules() -> Path:
    """``npm ci`` from the committed lock file, unless it has already been installed."""
    bin_dir = TYPESCRIPT_DIR / "node_modules" / ".bin"
    if not (bin_dir / "tsc").exists() or not (bin_dir / "openapi-typescript").exists():
        result = subprocess.run(
            [npm(), "ci", "--no-audit", "--no-fund"],
            cwd=TYPESCRIPT_DIR,
            capture_output=True,
            text=True,
            timeout=NPM_CI_TIMEOUT_S,
            env={**os.environ, "NO_UPDATE_NOTIFIER": "1"},
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return bin_dir
