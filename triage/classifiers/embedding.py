"""Frozen all-MiniLM-L6-v2 sentence embeddings feeding a logistic regression."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from triage.classifiers.base import as_text_list
from triage.classifiers.encoder import SentenceEncoder
from triage.classifiers.threads import limited_threads


class EmbeddingClassifier(ClassifierMixin, BaseEstimator):
    """Sentence embeddings (384 numbers per text) and a multinomial logistic regression on them.

    ``encoder`` is the embedding source; ``None`` builds a :class:`SentenceEncoder` at fit time. Passing
    one shares it (and its cache) with other estimators, or injects a test double.
    """

    def __init__(self, *, C: float = 10.0, max_iter: int = 3000, encoder: SentenceEncoder | None = None) -> None:
        self.C = C
        self.max_iter = max_iter
        self.encoder = encoder

    def fit(self, X: Iterable[str], y: Iterable[str]) -> EmbeddingClassifier:
        texts = as_text_list(X)
        self.encoder_ = self.encoder if self.encoder is not None else SentenceEncoder()
        self.logreg_ = LogisticRegression(C=self.C, max_iter=self.max_iter)
        self.logreg_.fit(self.encoder_.encode(texts), np.asarray(list(y)))
        self.classes_ = self.logreg_.classes_
        return self

    def embed(self, X: Iterable[str]) -> np.ndarray:
        """Unit-length sentence embeddings (what the out-of-scope scorer measures distances on)."""
        check_is_fitted(self)
        return self.encoder_.encode(as_text_list(X))

    def predict_proba_from_embeddings(self, embeddings: np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        with limited_threads():
            return self.logreg_.predict_proba(embeddings)

    def decision_function(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self)
        embeddings = self.embed(X)
        with limited_threads():
            return self.logreg_.decision_function(embeddings)

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self)
        return self.predict_proba_from_embeddings(self.embed(X))

    def predict(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
