"""Helpers shared by the classifiers."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from triage.errors import DataError


def as_text_list(X: Iterable[str]) -> list[str]:
    """Accept a list, array, Series or single-column frame of strings; refuse anything else."""
    if isinstance(X, str):
        raise DataError("Expected a sequence of texts, got one string. Wrap it in a list.")
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise DataError(f"Expected one text column, got {X.shape[1]} columns. Select the text column.")
        X = X.iloc[:, 0]
    texts = list(np.asarray(list(X), dtype=object).ravel())
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise DataError(f"Texts must be strings; row {bad[0]} is {type(texts[bad[0]]).__name__}.")
    return texts
