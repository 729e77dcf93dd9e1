"""Reference and current data as two aligned frames that a drift report can compare column by column.

Both frames get the same columns: ``text`` (redacted), the prediction columns ``intent``, ``confidence``
(and ``accepted``, ``route``, ``queue``, ``channel``, ``language`` when both sides have them), plus descriptors
computed here with the project's own tokenizer: ``text_length`` (characters), ``word_count`` and
``oov_rate`` (share of words the model's training vocabulary has never seen).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from triage.errors import DataError
from triage.text import oov_rate, tokenize

if TYPE_CHECKING:
    from triage.decision_log import DecisionLog
    from triage.model import TriageModel

PREDICTION_COLUMNS = ("intent", "confidence")
OPTIONAL_PREDICTION_COLUMNS = ("accepted", "route", "queue")
SEGMENT_COLUMNS = ("channel", "language")
DESCRIPTOR_COLUMNS = ("text_length", "word_count", "oov_rate")
CATEGORICAL_COLUMNS = ("intent", "accepted", "route", "queue", *SEGMENT_COLUMNS)
NUMERICAL_COLUMNS = ("confidence", *DESCRIPTOR_COLUMNS)
NO_INTENT = "(none)"
NO_QUEUE = "(self-service)"
CONFIDENCE_DECIMALS = 6  # as in triage.policy's Decision.confidence
_NULL_STRINGS = {"", "nan", "none", "null", "<na>"}
_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n"}


class ReferenceMissingError(DataError):
    """The model carries no reference sample to compare against."""

    def __init__(self, model_version: str) -> None:
        super().__init__(
            f"Model {model_version} has no reference data (it was trained with too few held-out rows to keep one). "
            "Retrain it with more labelled data, or pass --reference PATH with scored or raw contacts."
        )


class EmptyWindowError(DataError):
    """The decision log holds no decisions in the requested window."""

    def __init__(self, since: datetime, until: datetime, *, where: str = "") -> None:
        self.since, self.until = since, until
        super().__init__(
            f"No decisions between {since.isoformat()} and {until.isoformat()}{' in ' + where if where else ''}; "
            "route some contacts or widen --since/--until (or point --db-url at the right decision log)."
        )


def read_window(log: DecisionLog, *, since: datetime, until: datetime) -> pd.DataFrame:
    """The decisions made in ``[since, until)``, standardised; :class:`EmptyWindowError` when there are none."""
    from sqlalchemy.engine import make_url

    decisions = log.read_decisions(since=since, until=until)
    if decisions.empty:
        raise EmptyWindowError(since, until, where=make_url(log.url).render_as_string(hide_password=True))
    return from_decisions(decisions.rename(columns={"text_redacted": "text"}), source="the decision log")


def reference_frame(model: TriageModel, *, model_version: str = "unregistered") -> pd.DataFrame:
    """The model's held-out reference sample (already redacted at training time), standardised."""
    reference = model.reference
    if reference is None or reference.empty:
        raise ReferenceMissingError(model_version)
    return from_decisions(reference, source=f"the reference of model {model_version}")


def frame_from_file(
    path: str | Path,
    *,
    model: TriageModel,
    text_column: str = "text",
    model_version: str = "unregistered",
) -> pd.DataFrame:
    """A CSV/JSONL/Parquet file of scored decisions or raw contacts, as a standardised, redacted frame.

    A file with ``intent`` and ``confidence`` columns is taken as already scored. A file with only texts
    (a labelled ``intent`` column without ``confidence`` counts as unscored) is routed with ``model`` first,
    on the raw text as the service would; the text is redacted before it goes anywhere else.
    """
    from training.data import load_texts_frame, read_table
    from triage.redaction import redact

    raw = read_table(path)
    column = _text_column(raw, text_column, source=str(path))
    if raw.empty:
        raise DataError(f"{path} has no rows. Pass a file with at least one contact.")
    raw = load_texts_frame(raw, text_column=column, source=str(path))
    texts = raw[column].tolist()
    if all(c in raw.columns for c in PREDICTION_COLUMNS):
        frame = raw.drop(columns=[c for c in ("text", "text_redacted") if c in raw.columns])
    else:
        decisions = model.decide(texts, model_version=model_version)
        frame = pd.DataFrame(
            {
                "intent": [d.intent for d in decisions],
                "confidence": [d.confidence for d in decisions],
                "accepted": [d.accepted for d in decisions],
                "route": [d.route for d in decisions],
                "queue": [d.queue for d in decisions],
            },
            index=raw.index,
        )
        for segment in SEGMENT_COLUMNS:
            if segment in raw.columns:
                frame[segment] = raw[segment]
    frame["text"] = [redact(text) for text in texts]
    return from_decisions(frame, source=str(path))


def _text_column(frame: pd.DataFrame, text_column: str, *, source: str) -> str:
    if text_column in frame.columns:
        return text_column
    if text_column == "text" and "text_redacted" in frame.columns:
        return "text_redacted"
    raise DataError(
        f"{source} has no column {text_column!r}; its columns are {', '.join(map(str, frame.columns))}. "
        "Pass --text-column to name the column holding the contact text."
    )


def from_decisions(frame: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """Keep the monitored columns of a scored frame, with consistent types and nulls made explicit.

    A precomputed ``oov_rate`` column is kept (a training reference may carry one measured against the
    training split's vocabulary, which is the fair baseline for held-out texts).
    """
    missing = [c for c in ("text", *PREDICTION_COLUMNS) if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source} has no column {', '.join(repr(c) for c in missing)}; its columns are "
            f"{', '.join(map(str, frame.columns))}. Scored data needs text, intent and confidence."
        )
    out = pd.DataFrame(index=range(len(frame)))
    out["text"] = frame["text"].fillna("").astype(str).to_numpy()
    out["intent"] = _categorical(frame["intent"], fill=NO_INTENT).to_numpy()
    confidence = pd.to_numeric(frame["confidence"], errors="coerce")
    bad = confidence.isna() | (confidence < 0) | (confidence > 1)
    if bad.any():
        raise DataError(
            f"{source}: {int(bad.sum())} row(s) have a confidence that is missing or not a number in [0, 1]. "
            "Fix or drop them."
        )
    # Decisions store confidence rounded to 6 decimals; a training reference keeps the raw float. Without
    # the same rounding, the many near-certain reference rows (0.9999997) and logged rows (1.0) look like
    # a different distribution to a K-S test on every window.
    out["confidence"] = confidence.astype(float).round(CONFIDENCE_DECIMALS).to_numpy()
    if "accepted" in frame.columns:
        out["accepted"] = _booleans(frame["accepted"], source=source).to_numpy()
    if "route" in frame.columns:
        out["route"] = _categorical(frame["route"], fill="unknown").to_numpy()
    if "queue" in frame.columns:
        out["queue"] = _categorical(frame["queue"], fill=NO_QUEUE).to_numpy()
    for segment in SEGMENT_COLUMNS:
        if segment in frame.columns and not _is_null(frame[segment]).all():
            out[segment] = _categorical(frame[segment], fill="unknown").to_numpy()
    if "oov_rate" in frame.columns:
        out["oov_rate"] = pd.to_numeric(frame["oov_rate"], errors="coerce").to_numpy()
    return out


def align(
    reference: pd.DataFrame, current: pd.DataFrame, *, vocabulary: frozenset[str] | set[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two frames with the same columns: those both sides have, plus the descriptor columns."""
    shared = [
        c
        for c in ("text", *PREDICTION_COLUMNS, *OPTIONAL_PREDICTION_COLUMNS, *SEGMENT_COLUMNS)
        if c in reference.columns and c in current.columns
    ]
    columns = [*shared, *DESCRIPTOR_COLUMNS]
    return (
        add_descriptors(reference, vocabulary=vocabulary)[columns],
        add_descriptors(current, vocabulary=vocabulary)[columns],
    )


def add_descriptors(frame: pd.DataFrame, *, vocabulary: frozenset[str] | set[str]) -> pd.DataFrame:
    """``text_length``, ``word_count`` and ``oov_rate`` (kept when already present and complete)."""
    frame = frame.copy()
    texts: Sequence[str] = frame["text"].astype(str).tolist()
    frame["text_length"] = [len(text) for text in texts]
    frame["word_count"] = [len(tokenize(text)) for text in texts]
    if "oov_rate" not in frame.columns or frame["oov_rate"].isna().any():
        frame["oov_rate"] = [oov_rate(text, vocabulary) for text in texts]
    frame["oov_rate"] = frame["oov_rate"].astype(float)
    return frame


def _is_null(values: pd.Series) -> pd.Series:
    return values.isna() | values.astype(str).str.strip().str.lower().isin(_NULL_STRINGS)


def _categorical(values: pd.Series, *, fill: str) -> pd.Series:
    return values.astype(str).str.strip().where(~_is_null(values), fill)


def _booleans(values: pd.Series, *, source: str) -> pd.Series:
    """``accepted`` as the strings "true"/"false" (CSV gives strings, Parquet and the log give booleans)."""
    text = values.astype(str).str.strip().str.lower()
    unknown = ~text.isin(_TRUE | _FALSE)
    if unknown.any():
        shown = ", ".join(sorted(set(values[unknown].astype(str)))[:5])
        raise DataError(f"{source}: column 'accepted' has values that are not true/false ({shown}). Fix them.")
    return text.isin(_TRUE).map({True: "true", False: "false"})
