"""Throughput of the light moderation checks, in-process, on one core.

Builds a throw-away SQLite database, a 2,000-entry word list (English and Russian,
words, a few wildcards and regexes), 200 users, and runs the content checks
(pipeline.content_verdicts) plus the per-user posting checks (modes, duplicates,
history, links, word lists; flood limits off) over 2,000 generated comments.

    VECHE_TESTING=1 VECHE_VAR_DIR=$(mktemp -d) .venv/bin/python bench/moderation_checks.py
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time

os.environ.setdefault("VECHE_VAR_DIR", tempfile.mkdtemp())
os.environ.setdefault("VECHE_TESTING", "1")
os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['VECHE_VAR_DIR']}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

from veche.accounts.models import User  # noqa: E402
from veche.discussion import hooks  # noqa: E402
from veche.discussion.actions import get_or_create_thread  # noqa: E402
from veche.moderation import versions, wordlists  # noqa: E402
from veche.moderation.models import WordListEntry  # noqa: E402
from veche.moderation.pipeline import content_verdicts  # noqa: E402

N_COMMENTS, N_ENTRIES = 2000, 2000
rng = random.Random(7)
EN_TEXT = ("the government said today that the new policy will change how people live and "
           "work in the city while critics argue it goes too far and others say not enough")
RU_TEXT = ("правительство заявило сегодня что новая политика изменит жизнь людей в городе "
           "критики считают что это слишком а другие говорят что недостаточно")
EN, RU = EN_TEXT.split(), RU_TEXT.split()


def make_entries() -> None:
    rows = []
    for i in range(N_ENTRIES):
        if i % 100 == 0:
            rows.append(WordListEntry(pattern=f"spam{i}*", match_type="wildcard", language="en"))
        elif i % 250 == 1:
            rows.append(WordListEntry(pattern=rf"\bfoo{i}\d+\b", match_type="regex"))
        elif i % 2:
            rows.append(WordListEntry(pattern=f"плохслово{i}", language="ru", kind="banned"))
        else:
            rows.append(WordListEntry(pattern=f"badword{i}", language="en"))
    WordListEntry.objects.bulk_create(rows)
    versions.bump(versions.WORDS)


def make_comments() -> list[str]:
    out = []
    for i in range(N_COMMENTS):
        vocab = RU if i % 3 == 0 else EN
        words = [rng.choice(vocab) for _ in range(rng.randint(15, 80))]
        if i % 10 == 0:
            words.append(f"badword{rng.randrange(0, N_ENTRIES, 2)}")
        if i % 7 == 0:
            words.append(f"https://site{i}.example/page")
        out.append(" ".join(words))
    return out


def main() -> None:
    make_entries()
    users = [User.objects.create(username=f"bench{i}") for i in range(200)]
    thread = get_or_create_thread("bench:moderation", title="Bench")
    comments = make_comments()
    content_verdicts("warm up the compiled lists")  # compile outside the timing

    t0 = time.perf_counter()
    flagged = sum(bool(content_verdicts(text)) for text in comments)
    content_s = time.perf_counter() - t0

    drafts = [
        hooks.Draft(thread=thread, author=users[i % len(users)], body_markdown=text,
                    body_html=f"<p>{text}</p>")
        for i, text in enumerate(comments)
    ]
    t0 = time.perf_counter()
    held = 0
    for draft in drafts:
        verdicts = hooks.run_checks(draft)
        held += any(v.action != hooks.PUBLISH for v in verdicts)
    full_s = time.perf_counter() - t0

    print(f"word list entries: {N_ENTRIES}, comments: {N_COMMENTS}, "
          f"compiled {wordlists.builds} time(s)")
    print(f"content checks only:      {N_COMMENTS / content_s:8.0f} comments/s per core "
          f"({flagged} flagged)")
    print(f"content + per-user checks: {N_COMMENTS / full_s:8.0f} comments/s per core "
          f"({held} held/rejected; SQLite, flood limits off)")


if __name__ == "__main__":
    sys.exit(main())
