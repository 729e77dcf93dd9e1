"""Out-of-scope detection: does a contact look like anything the model was trained on?

The in-scope score combines two signals that fail differently:

- the classifier's calibrated confidence in its top intent (low when the contact sits between intents);
- the mean cosine similarity of the contact's embedding to its ``n_neighbors`` nearest training contacts
  (low when the contact is far from all of them, even if the classifier is sure of an intent).

Each signal is turned into its percentile among held-out in-scope contacts, so the two are on one scale,
and the percentiles are averaged (weight ``confidence_weight`` on the confidence). The score is in [0, 1];
a threshold on it (set by training so that a stated share of in-scope held-out contacts pass) lives in the
policy as ``PolicyConfig.out_of_scope_threshold``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from triage.classifiers.threads import limited_threads
from triage.errors import DataError

_CHUNK = 1024


class OutOfScopeScorer(BaseEstimator):
    """k-nearest-neighbour similarity on embeddings (dense or sparse) combined with confidence."""

    def __init__(
        self, *, n_neighbors: int = 5, confidence_weight: float = 0.5, max_reference: int = 20_000, seed: int = 0
    ) -> None:
        self.n_neighbors = n_neighbors
        self.confidence_weight = confidence_weight
        self.max_reference = max_reference
        self.seed = seed

    def fit(self, reference: Any, *, held_out: Any, held_out_confidence: np.ndarray) -> OutOfScopeScorer:
        """``reference``: embeddings of the training contacts; ``held_out``: of in-scope contacts not trained on.

        ``held_out_confidence`` is the calibrated top-intent confidence of the held-out contacts.
        """
        if not 0.0 <= self.confidence_weight <= 1.0:
            raise DataError(f"confidence_weight must be between 0 and 1, got {self.confidence_weight}.")
        n_reference = reference.shape[0]
        if n_reference < 1 or held_out.shape[0] < 1:
            raise DataError("The out-of-scope scorer needs training and held-out embeddings.")
        if n_reference > self.max_reference:
            keep = np.sort(np.random.default_rng(self.seed).choice(n_reference, self.max_reference, replace=False))
            reference = reference[keep]
        reference = _unit_rows(reference)
        self.n_reference_ = reference.shape[0]
        # Stored transposed (features x contacts), the layout the similarity product needs, computed once.
        self.reference_t_ = reference.T.tocsr() if sparse.issparse(reference) else np.ascontiguousarray(reference.T)
        self.n_neighbors_ = max(1, min(self.n_neighbors, self.n_reference_))
        self.similarity_reference_ = np.sort(self.similarity(held_out))
        self.confidence_reference_ = np.sort(np.asarray(held_out_confidence, dtype=float))
        return self

    def similarity(self, embeddings: Any) -> np.ndarray:
        """Mean cosine similarity to the nearest training contacts, one value per row."""
        check_is_fitted(self, "reference_t_")
        with limited_threads():
            return self._similarity(_unit_rows(embeddings))

    def _similarity(self, embeddings: Any) -> np.ndarray:
        k = self.n_neighbors_
        out = np.empty(embeddings.shape[0], dtype=float)
        for start in range(0, embeddings.shape[0], _CHUNK):
            sims = embeddings[start : start + _CHUNK] @ self.reference_t_
            sims = sims.toarray() if sparse.issparse(sims) else np.asarray(sims)
            nearest = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
            out[start : start + _CHUNK] = nearest.mean(axis=1)
        return out

    def score(self, embeddings: Any, confidence: np.ndarray) -> np.ndarray:
        """In-scope score in [0, 1]: higher means more like the contacts the model was trained on."""
        check_is_fitted(self, "reference_t_")
        similarity = _percentile(self.similarity_reference_, self.similarity(embeddings))
        certainty = _percentile(self.confidence_reference_, np.asarray(confidence, dtype=float))
        return self.confidence_weight * certainty + (1.0 - self.confidence_weight) * similarity


def _percentile(sorted_reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Share of the reference values at or below each value (the empirical CDF)."""
    return np.searchsorted(sorted_reference, values, side="right") / len(sorted_reference)


def _unit_rows(matrix: Any) -> Any:
    if sparse.issparse(matrix):
        matrix = sparse.csr_matrix(matrix, dtype=np.float32)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        return (sparse.diags(1.0 / np.clip(norms, 1e-12, None)) @ matrix).tocsr()
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.clip(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12, None)
