"""The transformer's log-odds of each sentence, computed once per test run.

Hundreds of tests ingest the same five sample articles (``seeded``, the app's and the API's
worlds) with the default scorer, whose int8 MiniLM takes about 1.5 s a time for them: some
ten minutes of a suite run went to scoring the same sentences again. The scorer runs each
sentence alone (``OnnxCheckworthiness.batch_size``), so its log-odds are a function of the
model file and the sentence only; ``tests/extract/test_onnx_model.py`` checks that a sentence
scores the same in any batch and document. Outside ``tests/extract`` (which tests the scorer
itself and always runs it), the first run of a sentence is kept and given back after: what a
test sees is exactly what the model said, once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from workbench.extract.onnx_model import OnnxCheckworthiness

_run_model = OnnxCheckworthiness.transformer_logits
# (model file, its size and mtime, sentence) -> log-odds: a test that writes another model
# at the same path does not get the first one's figures.
_seen: dict[tuple[str, int, int, str], float] = {}


def remembered_logits(self: OnnxCheckworthiness, sentences: Sequence[str]) -> list[float]:
    stat = os.stat(self.onnx_path)
    model = (str(self.onnx_path), stat.st_size, stat.st_mtime_ns)
    missing = [s for s in dict.fromkeys(sentences) if (*model, s) not in _seen]
    if missing:
        for sentence, value in zip(missing, _run_model(self, missing), strict=True):
            _seen[(*model, sentence)] = value
    return [_seen[(*model, s)] for s in sentences]
