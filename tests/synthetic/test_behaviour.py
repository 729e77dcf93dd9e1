"""Behavioural checks: plain everyday wording is in-distribution for a model trained on the data."""

from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from synthetic.generator import generate_contacts


@pytest.mark.slow
def test_plain_contacts_are_predicted_confidently() -> None:
    frame = generate_contacts(3000, 7)
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
        LogisticRegression(C=10, solver="saga", max_iter=200, tol=1e-3),
    ).fit(frame["text"], frame["intent"])
    for text, intent in [
        ("My bin was not collected on Tuesday", "missed_bin_collection"),
        ("how do I pay my council tax", "council_tax_payment"),
    ]:
        probabilities = dict(zip(model.classes_, model.predict_proba([text])[0], strict=True))
        best = max(probabilities, key=probabilities.get)
        assert best == intent and probabilities[intent] > 0.5, (text, best, probabilities[best])
