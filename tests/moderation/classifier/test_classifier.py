"""The abuse classifier: shipped model, posting check through a real scorer on a Unix
socket, the unscored path and the sweeper, the evaluation command."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.discussion.factories import make_thread
from veche.discussion import actions, hooks
from veche.discussion.models import CommentStatus
from veche.moderation import classifier
from veche.moderation.classifier import checks, client
from veche.moderation.classifier.model import load
from veche.moderation.classifier.models import ClassifierState
from veche.moderation.classifier.server import make_server

DATA = Path(__file__).resolve().parents[1] / "data"
VIOLENT = "Those deputies should be strung up by the neck, one by one, in the main square."
CIVIL = "The minister is incompetent and his reform is a disaster; he must resign and face a vote."


def test_model_loads_and_scores_held_out_examples_in_the_right_direction():
    model = load()
    rows = [json.loads(x) for x in (DATA / "heldout.jsonl").open(encoding="utf-8")]
    for lang in ("en", "ru"):
        abusive = [model.score(r["text"], lang).score for r in rows
                   if r["lang"] == lang and r["label"] in ("violent", "hateful")]
        clean = [model.score(r["text"], lang).score for r in rows
                 if r["lang"] == lang and r["label"] == "clean"]
        assert sum(abusive) / len(abusive) > sum(clean) / len(clean) + 0.2
    result = model.score(VIOLENT, "en")
    assert result.score >= result.threshold and result.label == "violent"
    assert result.reason.startswith("violent language: “")


@pytest.fixture
def scorer(tmp_path, settings):
    path = str(tmp_path / "scorer.sock")
    settings.VECHE_CLASSIFIER_SOCKET = path
    settings.VECHE_CLASSIFIER_TIMEOUT = 5.0  # a generous bound: this test is not about speed
    server = make_server(socket_path=path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_scorer(tmp_path, settings):
    settings.VECHE_CLASSIFIER_SOCKET = str(tmp_path / "absent.sock")


@pytest.fixture
def only_classifier():
    """Posting with just this app's check and recorder (the other checks stay registered
    by their apps; we isolate ours to know which verdict decided)."""
    saved = list(hooks._checks), list(hooks._recorders), list(hooks._companion_sources)
    hooks._checks[:] = [checks.check]
    hooks._recorders[:] = [(checks.record, False)]
    hooks._companion_sources[:] = [checks.companions]
    yield
    hooks._checks[:], hooks._recorders[:], hooks._companion_sources[:] = saved


@pytest.fixture
def status_changes(monkeypatch):
    """Stand-in for moderation.actions.set_comment_status, recording calls."""
    from veche.discussion.actions import do_set_status
    from veche.discussion.models import Comment
    from veche.moderation import actions as moderation_actions

    calls = []

    def fake(comment_id, status, *, actor=None, reason="", source="auto"):
        calls.append((comment_id, status, reason, source))
        comment = Comment.objects.select_for_update().get(pk=comment_id)
        do_set_status(comment, status)
        return comment

    monkeypatch.setattr(moderation_actions, "set_comment_status", fake)
    return calls


@pytest.mark.django_db
def test_check_holds_violent_comment_with_reason_and_publishes_civil(
    scorer, only_classifier, make_user
):
    thread, user = make_thread(), make_user()
    held = actions.post_comment(author=user, thread=thread, body=VIOLENT)
    assert held.comment.status == CommentStatus.PENDING
    assert held.verdict.check == "classifier" and held.verdict.action == hooks.HOLD
    assert held.verdict.reason.startswith("violent language: “")
    state = ClassifierState.objects.get(comment=held.comment)
    assert state.state == "scored" and state.label == "violent" and state.score >= 0.5
    civil = actions.post_comment(author=user, thread=thread, body=CIVIL)
    assert civil.comment.status == CommentStatus.PUBLISHED
    assert ClassifierState.objects.get(comment=civil.comment).label == "clean"


@pytest.mark.django_db
def test_thresholds_are_settings(scorer, only_classifier, make_user, settings):
    thread, user = make_thread(), make_user()
    settings.VECHE_CLASSIFIER_HOLD = 0.99
    assert actions.post_comment(author=user, thread=thread, body=VIOLENT,
                                client_token="a").comment.status == CommentStatus.PUBLISHED
    settings.VECHE_CLASSIFIER_HOLD = None
    settings.VECHE_CLASSIFIER_REJECT = 0.3
    with pytest.raises(Exception) as refused:
        actions.post_comment(author=user, thread=thread, body=VIOLENT, client_token="b")
    assert getattr(refused.value, "code", "") == "rejected"


@pytest.mark.django_db(transaction=True)
def test_no_scorer_marks_unscored_and_the_sweeper_holds_it_later(
    no_scorer, only_classifier, make_user, status_changes, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    thread, user = make_thread(), make_user()
    assert client.score("anything", "en", timeout=0.05) is None
    posted = actions.post_comment(author=user, thread=thread, body=VIOLENT)
    # Post-moderation and no answer: published now, marked for a re-check.
    assert posted.comment.status == CommentStatus.PUBLISHED
    assert ClassifierState.objects.get(comment=posted.comment).state == "unscored"
    # A re-check while the scorer is still absent changes nothing.
    assert checks.sweep() == {"unscored": 1}
    # The sweeper with the model (as the scorer runs it at start) holds the comment.
    model = load()
    counts = checks.sweep(scorer=lambda text, lang: model.score(text, lang).as_dict())
    assert counts == {"scored": 1}
    posted.comment.refresh_from_db()
    assert posted.comment.status == CommentStatus.PENDING
    assert status_changes[0][1:] == ("pending", status_changes[0][2], "classifier")
    assert status_changes[0][2].startswith("violent language: “")
    state = ClassifierState.objects.get(comment=posted.comment)
    assert state.state == "scored" and state.label == "violent"


@pytest.mark.django_db(transaction=True)
def test_unscored_comment_is_rechecked_by_the_task(
    tmp_path, settings, only_classifier, make_user, status_changes
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VECHE_CLASSIFIER_SOCKET = str(tmp_path / "late.sock")
    thread, user = make_thread(), make_user()
    # The posting check finds no scorer; the task enqueued on commit runs at once
    # (immediate backend) and by then the scorer is up.
    started = {}
    original = checks.enqueue_recheck

    def start_scorer_then_recheck(comment_id):
        server = make_server(socket_path=settings.VECHE_CLASSIFIER_SOCKET)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started["server"] = server
        original(comment_id)

    try:
        checks.enqueue_recheck = start_scorer_then_recheck
        posted = actions.post_comment(author=user, thread=thread, body=VIOLENT)
    finally:
        checks.enqueue_recheck = original
        if "server" in started:
            started["server"].shutdown()
            started["server"].server_close()
    posted.comment.refresh_from_db()
    assert posted.comment.status == CommentStatus.PENDING
    assert ClassifierState.objects.get(comment=posted.comment).state == "scored"


@pytest.mark.django_db
def test_status_text(scorer, settings, tmp_path):
    assert classifier.status().startswith("Classifier: model veche-abuse-1")
    settings.VECHE_CLASSIFIER_SOCKET = str(tmp_path / "none.sock")
    assert "scorer not running" in classifier.status()


@pytest.mark.django_db
def test_moderation_eval_prints_and_json_has_exactly_the_keys(capsys):
    call_command("moderation_eval", str(DATA / "heldout.jsonl"))
    out = capsys.readouterr().out
    assert "overall   precision" in out and "lang ru" in out and "comments/s" in out
    call_command("moderation_eval", str(DATA / "heldout.jsonl"), "--json")
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"overall", "per_label", "per_lang", "comments_per_s"}
    assert set(result["overall"]) == {"precision", "recall", "f1"}
    assert set(result["per_lang"]) == {"en", "ru"}
    assert all(set(v) == {"n", "held"} for v in result["per_label"].values())
    assert result["per_label"]["violent"]["held"] >= result["per_label"]["violent"]["n"] // 2


def test_per_language_hold_thresholds_are_settings(settings):
    from veche.moderation.classifier import conf
    from veche.moderation.classifier.model import Classifier

    settings.VECHE_CLASSIFIER_HOLD_EN = 0.99
    model = Classifier(thresholds=conf.language_thresholds())
    english = model.score(VIOLENT, "en")
    assert english.threshold == 0.99 and english.label == "clean" and english.reason == ""
    russian = model.score("Повесить всех депутатов на фонарях на главной площади.", "ru")
    assert russian.threshold == load().meta["thresholds"]["ru"]


def test_reason_quotes_the_words_that_weigh_most():
    text = ("I read the whole report twice over the weekend. Those deputies should be strung "
            "up by the neck, one by one, in the main square, and nobody would miss them.")
    result = load().score(text, "en")
    assert result.label == "violent"
    quoted = result.reason.split("“", 1)[1].rstrip("”")
    assert quoted in text and 3 <= len(quoted.split()) <= 10
    assert "report" not in quoted
