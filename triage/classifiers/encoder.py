"""Frozen sentence embeddings from all-MiniLM-L6-v2, remembered by text so no text is encoded twice."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from triage.classifiers import minilm
from triage.classifiers.threads import limited_threads

DEFAULT_CACHE_SIZE = 50_000


class EmbeddingCache:
    """A thread-safe LRU map from a digest of each text (never the text itself) to its vector."""

    def __init__(self, size: int = DEFAULT_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def lookup(self, texts: Sequence[str], dim: int) -> tuple[np.ndarray, dict[bytes, list[int]]]:
        """Rows for ``texts`` filled from the cache, and the missing texts' keys with the rows they fill."""
        out = np.empty((len(texts), dim), dtype=np.float32)
        missing: dict[bytes, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                key = _digest(text)
                hit = self._items.get(key)
                if hit is None:
                    missing.setdefault(key, []).append(i)
                else:
                    self._items.move_to_end(key)
                    out[i] = hit
        return out, missing

    def store(self, keys: Iterable[bytes], vectors: np.ndarray) -> None:
        if self.size <= 0:
            return
        with self._lock:
            for key, vector in zip(keys, vectors, strict=True):
                self._items[key] = vector
                self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def get_many(self, texts: Sequence[str], dim: int, compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Vectors for ``texts``; only the texts not in the cache (each once) go to ``compute``."""
        out, missing = self.lookup(texts, dim)
        if missing:
            fresh = compute([texts[rows[0]] for rows in missing.values()])
            for rows, vector in zip(missing.values(), fresh, strict=True):
                out[rows] = vector
            self.store(missing.keys(), fresh)
        return out


class SentenceEncoder:
    """Mean-pooled, L2-normalised MiniLM embeddings (what ``sentence-transformers`` gives for this model).

    The weights are frozen, so one encoder can serve several estimators: ``clone`` returns the same
    instance, and an ensemble, its members and the out-of-scope scorer all read one cache. The cache maps
    a digest of each text (not the text) to its embedding, keeps the ``cache_size`` most recent ones and
    is never pickled; neither are the weights, which are re-loaded from the local package on first use.
    """

    def __init__(
        self,
        *,
        batch_size: int = 64,
        max_length: int = 128,
        device: str | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self.cache_size = cache_size
        self._reset()

    def _reset(self) -> None:
        self._model: Any = None
        self._tokenizer: Any = None
        self._device: str | None = None
        self._cache = EmbeddingCache(self.cache_size)
        self._load_lock = threading.Lock()
        self.n_encoded = 0  # texts actually run through the network (the rest came from the cache)

    def __sklearn_clone__(self) -> SentenceEncoder:
        return self

    def __getstate__(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("batch_size", "max_length", "device", "cache_size")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._reset()

    def __repr__(self) -> str:
        return f"SentenceEncoder(batch_size={self.batch_size}, max_length={self.max_length}, device={self.device!r})"

    @property
    def dim(self) -> int:
        return minilm.EMBEDDING_DIM

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One float32 row per text, unit length; cached texts are not encoded again."""
        return self._cache.get_many(texts, self.dim, self._encode)

    def clear_cache(self) -> None:
        self._cache.clear()

    def _load(self) -> None:
        with self._load_lock:
            if self._model is None:
                import torch  # noqa: F401  (fail here, clearly, if torch is missing)

                self._device = minilm.resolve_device(self.device)
                self._tokenizer = minilm.load_tokenizer()
                self._model = minilm.load_encoder().to(self._device).eval()

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        self._load()
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with limited_threads(), torch.inference_mode():
            for rows in minilm.batches_by_length(texts, self.batch_size):
                batch = minilm.tokenize(
                    self._tokenizer, [texts[i] for i in rows], max_length=self.max_length, device=str(self._device)
                )
                pooled = minilm.mean_pool(self._model(**batch).last_hidden_state, batch["attention_mask"])
                out[rows] = torch.nn.functional.normalize(pooled, dim=1).float().cpu().numpy()
        self.n_encoded += len(texts)
        return out


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
