"""How hard the data is: the TF-IDF baseline's accuracy on held-out families, next to a dummy baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier

from triage.classifiers.tfidf import TfidfClassifier
from triage.errors import DataError


def baseline_accuracy(train_df: pd.DataFrame, test_df: pd.DataFrame) -> dict[str, float | int]:
    """Fit word 1-2-gram + char_wb 2-5-gram TF-IDF with logistic regression on ``train_df``; score ``test_df``."""
    if train_df.empty or test_df.empty:
        raise DataError("The baseline needs non-empty train and test splits. Generate more contacts.")
    if train_df["intent"].nunique() < 2:
        raise DataError("The baseline needs at least two intents in the training split.")
    model = TfidfClassifier().fit(train_df["text"].tolist(), train_df["intent"].tolist())
    truth = test_df["intent"].to_numpy()
    predicted = model.predict(test_df["text"].tolist())
    dummy = DummyClassifier(strategy="most_frequent").fit(train_df[["text"]], train_df["intent"])
    return {
        "accuracy": round(float(np.mean(predicted == truth)), 4),
        "dummy_accuracy": round(float(np.mean(dummy.predict(test_df[["text"]]) == truth)), 4),
        "n_train": len(train_df),
        "n_test": len(test_df),
    }
