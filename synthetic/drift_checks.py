"""Statistics that show whether, and how, a stream changed at its change point.

Each drift scenario claims one kind of change (see :mod:`synthetic.scenarios`); :func:`compare_periods`
measures all of them, so a test or a reader can check that the claimed change is there and that the
``none`` control shows none.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from synthetic.families import load_catalogue
from synthetic.noise import count_typos
from synthetic.resources import data_file_names, load_data
from triage.errors import DataError
from triage.text import tokenize

_WORD = re.compile(r"[A-Za-z]{3,}")
# Words the channels add that are not in the data files (spoken numbers and email addresses).
_SPOKEN = ("pounds", "dot", "underscore")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@cache
def lexicon() -> frozenset[str]:
    """Every word the generator can write correctly (from all of ``synthetic/data``)."""
    words = {w.lower() for name in data_file_names() for s in _strings(load_data(name)) for w in _WORD.findall(s)}
    return frozenset(words | set(_SPOKEN))


def typo_rate(text: str) -> float:
    """Share of a text's words (three letters or more) outside the generator's lexicon."""
    wrong, total = count_typos(text, lexicon())
    return wrong / total if total else 0.0


def _p(table: np.ndarray) -> float:
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return 1.0
    return float(stats.chi2_contingency(table)[1])


def _mix_p(before: pd.Series, after: pd.Series) -> float:
    table = pd.concat([before.value_counts().rename("b"), after.value_counts().rename("a")], axis=1).fillna(0)
    return _p(table.T.to_numpy())


def _share_test(before: pd.Series, after: pd.Series) -> dict[str, float]:
    b, a = int(before.sum()), int(after.sum())
    table = np.array([[b, len(before) - b], [a, len(after) - a]])
    p = float(stats.fisher_exact(table)[1]) if (b + a) else 1.0
    return {"before": round(b / len(before), 4), "after": round(a / len(after), 4), "p": p}


def _unseen(before: pd.Series, after: pd.Series) -> dict[str, Any]:
    """New words: unseen in the early normal period, measured per contact in a late normal window and in an
    equal-sized window spread over the drifted period.

    ``rate_*`` is the mean share of a contact's words that are new (Mann-Whitney test). ``recurring_*``
    is the share of contacts using a new word that at least ``min_contacts`` contacts of the two windows
    use, such as a new name for a service; one-off names and typos do not count (Fisher exact test).
    Contacts are the unit throughout, so the p-values hold although words cluster within contacts.
    """
    k = max(1, min(len(before) // 2, len(after)))
    reference, control = before.iloc[:-k], before.iloc[-k:]
    drifted = after.iloc[np.linspace(0, len(after) - 1, k).astype(int)]
    vocabulary = {t for text in reference for t in tokenize(text)}
    windows = {"control": [tokenize(t) for t in control], "drifted": [tokenize(t) for t in drifted]}
    rates = {
        name: np.array([sum(t not in vocabulary for t in ts) / len(ts) if ts else 0.0 for ts in token_lists])
        for name, token_lists in windows.items()
    }
    new = {name: [set(ts) - vocabulary for ts in token_lists] for name, token_lists in windows.items()}
    min_contacts = max(5, round(0.02 * k))
    contacts = Counter(word for sets in new.values() for s in sets for word in s)
    recurring = {word for word, n in contacts.items() if n >= min_contacts}
    users = {name: sum(bool(s & recurring) for s in sets) for name, sets in new.items()}
    table = [[users["control"], k - users["control"]], [users["drifted"], k - users["drifted"]]]
    only_after = Counter(w for s in new["drifted"] for w in s & recurring) - Counter(
        w for s in new["control"] for w in s & recurring
    )
    return {
        "window_contacts": k,
        "rate_control": round(float(rates["control"].mean()), 4),
        "rate_drifted": round(float(rates["drifted"].mean()), 4),
        "rate_p": float(stats.mannwhitneyu(rates["control"], rates["drifted"]).pvalue),
        "recurring_control": round(users["control"] / k, 4),
        "recurring_drifted": round(users["drifted"] / k, 4),
        "recurring_p": float(stats.fisher_exact(table)[1]),
        "min_contacts": min_contacts,
        "new_words": [word for word, _ in only_after.most_common(15)],
    }


def _label_changes(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, dict[str, list[str]]]:
    source = {
        "before": before.groupby(before["family"].str.split("/").str[0])["intent"].agg(lambda s: sorted(set(s))),
        "after": after.groupby(after["family"].str.split("/").str[0])["intent"].agg(lambda s: sorted(set(s))),
    }
    changed: dict[str, dict[str, list[str]]] = {}
    for family_intent in sorted(set(source["before"].index) & set(source["after"].index)):
        b, a = source["before"][family_intent], source["after"][family_intent]
        if b != a:
            changed[family_intent] = {"before": b, "after": a}
    return changed


def compare_periods(df: pd.DataFrame, change_point: str) -> dict[str, Any]:
    """Before-vs-after statistics for a stream whose drift starts at ``change_point`` (ISO timestamp)."""
    if "timestamp" not in df.columns:
        raise DataError("compare_periods needs a stream with a timestamp column (synthetic.stream.generate_stream).")
    after_mask = df["timestamp"] >= change_point
    before, after = df[~after_mask], df[after_mask]
    if before.empty or after.empty:
        raise DataError(f"Change point {change_point} leaves one period empty; pick one inside the stream.")
    taxonomy = set(load_catalogue().taxonomy_intents)
    typos_before = before["text"].map(typo_rate)
    typos_after = after["text"].map(typo_rate)
    days_after = pd.to_datetime(after["timestamp"]).dt.normalize()
    return {
        "rows": {"before": len(before), "after": len(after)},
        "intent_mix_p": _mix_p(before["intent"], after["intent"]),
        "channel_mix_p": _mix_p(before["channel"], after["channel"]),
        "welsh": _share_test(before["language"] == "cy", after["language"] == "cy"),
        "outside_taxonomy": _share_test(~before["intent"].isin(taxonomy), ~after["intent"].isin(taxonomy)),
        "unseen_words": _unseen(before["text"], after["text"]),
        "typo_rate": {
            "before": round(float(typos_before.mean()), 4),
            "after": round(float(typos_after.mean()), 4),
            "p": float(stats.mannwhitneyu(typos_before, typos_after, alternative="less").pvalue),
            "trend_rho": float(stats.spearmanr(days_after.astype("int64"), typos_after).statistic)
            if days_after.nunique() > 1
            else 0.0,
        },
        "label_changes": _label_changes(before, after),
    }
