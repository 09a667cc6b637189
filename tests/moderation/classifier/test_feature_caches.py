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


def test_a_text_s_parts_and_their_buckets_equal_each_part_computed_alone(texts):
    extra = [("One. Two three four five six! Seven?\n\nEight nine ten eleven twelve.", "en"),
             ("ok. Да нет да нет да нет. Ну и ну и ну!", "ru"), ("a.\n\n.b", "en")]
    for text, lang in texts + extra:
        parts, buckets = F.ngram_buckets_of_parts(text, lang, 5)
        sentences = F.sentences(text)
        expected = [text] + ([s for s in sentences if len(F.words(s)) >= 5]
                             if len(sentences) > 1 else [])
        assert parts == expected, text
        for part, found in zip(parts, buckets, strict=True):
            assert found.tolist() == _ngram_features_afresh(part, lang), part


def test_scores_of_a_text_s_parts_together_equal_each_part_scored_alone(texts):
    """The probability of abuse, which the thresholds judge, to the last bit."""
    classifier = load()
    for text, lang in texts:
        parts, buckets = F.ngram_buckets_of_parts(text, lang, 5)
        together = classifier.ngrams[lang].scores_of_buckets(buckets)
        tokens = classifier.tokens.scores_many(parts)
        for i, part in enumerate(parts):
            alone = _one_text_alone(classifier, part, lang)
            assert together[0][i] == alone["ngram_p"], part
            assert tokens[0][i] == alone["token_p"], part
            # The categories (which name a verdict) add float32 weights: summed in
            # another order they may differ in float32's last digits.
            np.testing.assert_allclose(together[1][i], alone["ngram_m"], rtol=1e-5)
            np.testing.assert_allclose(tokens[1][i], alone["token_m"], rtol=1e-5)


def _one_text_alone(classifier, text: str, lang: str) -> dict:
    """The probabilities of one text the way they were computed before parts were
    scored together (one numpy gather per text)."""
    from veche.moderation.classifier.model import _sigmoid

    def softmax(z):
        e = np.exp(z - z.max())
        return e / e.sum()

    ngrams = classifier.ngrams[lang]
    index = F.ngram_buckets(text, lang)
    if len(index):
        norm = 1 / np.sqrt(len(index))
        dense = np.zeros(F.N_BUCKETS, dtype=np.float64)  # weights by bucket, 0 unseen
        dense[list(ngrams.w_bin)] = list(ngrams.w_bin.values())
        ngram_p = _sigmoid(ngrams.b_bin + norm * float(dense[index].sum()))
        rows = ngrams.row_of[index]
        rows = rows[rows >= 0]
        ngram_m = softmax(ngrams.b_multi + (norm * ngrams.w_multi[rows].sum(axis=0)
                                            if len(rows) else 0))
    else:
        ngram_p, ngram_m = _sigmoid(ngrams.b_bin), softmax(ngrams.b_multi)
    tokens = classifier.tokens
    ids = tokens.wp.encode(text)
    if ids:
        token_p = _sigmoid(tokens.b_bin + float(tokens.w_bin[ids].mean()))
        token_m = softmax(tokens.b_multi + tokens.w_multi[ids].mean(axis=0))
    else:
        token_p, token_m = _sigmoid(tokens.b_bin), softmax(tokens.b_multi)
    return {"ngram_p": ngram_p, "ngram_m": ngram_m, "token_p": token_p, "token_m": token_m}
