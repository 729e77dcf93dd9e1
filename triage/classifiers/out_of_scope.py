"""Out-of-scope detection: does a contact look like anything the model was trained on?

The in-scope score combines signals that fail differently:

- the classifier's calibrated confidence in its top intent (low when the contact sits between intents);
- the mean cosine similarity of the contact's embedding to the ``n_neighbors`` nearest training contacts
  *of the intent it was assigned* (low when the contact is far from every example of that intent, even if
  the classifier is sure of it; near-duplicates of other intents do not count);
- the cosine similarity to the centroid of the assigned intent's training contacts (low when the contact is
  off the intent's centre, even if it happens to sit close to one or two odd training examples).

Each signal is turned into its percentile among held-out in-scope contacts, so they are on one scale, and
the percentiles are averaged with weights ``confidence_weight``, ``centroid_weight`` and the rest on the
nearest-contact similarity. The default weights use confidence and nearest contacts only; training picks
other weights when it has examples of out-of-scope contacts to choose them with. The score is in [0, 1];
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
        self,
        *,
        n_neighbors: int = 3,
        confidence_weight: float = 0.4,
        centroid_weight: float = 0.0,
        max_reference: int = 20_000,
        seed: int = 0,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.confidence_weight = confidence_weight
        self.centroid_weight = centroid_weight
        self.max_reference = max_reference
        self.seed = seed

    def fit(
        self, reference: Any, reference_labels: np.ndarray, *, held_out: Any, held_out_proba: np.ndarray
    ) -> OutOfScopeScorer:
        """``reference``: embeddings of the training contacts, ``reference_labels`` their class indices;
        ``held_out``: embeddings of in-scope contacts not trained on, ``held_out_proba`` their calibrated
        class probabilities.
        """
        self._check_weights()
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
        self.centroids_ = _intent_centroids(reference, self.block_starts_)
        held_out_proba = np.asarray(held_out_proba, dtype=float)
        predicted = held_out_proba.argmax(axis=1)
        self.similarity_reference_ = np.sort(self.similarity(held_out, predicted))
        self.centroid_reference_ = np.sort(self.centroid_similarity(held_out, predicted))
        self.confidence_reference_ = np.sort(held_out_proba.max(axis=1))
        return self

    def _check_weights(self) -> None:
        weights = {"confidence_weight": self.confidence_weight, "centroid_weight": self.centroid_weight}
        for name, weight in weights.items():
            if not 0.0 <= weight <= 1.0:
                raise DataError(f"{name} must be between 0 and 1, got {weight}.")
        if sum(weights.values()) > 1.0 + 1e-9:
            raise DataError(
                f"confidence_weight + centroid_weight must be at most 1 (the rest weighs nearest-contact "
                f"similarity), got {self.confidence_weight} + {self.centroid_weight}."
            )

    def centroid_similarity(self, embeddings: Any, predicted: np.ndarray) -> np.ndarray:
        """Cosine similarity to the centroid of each row's ``predicted`` class index (-1 for a class with no
        training contacts; 0 for every row of a scorer fitted before centroids were kept)."""
        check_is_fitted(self, "reference_t_")
        if not hasattr(self, "centroids_"):
            return np.zeros(embeddings.shape[0])
        predicted = np.asarray(predicted, dtype=int)
        out = np.full(embeddings.shape[0], -1.0)
        has_centroid = self.block_starts_[predicted + 1] > self.block_starts_[predicted]
        rows = np.flatnonzero(has_centroid)
        with limited_threads():
            for start in range(0, len(rows), _CHUNK):
                chunk = rows[start : start + _CHUNK]
                unit = _unit_rows(embeddings[chunk])
                centroids = self.centroids_[predicted[chunk]]
                products = unit.multiply(centroids) if sparse.issparse(unit) else unit * centroids
                out[chunk] = np.asarray(products.sum(axis=1)).ravel()
        return out

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
        state.setdefault("centroid_weight", 0.0)  # fitted before the centroid signal: it never weighed it
        super().__setstate__(state)

    def signals(
        self, embeddings: Any, proba: np.ndarray, *, with_centroid: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The signals as percentiles among held-out in-scope contacts: (confidence, nearest-contact
        similarity, centroid similarity); the last is zeros when not ``with_centroid``."""
        check_is_fitted(self, "reference_t_")
        proba = np.asarray(proba, dtype=float)
        predicted = proba.argmax(axis=1)
        similarity = _percentile(self.similarity_reference_, self.similarity(embeddings, predicted))
        certainty = _percentile(self.confidence_reference_, proba.max(axis=1))
        centroid = np.zeros(len(predicted))
        if with_centroid and hasattr(self, "centroid_reference_"):
            centroid = _percentile(self.centroid_reference_, self.centroid_similarity(embeddings, predicted))
        return certainty, similarity, centroid

    def combine(self, certainty: np.ndarray, similarity: np.ndarray, centroid: np.ndarray) -> np.ndarray:
        """The weighted mean of the three signal percentiles."""
        self._check_weights()
        neighbour_weight = 1.0 - self.confidence_weight - self.centroid_weight
        return self.confidence_weight * certainty + self.centroid_weight * centroid + neighbour_weight * similarity

    def score(self, embeddings: Any, proba: np.ndarray) -> np.ndarray:
        """In-scope score in [0, 1]: higher means more like the contacts the model was trained on.

        ``proba``: the calibrated class probabilities of the same rows (the top one is the assigned intent).
        """
        return self.combine(*self.signals(embeddings, proba, with_centroid=self.centroid_weight > 0))


def _percentile(sorted_reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Share of the reference values at or below each value (the empirical CDF)."""
    return np.searchsorted(sorted_reference, values, side="right") / len(sorted_reference)


def _intent_centroids(unit_reference: Any, block_starts: np.ndarray) -> Any:
    """Unit-length mean of each class's block of unit reference rows (an empty row for a class with none);
    sparse when the reference is, so a large vocabulary costs only its used terms."""
    counts = np.diff(block_starts)
    labels = np.repeat(np.arange(len(counts)), counts)
    averaging = sparse.csr_matrix(
        (1.0 / counts[labels], (labels, np.arange(len(labels)))), shape=(len(counts), unit_reference.shape[0])
    )
    return _unit_rows(averaging @ unit_reference)


def _unit_rows(matrix: Any) -> Any:
    if sparse.issparse(matrix):
        matrix = sparse.csr_matrix(matrix, dtype=np.float32)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        return (sparse.diags(1.0 / np.clip(norms, 1e-12, None)) @ matrix).tocsr()
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.clip(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12, None)
