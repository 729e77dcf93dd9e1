"""Agents' feedback as training data: decisions whose true intent an agent recorded, ready to add to training.

Each row is the decision's *redacted* text (the log never holds the raw text) labelled with the agent's
``true_intent``. Rows are de-duplicated on normalised text (lower case, punctuation dropped, whitespace
collapsed): when agents labelled the same text more than once, the most recent label wins.
``with_feedback`` adds these rows to a training frame, and a feedback row replaces a training row with the
same normalised text (the agent's judgement on a real contact beats the older label).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from triage.decision_log import DecisionLog

SOURCE_COLUMN = "source"
FEEDBACK_SOURCE = "feedback"
_PUNCT = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower case, punctuation stripped, whitespace collapsed (the key for de-duplication)."""
    return _SPACE.sub(" ", _PUNCT.sub(" ", str(text).lower())).strip()


def feedback_rows(
    log: DecisionLog,
    *,
    text_column: str = "text",
    label_column: str = "intent",
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """Agent-labelled decisions from the log as ``[text_column, label_column, channel, language, decision_id,
    created_at, source]``, one row per distinct normalised text (latest label kept), oldest first."""
    decisions = log.read_decisions(since=since, until=until)
    columns = [text_column, label_column, "channel", "language", "decision_id", "created_at", SOURCE_COLUMN]
    if decisions.empty:
        return pd.DataFrame(columns=columns)
    label = decisions["true_intent"]
    text = decisions["text_redacted"].fillna("").astype(str)
    keep = label.notna() & label.astype(str).str.strip().ne("") & text.str.strip().ne("")
    rows = pd.DataFrame(
        {
            text_column: text[keep].to_numpy(),
            label_column: label[keep].astype(str).str.strip().to_numpy(),
            "channel": decisions.loc[keep, "channel"].to_numpy(),
            "language": decisions.loc[keep, "language"].to_numpy(),
            "decision_id": decisions.loc[keep, "decision_id"].to_numpy(),
            "created_at": decisions.loc[keep, "created_at"].to_numpy(),
        }
    )
    rows[SOURCE_COLUMN] = FEEDBACK_SOURCE
    key = rows[text_column].map(normalise)
    rows = rows[~key.duplicated(keep="last") & key.ne("")]
    return rows.reset_index(drop=True)[columns]


def with_feedback(
    frame: pd.DataFrame, feedback: pd.DataFrame, *, text_column: str = "text", label_column: str = "intent"
) -> pd.DataFrame:
    """``frame`` plus ``feedback`` rows; a training row whose normalised text also has feedback is dropped."""
    if feedback.empty:
        return frame
    keys = set(feedback[text_column].map(normalise))
    kept = frame[~frame[text_column].astype(str).map(normalise).isin(keys)]
    added = feedback[[c for c in feedback.columns if c in frame.columns or c in (text_column, label_column)]]
    return pd.concat([kept, added], ignore_index=True)
