"""Text classifiers with the scikit-learn contract, looked up by name.

- ``tfidf``: word and character n-grams, logistic regression (fast, no neural network);
- ``embedding``: frozen all-MiniLM-L6-v2 sentence embeddings, logistic regression;
- ``ensemble``: the two above, probabilities averaged (the default: the most accurate on BANKING77 that
  trains in minutes on two CPU cores; see training/BENCHMARK.md);
- ``finetune``: MiniLM fine-tuned end to end with a classification head (best with a GPU).

Every factory returns a fresh, unfitted estimator; importing this module loads no model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sklearn.base import ClassifierMixin

from triage.errors import UnknownModelTypeError


def _tfidf() -> ClassifierMixin:
    from triage.classifiers.tfidf import TfidfClassifier

    return TfidfClassifier()


def _embedding() -> ClassifierMixin:
    from triage.classifiers.embedding import EmbeddingClassifier
    from triage.classifiers.encoder import SentenceEncoder

    return EmbeddingClassifier(encoder=SentenceEncoder())


def _ensemble() -> ClassifierMixin:
    from triage.classifiers.encoder import SentenceEncoder
    from triage.classifiers.ensemble import EnsembleClassifier

    return EnsembleClassifier(encoder=SentenceEncoder())


def _finetune() -> ClassifierMixin:
    from triage.classifiers.finetune import FineTunedClassifier

    return FineTunedClassifier()


MODEL_TYPES: dict[str, Callable[[], Any]] = {
    "tfidf": _tfidf,
    "embedding": _embedding,
    "ensemble": _ensemble,
    "finetune": _finetune,
}
DEFAULT_MODEL_TYPE = "ensemble"


def make_classifier(name: str) -> ClassifierMixin:
    """A fresh, unfitted classifier of the named type."""
    try:
        factory = MODEL_TYPES[name]
    except KeyError:
        raise UnknownModelTypeError(name, list(MODEL_TYPES)) from None
    return factory()
