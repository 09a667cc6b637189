"""The trained classifier at run time: numpy and the shipped artefacts, no torch.

English: the mean of per-token weights (a logistic regression on model2vec static
embeddings distilled from MiniLM, folded into one weight per token and class at build
time) averaged with a hashed character/word n-gram logistic regression.
Russian: the n-gram model only (with pymorphy3 lemmas); MiniLM does not read Russian.

A text's score is the highest of its own score and its sentences' scores, so one violent
sentence in a long civil comment still counts. The reason quotes the words of that
sentence that pushed the score up most (both models are linear, so each word's share of
the logit is known): "violent language: “burned with TNW, smaller ones - with napalm”".
"""

from __future__ import annotations

import itertools
import json
import math
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from veche.moderation.classifier import features as F
from veche.moderation.classifier.language import detect_lang

MODEL_DIR = Path(__file__).resolve().parent / "models"
LABELS = ("clean", "insulting", "profane", "hateful", "violent", "spam")
DESCRIPTIONS = {
    "insulting": "insulting language",
    "profane": "profane language",
    "hateful": "dehumanising language",
    "violent": "violent language",
    "spam": "spam",
    "clean": "no abuse found",
}
SPAN_MAX = 80
SENTENCE_MIN_WORDS = 5  # shorter sentences score near the prior: too noisy alone
PHRASE_WORDS = (3, 10)  # the quoted phrase's length in words, at least and at most


@dataclass
class Result:
    score: float  # probability-like, 0..1, of "not clean"
    label: str  # the most likely abusive category (or "clean")
    threshold: float  # the model's own hold threshold for this language
    span: str = ""  # the sentence that scored highest, trimmed
    reason: str = ""
    model: str = ""
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        # What dataclasses.asdict gives (a copy of details), without its deep walk:
        # the scorer answers every post with it.
        return {"score": self.score, "label": self.label, "threshold": self.threshold,
                "span": self.span, "reason": self.reason, "model": self.model,
                "details": dict(self.details)}


def _sigmoid(x: float) -> float:
    return float(1 / (1 + np.exp(-x)))


def _segment_sums(rows: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The sums of consecutive runs of rows, counts[i] rows in run i (zeros if none)."""
    sums = np.zeros((len(counts), rows.shape[1]), dtype=rows.dtype)
    filled = counts > 0
    if filled.any():
        starts = (np.cumsum(counts) - counts)[filled]
        sums[filled] = np.add.reduceat(rows, starts, axis=0)
    return sums


def _softmax_rows(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def trim_span(sentence: str, limit: int = SPAN_MAX) -> str:
    s = " ".join(sentence.split())
    if len(s) <= limit:
        return s
    head = limit * 2 // 3
    tail = limit - head - 5
    return f"{s[:head].rstrip()} ... {s[-tail:].lstrip()}"


class NgramModel:
    def __init__(self, z, prefix: str):
        buckets = z[f"{prefix}_buckets"]
        self.w_bin = dict(zip(buckets.tolist(), z[f"{prefix}_w_bin"].tolist(), strict=True))
        # For numpy to gather a text's features at once (a dict lookup per feature was a
        # third of a comment's scoring): each bucket's row, -1 for a bucket the model
        # never saw, and the weights by row with a 0 last, which row -1 reads. A dense
        # float64 array of weights by bucket (2 MiB a language) and rows as int32
        # (1 MiB) held 4.7 MB more of the scorer's memory than these (512 KiB and
        # ~160 KiB). The stored weights are float16: their float64 copies sum to the
        # same bits as before.
        weights = z[f"{prefix}_w_bin"]
        self.w_bin_rows = np.append(weights.astype(np.float64), 0.0)
        row_type = np.int16 if len(buckets) < np.iinfo(np.int16).max else np.int32
        self.row_of = np.full(F.N_BUCKETS, -1, dtype=row_type)
        self.row_of[buckets] = np.arange(len(buckets), dtype=row_type)
        self.w_multi = z[f"{prefix}_w_multi"].astype(np.float32)
        self.b_bin = float(z[f"{prefix}_b_bin"])
        self.b_multi = z[f"{prefix}_b_multi"].astype(np.float32)

    def scores(self, text: str, lang: str) -> tuple[float, np.ndarray]:
        probabilities, multi = self.scores_many([text], lang)
        return probabilities[0], multi[0]

    def scores_many(self, texts: list[str], lang: str) -> tuple[list[float], np.ndarray]:
        return self.scores_of_buckets([F.ngram_buckets(text, lang) for text in texts])

    def scores_of_buckets(self, indexes: list[np.ndarray]) -> tuple[list[float], np.ndarray]:
        """Each text's probability of abuse and its categories' probabilities (a row
        each), given its buckets. The texts' features are gathered in one go: a comment
        is scored whole and sentence by sentence, and numpy's cost per call was most of
        the work."""
        counts = np.array([len(index) for index in indexes])
        every = np.concatenate(indexes)
        rows = self.row_of[every]
        gathered = self.w_bin_rows[rows]
        probabilities, start = [], 0
        for count in counts.tolist():
            if count:
                # One slice's own sum (numpy's pairwise order, as for one text alone).
                total = float(gathered[start:start + count].sum())
                probabilities.append(_sigmoid(self.b_bin + 1 / math.sqrt(count) * total))
            else:
                probabilities.append(_sigmoid(self.b_bin))
            start += count
        seen = rows >= 0
        known = np.bincount(np.repeat(np.arange(len(indexes)), counts)[seen],
                            minlength=len(indexes))
        sums = _segment_sums(self.w_multi[rows[seen]], known)
        norms = 1 / np.sqrt(np.maximum(counts, 1))
        logits = self.b_multi + norms[:, None] * sums
        return probabilities, _softmax_rows(logits)

    def word_shares(self, text: str, lang: str) -> list[float]:
        """Each word's share of the binary logit (bigrams split between their two words)."""
        toks = F.words(text)
        keys = [F.lemma(w) for w in toks] if lang == "ru" else toks
        if not toks:
            return []
        norm = 1 / np.sqrt(max(1, len(F.ngram_buckets(text, lang))))
        w = self.w_bin.get
        out = []
        for i, word in enumerate(toks):
            own = set(F.char_buckets(word))
            own.add(F._bucket("w" + keys[i]))
            share = sum(w(f, 0.0) for f in own)
            for a, b in ((i - 1, i), (i, i + 1)):
                if a >= 0 and b < len(keys):
                    share += w(F._bucket(f"b{keys[a]} {keys[b]}"), 0.0) / 2
            out.append(norm * share)
        return out


class TokenModel:
    """Static-embedding LR folded into per-token weights (mean pooling is linear)."""

    def __init__(self, z, vocab: list[str]):
        self.wp = F.WordPiece(vocab)
        self.w_bin = z["en_tok_bin"].astype(np.float32)
        self.w_multi = z["en_tok_multi"].astype(np.float32)
        self.b_bin = float(z["en_tok_b_bin"])
        self.b_multi = z["en_tok_b_multi"].astype(np.float32)

    def scores(self, text: str) -> tuple[float, np.ndarray]:
        probabilities, multi = self.scores_many([text])
        return probabilities[0], multi[0]

    def scores_many(self, texts: list[str]) -> tuple[list[float], np.ndarray]:
        """As NgramModel.scores_many: the mean of the texts' token weights, gathered in
        one go."""
        ids = [self.wp.encode(text) for text in texts]
        counts = np.array([len(one) for one in ids])
        every = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.intp,
                            count=int(counts.sum()))
        gathered = self.w_bin[every]
        probabilities, start = [], 0
        for count in counts.tolist():
            # The float32 sum over the count, as ndarray.mean() computes it.
            mean = float(gathered[start:start + count].sum() / count) if count else 0.0
            probabilities.append(_sigmoid(self.b_bin + mean))
            start += count
        sums = _segment_sums(self.w_multi[every], counts)
        means = (sums / np.maximum(counts, 1)[:, None]).astype(np.float32)
        return probabilities, _softmax_rows(self.b_multi + means)

    def word_shares(self, words: list[str]) -> list[float]:
        """Each word's share of the mean-pooled logit (its word pieces' weights / count)."""
        pieces = [self.wp.encode(w) for w in words]
        total = sum(len(p) for p in pieces) or 1
        return [float(self.w_bin[p].sum()) / total if p else 0.0 for p in pieces]


class Classifier:
    def __init__(self, directory: Path = MODEL_DIR, thresholds: dict[str, float] | None = None):
        self.directory = Path(directory)
        self.meta = json.loads((self.directory / "meta.json").read_text(encoding="utf-8"))
        self.meta["thresholds"] = {**self.meta["thresholds"], **(thresholds or {})}
        vocab = (self.directory / "vocab.txt").read_text(encoding="utf-8").split("\n")
        with np.load(self.directory / "model.npz") as z:
            self.tokens = TokenModel(z, vocab)
            self.ngrams = {lang: NgramModel(z, lang) for lang in ("en", "ru")}
        self.labels = tuple(self.meta["labels"])
        self.name = self.meta["name"]
        self._lock = threading.Lock()  # pymorphy3 and the caches are shared

    def _many(self, texts: list[str], indexes: list[np.ndarray], lang: str,
              ) -> tuple[list[float], np.ndarray]:
        probabilities, multi = self.ngrams[lang].scores_of_buckets(indexes)
        if lang == "en":
            p_tok, m_tok = self.tokens.scores_many(texts)
            probabilities = [(a + b) / 2 for a, b in zip(probabilities, p_tok, strict=True)]
            multi = (multi + m_tok) / 2
        return probabilities, multi

    def phrase(self, sentence: str, lang: str) -> str:
        """The few consecutive words of a sentence that raise its score most."""
        found = F.word_spans(sentence)
        # Offsets are in the normalised text; they fit the original unless lower-casing
        # changed a length (rare letters), and then the quote is in lower case.
        source = sentence if len(F.normalise(sentence)) == len(sentence) else F.normalise(sentence)
        lo, hi = PHRASE_WORDS
        if len(found) <= hi:
            return sentence
        shares = np.array(self.ngrams[lang].word_shares(sentence, lang))
        if lang == "en":
            shares = shares + np.array(self.tokens.word_shares([w for w, _, _ in found]))
        if len(shares) != len(found):
            return sentence
        best, where = -np.inf, (0, hi)
        for start in range(len(found)):
            for end in range(start + lo, min(start + hi, len(found)) + 1):
                total = float(shares[start:end].sum())
                if total > best:
                    best, where = total, (start, end)
        return source[found[where[0]][1] : found[where[1] - 1][2]]

    def score(self, text: str, lang: str = "en") -> Result:
        lang = lang if lang in self.ngrams else detect_lang(text)
        with self._lock:
            # The text, and each of its sentences long enough to judge alone: the
            # highest score counts (the first of equals).
            parts, indexes = F.ngram_buckets_of_parts(text, lang, SENTENCE_MIN_WORDS)
            probabilities, multi = self._many(parts, indexes, lang)
            best = max(range(len(parts)), key=probabilities.__getitem__)
            best_p, best_m, span = probabilities[best], multi[best], parts[best]
        threshold = float(self.meta["thresholds"][lang])
        abusive = [(best_m[i], lab) for i, lab in enumerate(self.labels) if lab != "clean"]
        label = max(abusive)[1]
        if best_p >= threshold:
            with self._lock:
                span = self.phrase(" ".join(span.split()), lang)
        span = trim_span(span)
        reason = f"{DESCRIPTIONS[label]}: “{span}”" if best_p >= threshold else ""
        return Result(
            score=round(float(best_p), 4),
            label=label if best_p >= threshold else "clean",
            threshold=threshold,
            span=span,
            reason=reason,
            model=self.name,
            details={"lang": lang, "category": label},
        )


@lru_cache(maxsize=1)
def load() -> Classifier:
    """The shipped model, with the per-language thresholds of the settings if Django is
    configured (the scorer and the commands); bare scripts get the model's own."""
    try:
        from django.conf import settings

        configured = settings.configured
    except ImportError:
        configured = False
    if not configured:
        return Classifier()
    from veche.moderation.classifier import conf

    return Classifier(thresholds=conf.language_thresholds())
