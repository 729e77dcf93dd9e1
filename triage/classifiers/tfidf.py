"""TF-IDF (word and character n-grams) + logistic regression: fast, strong, fully offline."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from triage.classifiers.base import as_text_list
from triage.classifiers.threads import limited_threads


class TfidfClassifier(ClassifierMixin, BaseEstimator):
    """Word 1-2-grams plus character 2-5-grams (within word boundaries) feeding a logistic regression.

    Follows the scikit-learn estimator contract: hyper-parameters in ``__init__``, learned
    state in attributes ending with ``_``.
    """

    def __init__(
        self,
        *,
        C: float = 10.0,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 1,
        max_iter: int = 2000,
        class_weight: str | None = None,
    ) -> None:
        self.C = C
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_iter = max_iter
        self.class_weight = class_weight

    def fit(self, X: Iterable[str], y: Iterable[str]) -> TfidfClassifier:
        texts = as_text_list(X)
        labels = np.asarray(list(y))
        self.word_vectorizer_ = TfidfVectorizer(
            analyzer="word", ngram_range=self.word_ngram_range, min_df=self.min_df, sublinear_tf=True
        )
        self.char_vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=self.char_ngram_range, min_df=self.min_df, sublinear_tf=True
        )
        features = self._stack(self.word_vectorizer_.fit_transform(texts), self.char_vectorizer_.fit_transform(texts))
        self.logreg_ = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight=self.class_weight)
        self.logreg_.fit(features, labels)
        self.classes_ = self.logreg_.classes_
        return self

    def _features(self, X: Iterable[str]) -> sparse.csr_matrix:
        texts = as_text_list(X)
        return self._stack(self.word_vectorizer_.transform(texts), self.char_vectorizer_.transform(texts))

    @staticmethod
    def _stack(word: sparse.spmatrix, char: sparse.spmatrix) -> sparse.csr_matrix:
        return sparse.hstack([word, char], format="csr")

    def embed(self, X: Iterable[str]) -> sparse.csr_matrix:
        """Unit-length TF-IDF vectors (word and character parts weigh equally), for distance-based scores."""
        check_is_fitted(self)
        return self._features(X) * (1.0 / np.sqrt(2.0))

    def decision_function(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self)
        with limited_threads():
            return self.logreg_.decision_function(self._features(X))

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self)
        with limited_threads():
            return self.logreg_.predict_proba(self._features(X))

    def predict(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def vocabulary(self) -> set[str]:
        """The word vocabulary seen in training (for out-of-vocabulary monitoring)."""
        check_is_fitted(self)
        return {term for term in self.word_vectorizer_.vocabulary_ if " " not in term}
