"""Train, validation and test splits that hold out whole phrasing families, and a leakage check.

A model that has seen one way of asking is tested on ways it has never seen: per intent, whole
families go to validation and test. Any text that, after normalisation (lower case, punctuation
removed, whitespace collapsed), already appears in an earlier split is dropped from the later one.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping

import pandas as pd

from triage.errors import DataError

SPLITS = ("train", "validation", "test")
_PUNCT = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower case, punctuation stripped, whitespace collapsed."""
    return _SPACE.sub(" ", _PUNCT.sub(" ", str(text).lower())).strip()


def _check(df: pd.DataFrame, validation: float, test: float) -> None:
    missing = [c for c in ("text", "intent", "family") if c not in df.columns]
    if missing:
        raise DataError(
            f"Cannot split by family: missing column(s) {', '.join(missing)}. "
            "Use a frame from synthetic.generator.generate_contacts (it has text, intent and family)."
        )
    if not (0 <= validation < 1 and 0 <= test < 1 and validation + test < 1):
        raise DataError(f"validation ({validation}) and test ({test}) must each be in [0, 1) and sum to less than 1.")


def _take(count: float, rng: random.Random) -> int:
    """Stochastic rounding, so shares are right on average across intents."""
    whole = math.floor(count)
    return whole + (1 if rng.random() < count - whole else 0)


def assign_families(df: pd.DataFrame, *, seed: int, validation: float, test: float) -> dict[str, str]:
    """Family id -> split name. Each family is stratified under the intent most of its rows carry."""
    owner = df.groupby("family")["intent"].agg(lambda s: s.value_counts().index[0])
    assignment: dict[str, str] = {}
    for intent in sorted(owner.unique()):
        families = sorted(owner[owner == intent].index)
        rng = random.Random(f"split|{seed}|{intent}")
        rng.shuffle(families)
        n = len(families)
        n_test = _take(test * n, rng) if test > 0 else 0
        n_val = _take(validation * n, rng) if validation > 0 else 0
        if n >= 3:
            n_test = max(n_test, 1 if test > 0 else 0)
            n_val = max(n_val, 1 if validation > 0 else 0)
        elif n == 2:
            n_test, n_val = (1 if test > 0 else 0), 0
        else:
            n_test = n_val = 0
        while n_test + n_val > n - 1:  # training keeps at least one family
            if n_val >= n_test and n_val > 0:
                n_val -= 1
            else:
                n_test -= 1
        for i, family in enumerate(families):
            assignment[family] = "test" if i < n_test else "validation" if i < n_test + n_val else "train"
    return assignment


def split_by_family(
    df: pd.DataFrame, *, seed: int, validation: float = 0.15, test: float = 0.15
) -> dict[str, pd.DataFrame]:
    """Train, validation and test frames with disjoint phrasing families and no shared normalised text."""
    _check(df, validation, test)
    assignment = assign_families(df, seed=seed, validation=validation, test=test)
    which = df["family"].map(assignment)
    seen: set[str] = set()
    out: dict[str, pd.DataFrame] = {}
    for name in SPLITS:
        part = df[which == name]
        keys = part["text"].map(normalise)
        keep = ~keys.isin(seen)
        seen.update(keys[keep])
        out[name] = part[keep].reset_index(drop=True)
    return out


def _pairs(splits: Mapping[str, pd.DataFrame]) -> list[tuple[str, str]]:
    names = [n for n in SPLITS if n in splits] + [n for n in splits if n not in SPLITS]
    return [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]


def leakage_report(splits: Mapping[str, pd.DataFrame]) -> dict:
    """Rows of each later split whose text (exact or normalised) or family also occurs in an earlier one."""
    report: dict[str, dict[str, int]] = {"exact_duplicates": {}, "normalised_duplicates": {}, "shared_families": {}}
    for a, b in _pairs(splits):
        key = f"{a}-{b}"
        left, right = splits[a], splits[b]
        report["exact_duplicates"][key] = int(right["text"].isin(set(left["text"])).sum())
        left_norm = set(left["text"].map(normalise))
        report["normalised_duplicates"][key] = int(right["text"].map(normalise).isin(left_norm).sum())
        if "family" in left.columns and "family" in right.columns:
            report["shared_families"][key] = len(set(left["family"]) & set(right["family"]))
    totals = {kind: sum(values.values()) for kind, values in report.items()}
    return {**report, "rows": {name: len(frame) for name, frame in splits.items()}, "total": totals}
