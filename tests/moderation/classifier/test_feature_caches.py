"""The classifier keeps per-word work (character n-gram buckets, WordPiece ids) between
comments; the features it computes must be exactly those of the text computed afresh."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from veche.moderation.classifier import features as F
from veche.moderation.classifier.model import load

DATA = Path(__file__).resolve().parents[1] / "data"


def _texts() -> list[tuple[str, str]]:
    rows = []
    for name in ("train.jsonl", "heldout.jsonl"):
        with (DATA / name).open(encoding="utf-8") as f:
            rows += [(r["text"], r["lang"]) for r in map(json.loads, f)]
    # Text shapes the sets lack: combining accents, İ, final sigma, tabs, empty chunks.
    rows += [("Cafe\u0301 İstanbul ΣΟΦΟΣ\tend.  ", "en"), ("\u0301 \u0301x", "en"), ("", "en")]
    return rows


def _ngram_features_afresh(text: str, lang: str) -> list[int]:
    toks = F.words(text)
    keys = [F.lemma(w) for w in toks] if lang == "ru" else toks
    feats: set[int] = set()
    for w in toks:
        padded = f" {w} "
        for n in F.CHAR_N:
            for i in range(max(1, len(padded) - n + 1)):
                feats.add(F._bucket("c" + padded[i : i + n]))
    feats.update(F._bucket("w" + k) for k in keys)
    feats.update(F._bucket(f"b{a} {b}") for a, b in itertools.pairwise(keys))
    feats.update(F._bucket(s) for s in F.shape(text, len(toks)))
    return sorted(feats)


@pytest.fixture(scope="module")
def texts():
    return _texts()


def test_ngram_features_equal_the_text_computed_afresh(texts):
    for text, lang in texts:
        assert F.ngram_features(text, lang) == _ngram_features_afresh(text, lang), text


def test_wordpiece_ids_equal_the_whole_text_tokenised_afresh(texts):
    wp = load().tokens.wp
    for text, _ in texts:
        # Twice: the second time from what the first kept.
        expected = wp._encode_tokens(F.basic_tokens(text))
        assert wp.encode(text) == expected, text
        assert wp.encode(text) == expected, text


def test_kept_chunks_are_bounded(monkeypatch):
    wp = F.WordPiece(["[UNK]", "a", "##b"])
    monkeypatch.setattr(F, "CHUNKS_KEPT", 3)
    for word in ("a", "ab", "abb", "abbb", "abbbb"):
        assert wp.encode(word) == [1] + [2] * (len(word) - 1)
    assert len(wp._kept) <= 3


def test_ngram_scores_gathered_by_numpy_equal_the_per_feature_sum(texts):
    from veche.moderation.classifier.model import _sigmoid

    classifier = load()
    for text, lang in texts:
        model = classifier.ngrams[lang]
        feats = F.ngram_features(text, lang)
        if not feats:
            continue
        norm = 1 / np.sqrt(len(feats))
        expected = _sigmoid(model.b_bin + norm * sum(model.w_bin.get(f, 0.0) for f in feats))
        assert model.scores(text, lang)[0] == pytest.approx(expected, abs=1e-12), text


def test_the_scorer_s_answer_is_the_dataclass_as_asdict_gives_it(texts):
    import dataclasses

    classifier = load()
    for text, lang in texts[:200]:
        result = classifier.score(text, lang)
        assert result.as_dict() == dataclasses.asdict(result), text
        assert result.as_dict()["details"] is not result.details
