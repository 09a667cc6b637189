"""numpy is the scorer's alone: a web worker that loads the whole site, with the
classifier's posting check registered, does not import it (it would cost every worker
~14 MB of its memory)."""

from __future__ import annotations

import subprocess
import sys

from tests.processes import site_env

LOAD_THE_SITE = """
import sys
import django
django.setup()
from django.apps import apps
from django.urls import get_resolver
from veche.config.wsgi import application
from veche.discussion import hooks
from veche.moderation.classifier import installed, checks
get_resolver().url_patterns  # every view module
assert apps.is_installed("veche.moderation.classifier")
assert installed(), "the classifier's run time and artefacts should be here"
assert checks.check in hooks._checks, "the check is registered"
print(checks.detect_lang("Привет, как дела?"), checks.detect_lang("Hello there"))
print("numpy" in sys.modules)
"""


def test_a_web_worker_never_imports_numpy(tmp_path):
    env = site_env(tmp_path, VECHE_CLASSIFIER="1")
    out = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", LOAD_THE_SITE], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ru", "en", "False"]
