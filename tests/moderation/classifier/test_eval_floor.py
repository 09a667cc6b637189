"""The shipped model: figures on the held-out set stay above the floor measured when it
was built, and it runs without any build-time package (torch, scikit-learn, scipy)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from veche.moderation.management.commands.moderation_eval import evaluate

DATA = Path(__file__).resolve().parents[1] / "data"
# Measured on heldout.jsonl with the shipped model, classifier only (see data/README.md),
# minus 0.03: a retrained model that falls below this is worse, not just different.
HELDOUT_F1_FLOOR = {"all": 0.898 - 0.03, "en": 0.912 - 0.03, "ru": 0.881 - 0.03}


def test_heldout_figures_stay_above_the_measured_floor():
    rows = [json.loads(x) for x in (DATA / "heldout.jsonl").open(encoding="utf-8")]
    result = evaluate(rows, light=False)
    assert result["overall"]["f1"] >= HELDOUT_F1_FLOOR["all"], result["overall"]
    for lang in ("en", "ru"):
        assert result["per_lang"][lang]["f1"] >= HELDOUT_F1_FLOOR[lang], result["per_lang"]
    assert result["per_label"]["clean"]["held"] <= 4  # of 60; 4 when measured (round 3)


BLOCK_BUILD_PACKAGES = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"torch", "sklearn", "scipy", "model2vec",
                                  "sentence_transformers", "transformers"}:
            raise ImportError("blocked build-time package: " + name)
sys.meta_path.insert(0, Block())
from veche.moderation.classifier.model import Classifier
r = Classifier().score("They should all be strung up on lampposts, every one of them.", "en")
print(r.score >= r.threshold, r.label, "torch" in sys.modules)
"""


def test_shipped_model_loads_and_scores_without_build_time_packages():
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", BLOCK_BUILD_PACKAGES], capture_output=True, text=True,
        timeout=100, check=True,
    ).stdout.split()
    assert out == ["True", "violent", "False"]
