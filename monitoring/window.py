"""A window of decisions, with agents' feedback where it exists, from the decision log or from a file.

Every monitoring command (quality, check, the governance report) reads its decisions through here, so they
all see the same columns (:data:`WINDOW_COLUMNS`): the decision, its context (channel, language, region),
the redacted text and, where feedback arrived, ``true_intent`` and ``resolved_by_self_service``, plus
``labelled`` and ``correct`` (null when unlabelled). ``region`` is read from the contact's metadata;
``accepted`` is null only for a file that does not say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from monitoring.frames import CONFIDENCE_DECIMALS, EmptyWindowError, _booleans, _is_null, _text_column
from triage.errors import DataError

if TYPE_CHECKING:
    from triage.decision_log import DecisionLog
    from triage.model import TriageModel

WINDOW_COLUMNS = (
    "decision_id",
    "created_at",
    "text",
    "intent",
    "confidence",
    "accepted",
    "route",
    "queue",
    "rule",
    "safeguarding_category",
    "channel",
    "language",
    "region",
    "model_version",
    "true_intent",
    "resolved_by_self_service",
    "labelled",
    "correct",
)
TEXT_COLUMNS = ("intent", "route", "queue", "rule", "safeguarding_category", "channel", "language", "region")
TIME_COLUMNS = ("created_at", "timestamp")


@dataclass(frozen=True)
class Window:
    """Decisions of one monitoring window and where they came from."""

    frame: pd.DataFrame
    start: datetime | None
    end: datetime | None
    source: str

    @property
    def timestamp(self) -> datetime:
        """The moment the window stands for on a dashboard: its start, else its first decision, else now."""
        if self.start is not None:
            return self.start
        times = self.frame["created_at"].dropna()
        return times.min().to_pydatetime() if len(times) else datetime.now(UTC)

    @property
    def label(self) -> str:
        if self.start is not None and self.end is not None:
            return f"{self.start.isoformat()} to {self.end.isoformat()}"
        return self.source


def read_log_window(log: DecisionLog, *, since: datetime, until: datetime) -> Window:
    """Decisions made in ``[since, until)`` with feedback joined; :class:`EmptyWindowError` when there are none."""
    from sqlalchemy.engine import make_url

    decisions = log.read_decisions(since=since, until=until)
    if decisions.empty:
        raise EmptyWindowError(since, until, where=make_url(log.url).render_as_string(hide_password=True))
    decisions = decisions.rename(columns={"text_redacted": "text"})
    decisions["region"] = _regions(log, decisions["decision_id"].tolist())
    return Window(frame=standardise(decisions, source="the decision log"), start=since, end=until, source=log.url)


def _regions(log: DecisionLog, decision_ids: list[str]) -> list[str | None]:
    """The ``region`` each contact's metadata carried (the log keeps metadata as JSON, not as a column)."""
    from sqlalchemy import select

    from triage.decision_log import decisions as table

    found: dict[str, str | None] = {}
    with log.engine.connect() as conn:
        for start in range(0, len(decision_ids), 500):
            chunk = decision_ids[start : start + 500]
            rows = conn.execute(select(table.c.decision_id, table.c.metadata).where(table.c.decision_id.in_(chunk)))
            for decision_id, metadata in rows:
                region = metadata.get("region") if isinstance(metadata, dict) else None
                found[decision_id] = str(region) if region not in (None, "") else None
    return [found.get(d) for d in decision_ids]


def read_file_window(
    path: str | Path,
    *,
    model: TriageModel,
    text_column: str = "text",
    label_column: str | None = None,
    model_version: str = "unregistered",
) -> Window:
    """A CSV/JSONL/Parquet file of scored decisions or raw contacts as a window.

    Scored decisions (``intent`` and ``confidence`` columns) are taken as they are; their labels are read from
    ``true_intent`` (or ``label_column``). Raw contacts are routed with ``model`` as the service would
    (declared ``language`` included) and their ``intent`` column, if any, is the label (or ``label_column``).
    Text is redacted before anything else sees it.
    """
    from training.data import load_texts_frame, read_table
    from triage.redaction import redact

    raw = read_table(path)
    column = _text_column(raw, text_column, source=str(path))
    if raw.empty:
        raise DataError(f"{path} has no rows. Pass a file with at least one contact.")
    raw = load_texts_frame(raw, text_column=column, source=str(path)).reset_index(drop=True)
    texts = raw[column].tolist()
    scored = "intent" in raw.columns and "confidence" in raw.columns
    label = label_column or ("true_intent" if scored else "intent")
    if label_column is not None and label_column not in raw.columns:
        raise DataError(f"{path} has no label column {label_column!r}; its columns are {', '.join(raw.columns)}.")
    if scored:
        frame = raw.drop(columns=[c for c in ("text", "text_redacted") if c in raw.columns])
        if label != "true_intent" and label in raw.columns:
            frame["true_intent"] = raw[label]
    else:
        languages = (
            [None if _is_null(pd.Series([v])).iloc[0] else str(v) for v in raw["language"]]
            if "language" in raw.columns
            else None
        )
        decisions = model.decide(texts, model_version=model_version, languages=languages)
        frame = pd.DataFrame(
            {
                "decision_id": [d.decision_id for d in decisions],
                "intent": [d.intent for d in decisions],
                "confidence": [d.confidence for d in decisions],
                "accepted": [d.accepted for d in decisions],
                "route": [d.route for d in decisions],
                "queue": [d.queue for d in decisions],
                "rule": [d.rule for d in decisions],
                "safeguarding_category": [d.safeguarding.category if d.safeguarding else None for d in decisions],
                "model_version": model_version,
            }
        )
        for context in ("channel", "language", "region", *TIME_COLUMNS, "resolved_by_self_service"):
            if context in raw.columns:
                frame[context] = raw[context]
        if label in raw.columns:
            frame["true_intent"] = raw[label]
    frame["text"] = [redact(text) for text in texts]
    return Window(frame=standardise(frame, source=str(path)), start=None, end=None, source=str(path))


def standardise(frame: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """The window columns with consistent types; missing context columns become nulls."""
    missing = [c for c in ("text", "intent", "confidence") if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source} has no column {', '.join(repr(c) for c in missing)}; its columns are "
            f"{', '.join(map(str, frame.columns))}. Decisions need text, intent and confidence."
        )
    n = len(frame)
    out = pd.DataFrame(index=range(n))
    out["decision_id"] = (
        _strings(frame["decision_id"]) if "decision_id" in frame.columns else [f"row-{i}" for i in range(n)]
    )
    time_column = next((c for c in TIME_COLUMNS if c in frame.columns), None)
    out["created_at"] = _times(frame[time_column], source=source) if time_column else pd.NaT
    out["text"] = frame["text"].fillna("").astype(str).to_numpy()
    confidence = pd.to_numeric(frame["confidence"], errors="coerce")
    if (confidence.isna() | (confidence < 0) | (confidence > 1)).any():
        raise DataError(
            f"{source}: some rows have a confidence that is missing or not a number in [0, 1]. Fix or drop them."
        )
    out["confidence"] = confidence.astype(float).round(CONFIDENCE_DECIMALS).to_numpy()
    if "accepted" in frame.columns:
        out["accepted"] = _booleans(frame["accepted"], source=source).eq("true").to_numpy()
    else:  # unknown (a file without the column): the accepted share is then not judged
        out["accepted"] = pd.Series([None] * n, dtype=object)
    for column in TEXT_COLUMNS:
        out[column] = _strings(frame[column]) if column in frame.columns else None
    out["model_version"] = _strings(frame["model_version"]) if "model_version" in frame.columns else None
    out["true_intent"] = _strings(frame["true_intent"]) if "true_intent" in frame.columns else None
    if "resolved_by_self_service" in frame.columns:
        resolved = frame["resolved_by_self_service"]
        known = ~_is_null(resolved)
        values = pd.Series([None] * n, dtype=object)
        if known.any():
            values[known.to_numpy()] = _booleans(resolved[known], source=source).eq("true").to_numpy()
        out["resolved_by_self_service"] = values.to_numpy()
    else:
        out["resolved_by_self_service"] = None
    out["labelled"] = out["true_intent"].notna()
    out["correct"] = np.where(out["labelled"], (out["intent"] == out["true_intent"]).astype(float), np.nan)
    return out[list(WINDOW_COLUMNS)]


def _strings(values: pd.Series) -> np.ndarray:
    text = values.astype(str).str.strip()
    return text.where(~_is_null(values).to_numpy(), None).astype(object).to_numpy()


def _times(values: pd.Series, *, source: str) -> pd.Series:
    try:
        times = pd.to_datetime(values, utc=True, errors="raise", format="mixed")
    except (ValueError, TypeError) as exc:
        raise DataError(f"{source}: timestamps that are not ISO 8601 dates or times ({exc}). Fix them.") from exc
    return times.reset_index(drop=True)
