"""Held-out-family splits: disjoint families, no shared normalised text, sensible sizes."""

from __future__ import annotations

import pandas as pd
import pytest

from synthetic.generator import generate_contacts
from synthetic.splits import leakage_report, normalise, split_by_family
from triage.errors import DataError


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return generate_contacts(2000, 5)


def test_splits_share_no_family_and_no_normalised_text(frame: pd.DataFrame) -> None:
    splits = split_by_family(frame, seed=5)
    assert set(splits) == {"train", "validation", "test"}
    families = {name: set(part["family"]) for name, part in splits.items()}
    texts = {name: set(part["text"].map(normalise)) for name, part in splits.items()}
    for a, b in [("train", "validation"), ("train", "test"), ("validation", "test")]:
        assert not families[a] & families[b]
        assert not texts[a] & texts[b]
    report = leakage_report(splits)
    assert report["total"] == {"exact_duplicates": 0, "normalised_duplicates": 0, "shared_families": 0}


def test_splits_hold_out_families_per_intent_at_roughly_the_requested_sizes(frame: pd.DataFrame) -> None:
    splits = split_by_family(frame, seed=5)
    total = sum(len(part) for part in splits.values())
    assert total >= 0.97 * len(frame)  # only cross-split duplicates are dropped
    assert len(splits["test"]) / total == pytest.approx(0.15, abs=0.06)
    assert len(splits["validation"]) / total == pytest.approx(0.15, abs=0.06)
    assert splits["train"]["intent"].nunique() == frame["intent"].nunique()
    assert splits["test"]["intent"].nunique() >= 30


def test_cross_split_duplicates_are_dropped_from_the_later_split() -> None:
    frame = pd.DataFrame(
        {
            "text": ["Missed bin!", "missed   bin", "Bin day?", "bin day", "New bin", "Bulky", "Rats", "Mice"],
            "intent": ["a", "a", "a", "a", "a", "b", "b", "b"],
            "family": ["a/f01", "a/f02", "a/f03", "a/f04", "a/f05", "b/f01", "b/f02", "b/f03"],
        }
    )
    splits = split_by_family(frame, seed=1, validation=0.3, test=0.3)
    report = leakage_report(splits)
    assert report["total"]["normalised_duplicates"] == 0
    assert sum(len(p) for p in splits.values()) < len(frame) or report["total"]["shared_families"] == 0


def test_leakage_report_counts_what_leaks() -> None:
    train = pd.DataFrame({"text": ["Bin day?", "Rats"], "intent": ["a", "b"], "family": ["a/f01", "b/f01"]})
    test = pd.DataFrame({"text": ["bin day", "Rats"], "intent": ["a", "b"], "family": ["a/f02", "b/f01"]})
    report = leakage_report({"train": train, "test": test})
    assert report["exact_duplicates"]["train-test"] == 1
    assert report["normalised_duplicates"]["train-test"] == 2
    assert report["shared_families"]["train-test"] == 1


@pytest.mark.parametrize(("validation", "test"), [(0.6, 0.5), (-0.1, 0.2), (0.2, 1.0)])
def test_impossible_fractions_are_refused(frame: pd.DataFrame, validation: float, test: float) -> None:
    with pytest.raises(DataError, match="must each be in"):
        split_by_family(frame, seed=1, validation=validation, test=test)


def test_missing_columns_are_named() -> None:
    with pytest.raises(DataError, match="missing column\\(s\\) family"):
        split_by_family(pd.DataFrame({"text": ["x"], "intent": ["a"]}), seed=1)
