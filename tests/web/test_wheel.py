"""The wheel ships the web app: every static file, beside the code that serves it."""

import subprocess
import sys
import zipfile
from pathlib import Path

from taskservice.web.router import STATIC_DIR

ROOT = Path(__file__).resolve().parents[2]


class TestWheel:
    def test_holds_every_file_of_the_app(self, tmp_path: Path) -> None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--no-build-isolation",
                "--wheel-dir",
                str(tmp_path),
                str(ROOT),
            ],
            check=True,
            timeout=120,
        )
        (wheel,) = tmp_path.glob("taskservice-*.whl")
        names = set(zipfile.ZipFile(wheel).namelist())

        shipped = {
            f"taskservice/web/static/{path.relative_to(STATIC_DIR).as_posix()}"
            for path in STATIC_DIR.rglob("*")
            if path.is_file()
        }
        assert len(shipped) == 17
        assert shipped <= names
        assert {"taskservice/web/router.py", "taskservice/web/docs.py"} <= names
