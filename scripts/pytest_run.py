"""Run the test suite once, in a clean, throw-away environment (used by test-sqlite and
test-postgres).

* VECHE_TESTING=1 (plain static storage) and a temporary VECHE_VAR_DIR;
* REDIS_URL is not passed to the suite (it would move every test's cache to Redis);
  tests marked ``redis`` find Redis through VECHE_TEST_REDIS_URL, which takes REDIS_URL's
  value when only that is set (default redis://127.0.0.1:6379/15);
* pytest's exit code 5 ("no tests collected") counts as success with a notice;
  any other non-zero exit code is passed on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NO_TESTS_COLLECTED = 5


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def in_ci() -> bool:
    return truthy(os.environ.get("CI"))


def run_pytest(label: str, pytest_args: list[str], env_overrides: dict[str, str]) -> int:
    var_dir = tempfile.mkdtemp(prefix="veche-test-var-")
    env = dict(os.environ)
    if env.get("REDIS_URL") and not env.get("VECHE_TEST_REDIS_URL"):
        env["VECHE_TEST_REDIS_URL"] = env["REDIS_URL"]
    env.pop("REDIS_URL", None)
    env.pop("VECHE_SECRET_KEY", None)
    env.update(
        VECHE_TESTING="1",
        VECHE_VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="veche.config.settings",
        PYTHONDONTWRITEBYTECODE="1",
        # SQLite unless the caller says otherwise (a DATABASE_URL of the shell is ignored).
        DATABASE_URL=f"sqlite:///{var_dir}/veche.sqlite3",
    )
    env.update(env_overrides)
    command = [sys.executable, "-m", "pytest", "-p", "tests.core.services", *pytest_args]
    print(f"==> {label}: {' '.join(command)}", flush=True)
    try:
        code = subprocess.call(command, cwd=ROOT, env=env)  # noqa: S603 - our own argv
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    if code == NO_TESTS_COLLECTED:
        print(f"==> {label}: NOTE pytest collected no tests (exit 5); not a failure.")
        return 0
    print(f"==> {label}: {'passed' if code == 0 else f'FAILED (pytest exit {code})'}",
          flush=True)
    return code
