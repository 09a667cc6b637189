"""The scorer's cost per comment as instructions (callgrind), steady on a loaded machine
where seconds are not; and a digest of its answers, to show that a faster scorer
answers the same.

    .venv/bin/python bench/scorer_instructions.py [--texts 300]
    PYTHONPATH=/tmp/base/src .venv/bin/python bench/scorer_instructions.py   # older code

Scores run.py's comment bodies (Markdown rendered, then plain text, as posting sends
them) with the shipped model; only the scoring loop is instrumented. Local only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HELDOUT = HERE.parent / "tests" / "moderation" / "data" / "heldout.jsonl"
sys.path.insert(0, str(HERE))

from callgrind import counted, instrument, under_callgrind  # noqa: E402


def texts(n: int) -> list[str]:
    """n of the bench's comment bodies as posting sends them, then the classifier's
    held-out set (abusive texts too: their reasons quote the worst phrase)."""
    from run import comment_text

    from veche.core.markup import render_comment_markdown
    from veche.discussion.text import plain_text

    bodies = [plain_text(render_comment_markdown(comment_text("scorer", 0, i)))
              for i in range(n)]
    return bodies + [json.loads(line)["text"] for line in HELDOUT.open(encoding="utf-8")]


def score_all(n: int) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.config.settings")
    os.environ.setdefault("VECHE_VAR_DIR", tempfile.mkdtemp(prefix="veche-scorer-"))
    import django

    django.setup()
    from veche.moderation.classifier.language import detect_lang
    from veche.moderation.classifier.model import Classifier

    model = Classifier()
    items = [(t, detect_lang(t)) for t in texts(n)]
    n = len(items)
    for text, lang in items[:20]:  # warm the per-word caches as a running scorer has
        model.score(text, lang)
    instrument(True)
    t0 = time.process_time()
    results = [model.score(text, lang) for text, lang in items]
    spent = time.process_time() - t0
    instrument(False)
    digest = hashlib.sha256(repr([r.as_dict() for r in results]).encode()).hexdigest()[:16]
    held = sum(r.score >= r.threshold for r in results)
    print(f"{n} texts, {held} at or above the threshold, answers' digest {digest},"
          f" {spent * 1000 / n:.3f} ms CPU a text")
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=300)
    args = parser.parse_args()
    if under_callgrind():
        score_all(args.texts)
        return
    total = counted(__file__, sys.argv[1:], timeout=900)
    scored = args.texts + sum(1 for _ in HELDOUT.open(encoding="utf-8"))
    print(f"instructions a text: {total / scored:,.0f}")


if __name__ == "__main__":
    main()
