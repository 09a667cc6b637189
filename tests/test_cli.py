"""The ``veche`` command line: dispatch, hyphenated names, deploy checks, ``veche demo``."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.management import call_command, get_commands

from veche.accounts.models import User
from veche.cli import normalise
from veche.core.management.commands import demo
from veche.newsroom.models import Article, Publication

# Not passed to the subprocess: its settings come from this test alone.
SCRUBBED = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def veche(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run ``python -m veche.cli ARGS`` on a throw-away SQLite database."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in SCRUBBED and not key.startswith("VECHE_")
    }
    environ.update(
        VECHE_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        **env,
    )
    return subprocess.run(  # noqa: S603 - our own argv
        [sys.executable, "-m", "veche.cli", *args],
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["import-page", "a-file.txt"], ["import_page", "a-file.txt"]),
        (["remove-stale-contenttypes", "--dry-run"], ["remove_stale_contenttypes", "--dry-run"]),
        (["help", "import-page"], ["help", "import_page"]),
        (["migrate", "--run-syncdb"], ["migrate", "--run-syncdb"]),
        (["--help"], ["--help"]),
        ([], []),
    ],
)
def test_hyphenated_command_names_map_to_underscores(argv, expected):
    assert normalise(argv) == expected


def test_help_lists_the_veche_commands(tmp_path):
    result = veche("help", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "veche help <subcommand>" in result.stdout
    for name in ("serve", "demo", "migrate"):
        assert f"    {name}\n" in result.stdout


def test_hyphenated_command_runs(tmp_path):
    result = veche("remove-stale-contenttypes", "--help", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "usage: veche remove_stale_contenttypes" in result.stdout


def test_unknown_command_fails(tmp_path):
    result = veche("no-such-command", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "Unknown command: 'no_such_command'" in result.stderr


def test_deploy_check_is_clean_for_a_production_configuration(tmp_path):
    result = veche(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        VECHE_HTTPS="1",
        VECHE_DEBUG="0",
        VECHE_SECRET_KEY="k3y-" + "x7Qp9-Lm2" * 7,
        VECHE_ALLOWED_HOSTS="news.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.fixture
def demo_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def run_demo(*, skip_import: bool = False) -> str:
    out = StringIO()
    call_command("demo", stdout=out, stderr=StringIO(), skip_import=skip_import)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "groups": Group.objects.count(),
        "emails": EmailAddress.objects.count(),
        "publications": Publication.objects.count(),
        "articles": Article.objects.count(),
    }


@pytest.mark.django_db
def test_demo_is_idempotent(demo_var):
    first_output = run_demo()
    after_first = counts()
    password = (demo_var / demo.CREDENTIALS_FILE).read_text().strip()

    second_output = run_demo()

    assert counts() == after_first
    assert (demo_var / demo.CREDENTIALS_FILE).read_text().strip() == password
    expected = (
        f"Demo moderator: moderator / {password} "
        "(two-factor set-up is required at first sign-in)"
    )
    assert expected in first_output
    assert expected in second_output
    publication = Publication.objects.get()
    assert publication.name == "Military Review"
    assert publication.tagline
    if "import_page" in get_commands():
        assert after_first["articles"] >= 1


@pytest.mark.django_db
def test_demo_moderator_is_a_verified_moderator(demo_var):
    run_demo(skip_import=True)
    password = (demo_var / demo.CREDENTIALS_FILE).read_text().strip()
    user = User.objects.get(username="moderator")
    assert user.groups.filter(name="moderator").exists()
    assert EmailAddress.objects.filter(
        user=user, email="moderator@example.org", verified=True, primary=True
    ).exists()
    assert authenticate(username="moderator", password=password) == user


@pytest.mark.django_db
def test_demo_repairs_a_changed_password_and_publication(demo_var):
    run_demo(skip_import=True)
    password = (demo_var / demo.CREDENTIALS_FILE).read_text().strip()
    user = User.objects.get(username="moderator")
    user.set_password("something-else-entirely")
    user.save()
    Publication.objects.update(name="Renamed")

    run_demo(skip_import=True)

    assert User.objects.get(username="moderator").check_password(password)
    assert Publication.objects.get().name == "Military Review"


def test_demo_finds_its_article_in_the_checkout():
    path = demo.default_demo_file()
    assert path is not None and path.name == "military-review-article.txt"


@pytest.mark.django_db
def test_demo_holds_the_abusive_reference_comments_for_the_moderators(demo_var):
    if "import_page" not in get_commands() or "classifier_sweep" not in get_commands():
        pytest.skip("the demo import or the classifier is not installed")
    from veche.discussion.models import Comment, CommentStatus
    from veche.moderation.models import ModerationEvent

    run_demo()

    held = Comment.objects.filter(status=CommentStatus.PENDING)
    held_authors = set(held.values_list("author_name", flat=True))
    # The call to burn people and the cockroach comparison wait for a moderator...
    assert {"Krasnyiy komissar", "bald"} <= held_authors
    # ...the four-word question and the death-penalty argument are published.
    published = set(
        Comment.objects.filter(status=CommentStatus.PUBLISHED).values_list("author_name", flat=True)
    )
    assert {"Deniska999", "Nemesis", "NEXUS"} <= published
    # Each hold is in the audit log with the classifier's reason.
    events = ModerationEvent.objects.filter(comment__in=held)
    assert events.count() == held.count()
    assert all(e.reason for e in events)

    held_ids = set(held.values_list("pk", flat=True))
    run_demo()  # again: nothing more is held, nothing released
    assert set(
        Comment.objects.filter(status=CommentStatus.PENDING).values_list("pk", flat=True)
    ) == held_ids


@pytest.mark.django_db
def test_demo_says_how_many_comments_the_classifier_held(demo_var):
    if "import_page" not in get_commands() or "classifier_sweep" not in get_commands():
        pytest.skip("the demo import or the classifier is not installed")
    from veche.discussion.models import Comment, CommentStatus

    output = run_demo()

    held = Comment.objects.filter(status=CommentStatus.PENDING).count()
    assert held > 0
    assert f"Checked 24 comment(s); {held} held for the moderators" in output
