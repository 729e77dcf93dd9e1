"""Out-of-scope detection: does a contact look like anything the model was trained on?

The in-scope score combines two signals that fail differently:

- the classifier's calibrated confidence in its top intent (low when the contact sits between intents);
- the mean cosine similarity of the contact's embedding to the ``n_neighbors`` nearest training contacts
  *of the intent it was assigned* (low when the contact is far from every example of that intent, even if
  the classifier is sure of it; near-duplicates of other intents do not count).

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
    """Intent-conditional nearest-neighbour similarity on embeddings (dense or sparse), combined with confidence.

    ``reference_labels`` given to :meth:`fit` are class indices (columns of the probabilities passed to
    :meth:`score`); a reference sample larger than ``max_reference`` is subsampled, stratified by intent.
    """

    def __init__(
        self, *, n_neighbors: int = 3, confidence_weight: float = 0.4, max_reference: int = 20_000, seed: int = 0
    ) -> None:
        self.n_neighbors = n_neighbors
        self.confidence_weight = confidence_weight
        self.max_reference = max_reference
        self.seed = seed

    def fit(
        self, reference: Any, reference_labels: np.ndarray, *, held_out: Any, held_out_proba: np.ndarray
    ) -> OutOfScopeScorer:
        """``reference``: embeddings of the training contacts, ``reference_labels`` their class indices;
        ``held_out``: embeddings of in-scope contacts not trained on, ``held_out_proba`` their calibrated
        class probabilities.
        """
        if not 0.0 <= self.confidence_weight <= 1.0:
            raise DataError(f"confidence_weight must be between 0 and 1, got {self.confidence_weight}.")
        labels = np.asarray(reference_labels, dtype=int)
        if reference.shape[0] < 1 or held_out.shape[0] < 1:
            raise DataError("The out-of-scope scorer needs training and held-out embeddings.")
        if labels.shape[0] != reference.shape[0]:
            raise DataError(f"{reference.shape[0]} reference embeddings but {labels.shape[0]} labels.")
        keep = np.arange(len(labels))
        if len(keep) > self.max_reference:
            keep = np.sort(np.random.default_rng(self.seed).choice(len(keep), self.max_reference, replace=False))
        keep = keep[np.argsort(labels[keep], kind="stable")]  # each intent's contacts in one block of columns
        reference, labels = _unit_rows(reference[keep]), labels[keep]
        self.n_reference_ = reference.shape[0]
        # Stored transposed (features x contacts), the layout the similarity product needs, computed once.
        self.reference_t_ = reference.T.tocsr() if sparse.issparse(reference) else np.ascontiguousarray(reference.T)
        n_classes = max(int(labels.max()) + 1, np.asarray(held_out_proba).shape[1])
        self.block_starts_ = np.searchsorted(labels, np.arange(n_classes + 1), side="left")
        held_out_proba = np.asarray(held_out_proba, dtype=float)
        self.similarity_reference_ = np.sort(self.similarity(held_out, held_out_proba.argmax(axis=1)))
        self.confidence_reference_ = np.sort(held_out_proba.max(axis=1))
        return self

    def similarity(self, embeddings: Any, predicted: np.ndarray) -> np.ndarray:
        """Mean cosine similarity to the nearest training contacts of each row's ``predicted`` class index.

        A class with no training contacts in the reference gives similarity -1 (as unlike as possible).
        """
        check_is_fitted(self, "reference_t_")
        predicted = np.asarray(predicted, dtype=int)
        with limited_threads():
            return self._similarity(_unit_rows(embeddings), predicted)

    def _similarity(self, embeddings: Any, predicted: np.ndarray) -> np.ndarray:
        block_starts, n_neighbors = self.block_starts_, self.n_neighbors
        if getattr(self, "global_neighbours_", False):
            predicted, n_neighbors = np.zeros_like(predicted), self.n_neighbors_
        out = np.full(embeddings.shape[0], -1.0)
        for start in range(0, embeddings.shape[0], _CHUNK):
            sims = embeddings[start : start + _CHUNK] @ self.reference_t_
            sims = sims.toarray() if sparse.issparse(sims) else np.asarray(sims)
            chunk_predicted = predicted[start : start + _CHUNK]
            for label in np.unique(chunk_predicted):
                begin, end = block_starts[label], block_starts[label + 1]
                if end <= begin:
                    continue
                rows = np.flatnonzero(chunk_predicted == label)
                block = sims[rows, begin:end]
                k = min(n_neighbors, end - begin)
                nearest = np.partition(block, block.shape[1] - k, axis=1)[:, -k:]
                out[start + rows] = nearest.mean(axis=1)
        return out

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickle, upgrading a scorer saved before similarity was per intent: it keeps using every training
        contact as a neighbour, as it did when it was fitted and its threshold was set."""
        if "reference_" in state and "reference_t_" not in state:
            reference = state.pop("reference_")
            state["reference_t_"] = (
                reference.T.tocsr() if sparse.issparse(reference) else np.ascontiguousarray(reference.T)
            )
            state.setdefault("n_reference_", reference.shape[0])
        if "reference_t_" in state and "block_starts_" not in state:
            state["block_starts_"] = np.array([0, state["reference_t_"].shape[1]])
            state["global_neighbours_"] = True
        super().__setstate__(state)

    def signals(self, embeddings: Any, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The two signals as percentiles among held-out in-scope contacts: (confidence, similarity)."""
        check_is_fitted(self, "reference_t_")
        proba = np.asarray(proba, dtype=float)
        similarity = _percentile(self.similarity_reference_, self.similarity(embeddings, proba.argmax(axis=1)))
        certainty = _percentile(self.confidence_reference_, proba.max(axis=1))
        return certainty, similarity

    def combine(self, certainty: np.ndarray, similarity: np.ndarray) -> np.ndarray:
        return self.confidence_weight * certainty + (1.0 - self.confidence_weight) * similarity

    def score(self, embeddings: Any, proba: np.ndarray) -> np.ndarray:
        """In-scope score in [0, 1]: higher means more like the contacts the model was trained on.

        ``proba``: the calibrated class probabilities of the same rows (the top one is the assigned intent).
        """
        return self.combine(*self.signals(embeddings, proba))


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
