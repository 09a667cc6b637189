"""``veche moderation-eval FILE.jsonl``: the content checks of posting on a labelled set.

Each line: {"text": ..., "lang": "en"|"ru", "label": "clean"|"insulting"|"profane"|
"hateful"|"violent"|"spam"}. A text counts as caught when the checks hold or reject it
(the light checks, moderation.pipeline.content_verdicts, plus the classifier loaded in
this process; not the per-user checks). Prints precision, recall and F1 of "caught"
against "label is not clean", overall and per language, how many of each label were
caught, and the throughput; --json prints one JSON object instead.
"""

from __future__ import annotations

import json as jsonlib
import time

from django.core.management.base import BaseCommand, CommandError

from veche.discussion import hooks

LABELS = ("clean", "insulting", "profane", "hateful", "violent", "spam")


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def light_verdicts(text: str, lang: str) -> list:
    try:
        from veche.moderation.pipeline import content_verdicts
    except ImportError:
        return []
    return content_verdicts(text, lang)


def evaluate(rows: list[dict], *, use_classifier: bool = True, light: bool = True) -> dict:
    from veche.moderation.classifier.checks import verdict_for

    model = None
    if use_classifier:
        from veche.moderation.classifier.model import load

        model = load()
    counts = {"all": [0, 0, 0]}
    per_label: dict[str, dict] = {}
    items = []
    start = time.perf_counter()
    for row in rows:
        text, lang, label = row["text"], row.get("lang") or "en", row["label"]
        verdicts = light_verdicts(text, lang) if light else []
        if model is not None:
            verdicts.append(verdict_for(model.score(text, lang).as_dict()))
        decided = hooks.decisive(verdicts, hooks.Verdict(hooks.PUBLISH))
        caught = decided.action in (hooks.HOLD, hooks.REJECT)
        items.append((lang, label, caught, decided))
    elapsed = time.perf_counter() - start
    per_lang_counts: dict[str, list[int]] = {}
    for lang, label, caught, _ in items:
        abusive = label != "clean"
        slot = 0 if caught and abusive else 1 if caught else 2 if abusive else None
        for key in ("all", lang):
            c = counts["all"] if key == "all" else per_lang_counts.setdefault(lang, [0, 0, 0])
            if slot is not None:
                c[slot] += 1
        entry = per_label.setdefault(label, {"n": 0, "held": 0})
        entry["n"] += 1
        entry["held"] += int(caught)
    return {
        "overall": prf(*counts["all"]),
        "per_label": {k: per_label[k] for k in LABELS if k in per_label},
        "per_lang": {lang: prf(*c) for lang, c in sorted(per_lang_counts.items())},
        "comments_per_s": round(len(rows) / elapsed, 1) if elapsed else 0.0,
        "_decisions": items,
    }


class Command(BaseCommand):
    help = "Score a labelled JSONL file with the posting content checks and the classifier."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="print one JSON object")
        parser.add_argument("--no-classifier", action="store_true",
                            help="the light checks only (as without the classifier)")
        parser.add_argument("--no-light", action="store_true",
                            help="the classifier only")
        parser.add_argument("--show", choices=["errors", "all"], default=None,
                            help="list the misses and false holds (or every decision)")

    def handle(self, *args, file, as_json=False, no_classifier=False, no_light=False,
               show=None, **options):
        try:
            with open(file, encoding="utf-8") as fh:
                rows = [jsonlib.loads(line) for line in fh if line.strip()]
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        for i, row in enumerate(rows, 1):
            if not isinstance(row.get("text"), str) or row.get("label") not in LABELS:
                raise CommandError(f"line {i}: needs a text and a label among {LABELS}")
        result = evaluate(rows, use_classifier=not no_classifier, light=not no_light)
        decisions = result.pop("_decisions")
        if as_json:
            self.stdout.write(jsonlib.dumps(result, ensure_ascii=False))
            return
        o = result["overall"]
        self.stdout.write(f"{len(rows)} comments; caught = held or rejected; "
                          "positive = label is not clean")
        self.stdout.write(f"overall   precision {o['precision']:.3f}  recall {o['recall']:.3f}"
                          f"  F1 {o['f1']:.3f}")
        for lang, m in result["per_lang"].items():
            self.stdout.write(f"lang {lang:4s} precision {m['precision']:.3f}  "
                              f"recall {m['recall']:.3f}  F1 {m['f1']:.3f}")
        for label, m in result["per_label"].items():
            self.stdout.write(f"label {label:10s} {m['held']:4d} of {m['n']:4d} caught")
        self.stdout.write(f"throughput {result['comments_per_s']:.1f} comments/s "
                          "(one process, one thread)")
        if show:
            for row, (_lang, label, caught, verdict) in zip(rows, decisions, strict=True):
                wrong = caught != (label != "clean")
                if show == "all" or wrong:
                    mark = "MISS " if wrong and not caught else "FALSE" if wrong else "ok   "
                    self.stdout.write(f"{mark} [{label}] {row['text'][:90]}  -> "
                                      f"{verdict.action} {verdict.check} {verdict.score or ''}")
