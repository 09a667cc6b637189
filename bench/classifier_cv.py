"""Cross-validated figures of the whole classifier on the TRAINING set (build time only).

    VECHE_M2V_DIR=/tmp/m2v /work/ml-venv/bin/python bench/classifier_cv.py [--folds 5]

Each fold builds the shipped artefacts (train.build: models, thresholds) from the other
folds into a temporary directory, loads them with the run-time Classifier and scores the
fold's comments as posting would (sentence maximum, per-language threshold). Prints
precision/recall/F1 of "held" against "label is not clean", per language, per label, and
the misses and false holds with --show. This is what modelling choices are made on; the
held-out sets are never used here.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests/moderation/data/train.jsonl"


def prf(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.3f}  R {r:.3f}  F1 {f:.3f}"


def main() -> None:
    from sklearn.model_selection import StratifiedKFold

    from veche.moderation.classifier import train
    from veche.moderation.classifier.model import Classifier

    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    m2v = os.environ.get("VECHE_M2V_DIR")
    if not m2v:
        m2v = train.distill(tempfile.mkdtemp(prefix="veche-m2v-"))
    rows = [json.loads(x) for x in args.data.open(encoding="utf-8") if x.strip()]
    strata = [f"{r['lang']}-{r['label']}" for r in rows]
    held = np.zeros(len(rows), dtype=bool)
    scores = np.zeros(len(rows))
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=1)
    for tr, te in folds.split(np.zeros(len(rows)), strata):
        with tempfile.TemporaryDirectory() as tmp:
            part = Path(tmp) / "train.jsonl"
            part.write_text("".join(json.dumps(rows[i], ensure_ascii=False) + "\n" for i in tr),
                            encoding="utf-8")
            train.build(part, m2v, Path(tmp) / "models")
            model = Classifier(Path(tmp) / "models")
            for i in te:
                res = model.score(rows[i]["text"], rows[i]["lang"])
                held[i], scores[i] = res.score >= res.threshold, res.score
    print(f"{len(rows)} comments, {args.folds}-fold CV of the whole build")
    for lang in ("all", "en", "ru"):
        idx = [i for i, r in enumerate(rows) if lang in ("all", r["lang"])]
        ab = np.array([rows[i]["label"] != "clean" for i in idx])
        h = held[idx]
        print(f"  {lang:4s} {prf(int((h & ab).sum()), int((h & ~ab).sum()), int((~h & ab).sum()))}"
              f"  clean held {int((h & ~ab).sum())}/{int((~ab).sum())}")
    for label in ("clean", "insulting", "profane", "hateful", "violent", "spam"):
        idx = [i for i, r in enumerate(rows) if r["label"] == label]
        print(f"  label {label:10s} {int(held[idx].sum()):4d} of {len(idx):4d} held")
    if args.show:
        for i, r in enumerate(rows):
            if held[i] != (r["label"] != "clean"):
                mark = "FALSE" if held[i] else "MISS "
                print(f"{mark} {scores[i]:.2f} [{r['lang']} {r['label']}] {r['text'][:90]}")


if __name__ == "__main__":
    main()
