"""The content checks' verdict on every comment of the reference page, with its reason.

    mkdir -p /tmp/clf-var
    VECHE_VAR_DIR=/tmp/clf-var DATABASE_URL=sqlite:////tmp/clf-var/db.sqlite3 \
        .venv/bin/python bench/reference_verdicts.py [--file demo/military-review-article.txt]

Migrates the database named by DATABASE_URL (use a scratch one), imports the page with
`veche import-page` if it has no comments yet, then runs on each imported comment what
posting runs on its text: the light content checks (word lists, links) and the
classifier, loaded in this process (not the scorer), decided as posting decides.
Prints author, verdict, score and the reason a moderator would see.

--apply then puts the verdicts on the site the way a running site would for comments it
has not scored (imported ones): each is marked unscored and `classifier-sweep --local`'s
re-check holds the abusive ones, so they show in the moderation queue with the reason.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from veche.discussion import hooks
    from veche.discussion.models import Comment
    from veche.moderation.classifier.checks import text_of, verdict_for
    from veche.moderation.classifier.model import detect_lang, load
    from veche.moderation.pipeline import content_verdicts

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=ROOT / "demo/military-review-article.txt")
    parser.add_argument("--apply", action="store_true",
                        help="hold the abusive comments (the classifier's re-check)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0, interactive=False)
    if not Comment.objects.exists():
        call_command("import_page", str(args.file), verbosity=0)
    model = load()
    print(f"model: {model.name}; thresholds {model.meta['thresholds']}")
    held = 0
    comments = Comment.objects.order_by("created_at", "pk")
    for comment in comments:
        text = text_of(comment.body_markdown, comment.body_html)
        lang = detect_lang(text)
        verdicts = content_verdicts(comment.body_markdown, lang)
        result = model.score(text, lang)
        verdicts.append(verdict_for(result.as_dict()))
        decided = hooks.decisive(verdicts, hooks.Verdict(hooks.PUBLISH))
        action = {"publish": "published"}.get(decided.action, decided.action.upper())
        held += decided.action != hooks.PUBLISH
        reason = decided.reason or f"(top: {result.details['category']} '{result.span[:60]}')"
        print(f"{comment.author_name[:20]:20s} {action:9s} {result.score:.2f} "
              f"[{decided.check or 'classifier'}] {reason}")
    print(f"{held} of {comments.count()} held")
    if args.apply:
        apply(model)


def apply(model) -> None:
    from veche.discussion.models import Comment
    from veche.moderation.classifier import checks
    from veche.moderation.classifier.models import ClassifierState
    from veche.moderation.selectors import queue

    for comment_id in Comment.objects.filter(classifier_state=None).values_list("pk", flat=True):
        ClassifierState.objects.create(comment_id=comment_id,
                                       state=ClassifierState.State.UNSCORED)
    print("re-check:", checks.sweep(scorer=lambda text, lang: model.score(text, lang).as_dict()))
    pending = queue("pending")
    print(f"moderation queue (pending): {pending.count()}")
    for comment in pending:
        state = ClassifierState.objects.get(comment=comment)
        print(f"  {comment.author_name[:20]:20s} {state.score:.2f} {state.reason}")


if __name__ == "__main__":
    main()
