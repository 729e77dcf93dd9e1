"""MiniLM embeddings + logistic regression and TF-IDF + logistic regression, their probabilities averaged."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from triage.classifiers.base import as_text_list
from triage.classifiers.embedding import EmbeddingClassifier
from triage.classifiers.encoder import SentenceEncoder
from triage.classifiers.tfidf import TfidfClassifier
from triage.classifiers.threads import limited_threads
from triage.errors import DataError

COMBINE = ("geometric", "mean")
_EPS = 1e-12


class EnsembleClassifier(ClassifierMixin, BaseEstimator):
    """Two models that make different mistakes: one reads meaning (embeddings), one reads words (TF-IDF).

    ``combine="geometric"`` averages log-probabilities (weighted; renormalised), ``"mean"`` averages the
    probabilities. ``tfidf_weight`` is the TF-IDF model's share. On BANKING77 the geometric average with
    ``tfidf_weight=0.4`` was the most accurate (see training/BENCHMARK.md). The embeddings are computed
    once per text and shared with :meth:`embed` (the out-of-scope scorer).
    """

    def __init__(
        self,
        *,
        tfidf_weight: float = 0.4,
        combine: str = "geometric",
        C_embedding: float = 10.0,
        C_tfidf: float = 10.0,
        encoder: SentenceEncoder | None = None,
    ) -> None:
        self.tfidf_weight = tfidf_weight
        self.combine = combine
        self.C_embedding = C_embedding
        self.C_tfidf = C_tfidf
        self.encoder = encoder

    def fit(self, X: Iterable[str], y: Iterable[str]) -> EnsembleClassifier:
        if self.combine not in COMBINE:
            raise DataError(f"combine must be one of {', '.join(COMBINE)}, got {self.combine!r}.")
        if not 0.0 <= self.tfidf_weight <= 1.0:
            raise DataError(f"tfidf_weight must be between 0 and 1, got {self.tfidf_weight}.")
        texts = as_text_list(X)
        labels = np.asarray(list(y))
        self.encoder_ = self.encoder if self.encoder is not None else SentenceEncoder()
        self.embedding_ = EmbeddingClassifier(C=self.C_embedding, encoder=self.encoder_).fit(texts, labels)
        self.tfidf_ = TfidfClassifier(C=self.C_tfidf).fit(texts, labels)
        if not np.array_equal(self.embedding_.classes_, self.tfidf_.classes_):  # pragma: no cover - same labels
            raise DataError("The ensemble members learned different classes.")
        self.classes_ = self.embedding_.classes_
        return self

    def embed(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self)
        return self.embedding_.embed(X)

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self)
        texts = as_text_list(X)
        with limited_threads():
            return self.combine_proba(self.embedding_.predict_proba(texts), self.tfidf_.predict_proba(texts))

    def combine_proba(self, embedding_proba: np.ndarray, tfidf_proba: np.ndarray) -> np.ndarray:
        w = self.tfidf_weight
        if self.combine == "mean":
            return (1.0 - w) * embedding_proba + w * tfidf_proba
        logits = (1.0 - w) * np.log(np.clip(embedding_proba, _EPS, 1.0)) + w * np.log(np.clip(tfidf_proba, _EPS, 1.0))
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def vocabulary(self) -> set[str]:
        check_is_fitted(self)
        return self.tfidf_.vocabulary()
