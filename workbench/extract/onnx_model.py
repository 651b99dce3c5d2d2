"""The default check-worthiness scorer: fine-tuned MiniLM-L6 as int8 ONNX, cascaded behind linear@1.

Why this shape:

- **No torch at run time.** minilm@2 (``workbench.extract.minilm``) needs torch and the base
  model's package. Here the whole encoder (embeddings, six layers, mean pooling, head) is one
  ONNX graph with int8 weights (``scripts/train_onnx.py`` writes it), run with onnxruntime;
  the WordPiece tokenizer is all-MiniLM-L6-v2's ``tokenizer.json`` read with ``tokenizers``.
  Both files ship under ``workbench/extract/models``; nothing is downloaded.
- **Blended with linear@1.** The score is ``sigmoid(alpha * minilm + (1 - alpha) * linear)``
  on log-odds, with the shipped ``checkworthy_linear.npz`` as the linear part; ``alpha``, the
  threshold and everything else were chosen by cross-validation grouped by debate (a new
  debate's conditions), not on CT24 dev, whose debates are train's.
- **Cascade.** The linear model is ~50 times faster than the transformer, and most sentences
  of a document are plainly not claims. A sentence whose linear probability is below
  ``cascade_linear_threshold`` (chosen out of fold so that the full model would have kept at
  most 1% of the true claims among them) is never shown to the transformer; its score is its
  linear probability scaled to stay below the threshold, so it is dropped and still ranks
  by the linear model. ``cascade=False`` scores every sentence with the full model.

The metadata (format, threshold, blend weight, pre-threshold, the sha256 of the ONNX,
tokenizer and linear files it was built with) is a JSON file beside the ONNX file
(``<stem>.json``); a file that does not match its metadata is refused at load rather than
scoring silently with the wrong weights.

An onnxruntime session cannot be pickled and should not cross a fork: the scorer pickles as
its load arguments (a worker process loads it once, through ``scorers.load_scorer``'s cache),
and a forked process opens its own session on first use.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import numpy as np

from workbench.config import Settings, get_settings
from workbench.extract.linear_model import LinearCheckworthiness

FORMAT = "workbench-onnx-checkworthiness"
FORMAT_VERSION = 1
NAME = "minilm-onnx@4"
DEFAULT_FILE = "minilm_checkworthy.int8.onnx"
TOKENIZER_FILE = "minilm_tokenizer.json"
#: onnxruntime threads per session. One: the ingest runs one session per worker process, and
#: on a shared machine more threads mostly spin. The ``onnx_threads`` setting
#: (``WORKBENCH_ONNX_THREADS``, workbench/config.py) overrides it.
DEFAULT_THREADS: int = Settings.model_fields["onnx_threads"].default


class OnnxUnavailable(ImportError):
    """onnxruntime or tokenizers is not installed."""


def models_dir() -> Path:
    with as_file(files("workbench") / "extract" / "models") as folder:
        return Path(folder)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _threads() -> int:
    """The ``onnx_threads`` setting (``WORKBENCH_ONNX_THREADS``; :class:`SettingsError`, a
    ``ValueError``, when it is not a whole number >= 1)."""
    return get_settings().onnx_threads


def read_metadata(onnx_path: Path) -> dict[str, Any]:
    """The JSON beside ``onnx_path``, checked for format and required fields."""
    meta_path = onnx_path.with_suffix(".json")
    try:
        body = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"{meta_path}: no metadata file beside the model") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{meta_path}:{exc.lineno}: not JSON: {exc.msg}") from exc
    if not isinstance(body, dict):
        raise ValueError(f"{meta_path}: expected a JSON object")
    if body.get("format") != FORMAT or body.get("version") != FORMAT_VERSION:
        raise ValueError(f"{meta_path}: not a {FORMAT} v{FORMAT_VERSION} file")
    for field, kind in (
        ("name", str),
        ("threshold", float),
        ("max_len", int),
        ("blend_alpha", float),
        ("cascade_linear_threshold", float),
        ("linear_file", str),
    ):
        value = body.get(field)
        if value is None or (kind is float and not isinstance(value, int | float)):
            raise ValueError(f"{meta_path}: field {field!r} missing or not a number")
        if kind is not float and not isinstance(value, kind):
            raise ValueError(f"{meta_path}: field {field!r} must be a {kind.__name__}")
    if not 0.0 <= float(body["blend_alpha"]) <= 1.0:
        raise ValueError(f"{meta_path}: field 'blend_alpha' must be within [0, 1]")
    if not 0.0 < float(body["threshold"]) < 1.0:
        raise ValueError(f"{meta_path}: field 'threshold' must be within (0, 1)")
    return body


class OnnxCheckworthiness:
    """Probability that a sentence is check-worthy: int8 ONNX MiniLM blended with linear@1."""

    #: Sentences per ONNX run. One: int8 dynamic quantisation scales each layer's activations
    #: by the largest value in the whole batch, so in a batch a sentence's score would depend
    #: on its neighbours (by ~1e-4). Alone, a sentence always gets the same score, in any
    #: document, in ``explain`` as in ``extract``. Batches of 8 would be 25% faster (434 against
    #: 348 sentences per CPU-second on dev-test).
    batch_size = 1

    def __init__(
        self,
        *,
        onnx_path: Path,
        meta: dict[str, Any],
        tokenizer: Any,
        linear: LinearCheckworthiness,
        cascade: bool = True,
        threads: int = DEFAULT_THREADS,
        load_args: tuple[Any, ...] = (),
    ) -> None:
        self.name = str(meta["name"])
        self.threshold = float(meta["threshold"])
        self.metadata = meta
        self.max_len = int(meta["max_len"])
        self.blend_alpha = float(meta["blend_alpha"])
        self.cascade_threshold = float(meta["cascade_linear_threshold"])
        self.cascade = cascade
        self.threads = threads
        self.onnx_path = onnx_path
        self.linear = linear
        self._tokenizer = tokenizer
        self._load_args = load_args
        self._session: Any = None
        self._session_pid = -1
        self.session()  # open now: a broken file fails at load, not at the first document

    @classmethod
    def load(
        cls,
        path: Path | None = None,
        *,
        cascade: bool = True,
        threads: int | None = None,
        onnx_path: Path | None = None,
    ) -> OnnxCheckworthiness:
        """The model at ``path`` (default: the shipped file) with its metadata, tokenizer and
        linear part from the same folder. ``onnx_path`` runs another graph with the same
        metadata (the training script compares float32 and int8 this way)."""
        try:
            import onnxruntime  # noqa: F401
            import tokenizers  # noqa: F401
        except ImportError as exc:
            raise OnnxUnavailable(
                f"the onnx scorer needs onnxruntime and tokenizers: {exc}"
            ) from exc
        from tokenizers import Tokenizer

        load_args = (path, cascade, threads, onnx_path)
        path = Path(path) if path is not None else models_dir() / DEFAULT_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such model file")
        meta = read_metadata(path)
        graph = Path(onnx_path) if onnx_path is not None else path
        expected = meta.get("onnx_sha256")
        if onnx_path is None and expected is not None and _sha256(path) != expected:
            raise ValueError(
                f"{path}: the file does not match its metadata (sha256 differs): "
                "damaged or replaced; rebuild it with scripts/train_onnx.py"
            )
        folder = path.parent
        tokenizer_path = folder / str(meta.get("tokenizer_file", TOKENIZER_FILE))
        if not tokenizer_path.is_file():
            raise FileNotFoundError(f"{tokenizer_path}: no tokenizer file beside the model")
        try:
            tokenizer = Tokenizer.from_file(str(tokenizer_path))
        except Exception as exc:  # tokenizers raises its own Exception subclass
            raise ValueError(f"{tokenizer_path}: not a tokenizers file: {exc}") from exc
        tokenizer.enable_truncation(max_length=int(meta["max_len"]))
        # The shipped tokenizer.json pads every sentence to 128; padding to the longest of the
        # batch gives the same scores (padding is masked out) for a fraction of the work.
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        linear_path = folder / str(meta["linear_file"])
        if not linear_path.is_file():
            raise FileNotFoundError(f"{linear_path}: no linear model beside the ONNX model")
        linear_sha = meta.get("linear_sha256")
        if linear_sha is not None and _sha256(linear_path) != linear_sha:
            raise ValueError(
                f"{linear_path}: not the linear model {path.name} was trained with (sha256 differs)"
            )
        linear = LinearCheckworthiness.load(linear_path)
        return cls(
            onnx_path=graph,
            meta=meta,
            tokenizer=tokenizer,
            linear=linear,
            cascade=cascade,
            threads=threads if threads is not None else _threads(),
            load_args=load_args,
        )

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickled (to a spawned worker) as how to load it, never as a session.
        return (_reload, self._load_args)

    def session(self) -> Any:
        """The onnxruntime session of this process (a forked child opens its own)."""
        if self._session is None or self._session_pid != os.getpid():
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.log_severity_level = 3  # no warnings on stderr about unused initialisers
            try:
                self._session = ort.InferenceSession(
                    str(self.onnx_path), options, providers=["CPUExecutionProvider"]
                )
            except Exception as exc:  # onnxruntime raises its own exception types
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc)
                raise ValueError(f"{self.onnx_path}: not a loadable ONNX model: {first}") from exc
            self._session_pid = os.getpid()
        return self._session

    def transformer_logits(self, sentences: Sequence[str]) -> list[float]:
        """The MiniLM log-odds alone, in input order."""
        out = [0.0] * len(sentences)
        session = self.session()
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            encodings = self._tokenizer.encode_batch([sentences[i] for i in chunk])
            ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
            mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
            (values,) = session.run(["logits"], {"input_ids": ids, "attention_mask": mask})
            for i, value in zip(chunk, np.asarray(values).reshape(-1).tolist(), strict=True):
                out[i] = float(value)
        return out

    def score_many(self, sentences: Sequence[str]) -> list[float]:
        """Probabilities in [0, 1] that each sentence is check-worthy."""
        if not sentences:
            return []
        lz = np.asarray(self.linear.decisions(sentences), dtype=np.float64)
        lp = 1.0 / (1.0 + np.exp(-lz))
        if self.cascade:
            run = np.flatnonzero(lp >= self.cascade_threshold)
        else:
            run = np.arange(len(sentences))
        # Below the pre-threshold: the linear probability, scaled under the threshold so the
        # sentence is dropped and still ranks by the linear model.
        out = lp * (self.threshold / self.cascade_threshold)
        out = np.minimum(out, math.nextafter(self.threshold, 0.0))
        if len(run):
            z = np.asarray(self.transformer_logits([sentences[int(i)] for i in run]))
            a = self.blend_alpha
            out[run] = 1.0 / (1.0 + np.exp(-(a * z + (1.0 - a) * lz[run])))
        return [float(v) for v in out]

    def score(self, sentence: str) -> float:
        return self.score_many([sentence])[0]


def _reload(
    path: Path | None, cascade: bool, threads: int | None, onnx_path: Path | None
) -> OnnxCheckworthiness:
    return OnnxCheckworthiness.load(path, cascade=cascade, threads=threads, onnx_path=onnx_path)
