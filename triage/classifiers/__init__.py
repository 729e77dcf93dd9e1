"""Text classifiers with the scikit-learn contract, looked up by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sklearn.base import ClassifierMixin

from triage.errors import UnknownModelTypeError


def _tfidf() -> ClassifierMixin:
    from triage.classifiers.tfidf import TfidfClassifier

    return TfidfClassifier()


MODEL_TYPES: dict[str, Callable[[], Any]] = {"tfidf": _tfidf}
DEFAULT_MODEL_TYPE = "tfidf"


def make_classifier(name: str) -> ClassifierMixin:
    """A fresh, unfitted classifier of the named type."""
    try:
        factory = MODEL_TYPES[name]
    except KeyError:
        raise UnknownModelTypeError(name, list(MODEL_TYPES)) from None
    return factory()
