"""Quality of a window of decisions: automation, estimated and measured accuracy, intents, segments, misroutes.

Measured accuracy uses agents' feedback (``true_intent``): the top-1 intent is right when it equals the
intent the agent recorded, whatever the route (a contact handed to a person still got a prediction).
Estimated accuracy (:mod:`monitoring.estimate`) needs no labels and is shown beside it.

A *misroute found through feedback* is one of:

- ``wrong_self_service``: the citizen got a self-service answer, but the agent's true intent differs;
- ``unresolved_self_service``: a self-service answer the feedback says did not resolve the contact;
- ``wrong_queue``: the policy accepted an intent and sent it to that intent's queue, but the true intent
  belongs to another queue (abstentions to the fallback queue are not misroutes: that is the policy working).

A segment (a channel, a language, a region) is *flagged* when it has at least ``min_segment_rows`` labelled
decisions and its accuracy is below the window's overall accuracy by more than ``max_segment_gap``.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from monitoring import html as h
from monitoring.estimate import (
    ESTIMATE_CAVEAT,
    AccuracyEstimate,
    EstimateCheck,
    MeasuredAccuracy,
    compare,
    correct_tail_p,
    estimate_accuracy,
    measured_accuracy,
)
from monitoring.frames import CONFIDENCE_DECIMALS
from triage.errors import ConfigError

if TYPE_CHECKING:
    from monitoring.window import Window
    from triage.model import TriageModel
    from triage.taxonomy import Taxonomy

DEFAULT_TITLE = "Contact triage: quality of routed decisions"
SEGMENT_COLUMNS = ("channel", "language", "region")
DEFAULT_MIN_SEGMENT_ROWS = 50
DEFAULT_MAX_SEGMENT_GAP = 0.10
HTML_NAME, JSON_NAME = "quality.html", "quality.json"


class QualityOptions(BaseModel):
    """Which segments are compared and when a segment's gap is flagged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    segment_columns: tuple[str, ...] = SEGMENT_COLUMNS
    min_segment_rows: int = Field(default=DEFAULT_MIN_SEGMENT_ROWS, ge=1)
    max_segment_gap: float = Field(default=DEFAULT_MAX_SEGMENT_GAP, ge=0.0, le=1.0)
    max_confidence: float = Field(
        default=0.99, gt=0.0, le=1.0, description="Cap on confidence when judging how surprising an error is."
    )


class ReferenceQuality(BaseModel):
    """The same figures on the model's held-out training reference: what 'normal' looked like."""

    n: int
    estimated_accuracy: float | None
    measured_accuracy: float | None
    accepted_share: float | None
    self_service_share: float | None


class IntentQuality(BaseModel):
    intent: str
    n_true: int = Field(description="Labelled decisions whose true intent is this one.")
    recall: float | None
    n_predicted: int = Field(description="Labelled decisions predicted as this intent.")
    precision: float | None
    estimated_precision: float | None = Field(description="Mean confidence of those predictions (CBPE).")
    correct_tail_p: float | None = Field(
        default=None,
        description="P(this few predictions right | their confidence): tiny means corrected far more than expected.",
    )


class SegmentQuality(BaseModel):
    column: str
    value: str
    n: int
    n_labelled: int
    accuracy: float | None
    estimated_accuracy: float | None
    gap: float | None = Field(description="Segment accuracy minus overall accuracy.")
    evaluated: bool = Field(description="Enough labelled rows to judge the gap.")
    flagged: bool


class Misroutes(BaseModel):
    wrong_self_service: int
    unresolved_self_service: int
    wrong_queue: int
    total: int
    examples: list[dict[str, Any]] = Field(default_factory=list, description="Up to 10 (ids, intents, queues).")


class Correction(BaseModel):
    predicted: str
    true_intent: str
    n: int


class QualitySummary(BaseModel):
    """Everything the quality report shows, also written as ``quality.json``."""

    title: str
    generated_at: datetime
    window: str
    window_start: datetime | None
    window_end: datetime | None
    context: dict[str, str] = Field(default_factory=dict)
    n: int
    self_service_share: float = Field(description="Automation rate: share answered by self-service.")
    accepted_share: float | None = Field(description="Share the policy accepted (None when the data does not say).")
    accepted_precision: float | None = Field(description="Share right among labelled decisions the policy accepted.")
    n_accepted_labelled: int
    target_precision: float | None = Field(description="The precision the model's thresholds were tuned to.")
    route_mix: dict[str, int]
    queue_mix: dict[str, int]
    rules: dict[str, int]
    safeguarding: int = Field(description="Hand-offs to the safeguarding team.")
    safeguarding_categories: dict[str, int]
    human_requests: int
    estimated: AccuracyEstimate
    n_labelled: int
    measured: MeasuredAccuracy
    estimate_check: EstimateCheck
    out_of_taxonomy_labels: int = Field(description="Labelled decisions whose true intent the model does not know.")
    per_intent: list[IntentQuality]
    segments: list[SegmentQuality]
    misroutes: Misroutes
    corrections: int = Field(description="Feedback that corrected the predicted intent.")
    top_corrections: list[Correction]
    reference: ReferenceQuality | None
    options: QualityOptions
    notes: list[str]


def reference_quality(model: TriageModel) -> ReferenceQuality | None:
    """Estimated and measured accuracy and shares on the model's reference (it carries true labels)."""
    reference = model.reference
    if reference is None or reference.empty:
        return None
    confidence = pd.to_numeric(reference["confidence"], errors="coerce").round(CONFIDENCE_DECIMALS)
    measured = None
    if "label" in reference.columns:
        measured = float((reference["intent"].astype(str) == reference["label"].astype(str)).mean())
    accepted = reference["accepted"].astype(bool).mean() if "accepted" in reference.columns else None
    self_service = (reference["route"] == "self_service").mean() if "route" in reference.columns else None
    return ReferenceQuality(
        n=len(reference),
        estimated_accuracy=float(confidence.mean()),
        measured_accuracy=measured,
        accepted_share=None if accepted is None else float(accepted),
        self_service_share=None if self_service is None else float(self_service),
    )


def is_safeguarding(frame: pd.DataFrame) -> pd.Series:
    """Decisions handed to the safeguarding team (rule ``safeguarding:...`` or a category recorded)."""
    rule = frame["rule"].fillna("").astype(str)
    return rule.str.startswith("safeguarding") | frame["safeguarding_category"].notna()


def summarise(
    window: Window,
    *,
    model: TriageModel | None = None,
    options: QualityOptions | None = None,
    title: str = DEFAULT_TITLE,
    context: Mapping[str, str] | None = None,
) -> QualitySummary:
    """The quality summary of a window (``model`` gives the taxonomy for misroutes and the reference)."""
    options = options or QualityOptions()
    frame = window.frame
    n = len(frame)
    labelled = frame[frame["labelled"]]
    accepted_known = frame["accepted"].notna().all() and n > 0
    accepted_labelled = labelled[labelled["accepted"].eq(True).to_numpy()] if accepted_known else labelled.iloc[0:0]
    overall = measured_accuracy(labelled["correct"].to_numpy())
    known = set(map(str, model.classes)) if model is not None else None
    safeguarding = is_safeguarding(frame)
    misroutes = find_misroutes(frame, taxonomy=model.taxonomy if model is not None else None)
    corrections = labelled[labelled["correct"] == 0]
    top = (
        corrections.groupby(["intent", "true_intent"]).size().sort_values(ascending=False).head(10)
        if len(corrections)
        else pd.Series(dtype=int)
    )
    notes = [ESTIMATE_CAVEAT]
    if 0 < n < 100:
        notes.append(f"Only {n} decisions in this window: shares and accuracies are rough (wide intervals).")
    if n and not len(labelled):
        notes.append("No feedback labels in this window yet: accuracy is estimated only.")
    return QualitySummary(
        title=title,
        generated_at=datetime.now(UTC),
        window=window.label,
        window_start=window.start,
        window_end=window.end,
        context=dict(context or {}),
        n=n,
        self_service_share=float((frame["route"] == "self_service").mean()) if n else 0.0,
        accepted_share=float(frame["accepted"].astype(bool).mean()) if accepted_known else None,
        accepted_precision=float(accepted_labelled["correct"].mean()) if len(accepted_labelled) else None,
        n_accepted_labelled=len(accepted_labelled),
        target_precision=model.policy.target_precision if model is not None else None,
        route_mix=_counts(frame["route"]),
        queue_mix=_counts(frame["queue"].fillna("(self-service)")),
        rules=_counts(frame["rule"].fillna("unknown")),
        safeguarding=int(safeguarding.sum()),
        safeguarding_categories=_counts(frame.loc[safeguarding, "safeguarding_category"].fillna("unspecified")),
        human_requests=int(frame["rule"].fillna("").str.startswith("human_request").sum()),
        estimated=estimate_accuracy(frame["confidence"].to_numpy()),
        n_labelled=len(labelled),
        measured=overall,
        estimate_check=compare(frame["confidence"].to_numpy(), frame["correct"].to_numpy()),
        out_of_taxonomy_labels=int((~labelled["true_intent"].isin(known)).sum()) if known is not None else 0,
        per_intent=_per_intent(labelled, max_confidence=options.max_confidence),
        segments=_segments(frame, overall=overall.accuracy, options=options),
        misroutes=misroutes,
        corrections=len(corrections),
        top_corrections=[Correction(predicted=p, true_intent=t, n=int(k)) for (p, t), k in top.items()],
        reference=reference_quality(model) if model is not None else None,
        options=options,
        notes=notes,
    )


def _counts(values: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in values.astype(str).value_counts().items()}


def _per_intent(labelled: pd.DataFrame, *, max_confidence: float) -> list[IntentQuality]:
    rows = []
    for intent in sorted(set(labelled["true_intent"].dropna()) | set(labelled["intent"].dropna())):
        true_rows = labelled[labelled["true_intent"] == intent]
        predicted = labelled[labelled["intent"] == intent]
        rows.append(
            IntentQuality(
                intent=str(intent),
                n_true=len(true_rows),
                recall=float(true_rows["correct"].mean()) if len(true_rows) else None,
                n_predicted=len(predicted),
                precision=float(predicted["correct"].mean()) if len(predicted) else None,
                estimated_precision=float(predicted["confidence"].mean()) if len(predicted) else None,
                correct_tail_p=correct_tail_p(
                    predicted["confidence"].to_numpy(), int(predicted["correct"].sum()), max_confidence=max_confidence
                )
                if len(predicted)
                else None,
            )
        )
    return rows


def _segments(frame: pd.DataFrame, *, overall: float | None, options: QualityOptions) -> list[SegmentQuality]:
    rows = []
    for column in options.segment_columns:
        if column not in frame.columns or frame[column].isna().all():
            continue
        values = frame[column].fillna("unknown").astype(str)
        for value in sorted(values.unique()):
            part = frame[values == value]
            labelled = part[part["labelled"]]
            accuracy = float(labelled["correct"].mean()) if len(labelled) else None
            gap = None if accuracy is None or overall is None else accuracy - overall
            evaluated = len(labelled) >= options.min_segment_rows and gap is not None
            rows.append(
                SegmentQuality(
                    column=column,
                    value=value,
                    n=len(part),
                    n_labelled=len(labelled),
                    accuracy=accuracy,
                    estimated_accuracy=float(part["confidence"].mean()),
                    gap=gap,
                    evaluated=evaluated,
                    flagged=bool(evaluated and gap is not None and -gap > options.max_segment_gap),
                )
            )
    return rows


def find_misroutes(frame: pd.DataFrame, *, taxonomy: Taxonomy | None) -> Misroutes:
    """Count the three kinds of misroute (module docstring) in a window."""
    labelled = frame["labelled"].to_numpy(dtype=bool)
    wrong_intent = labelled & (frame["correct"].to_numpy() == 0)
    self_served = (frame["route"] == "self_service").to_numpy()
    wrong_self_service = self_served & wrong_intent
    resolved = frame["resolved_by_self_service"]
    unresolved = self_served & resolved.notna().to_numpy() & (resolved == False).to_numpy()  # noqa: E712
    wrong_queue = np.zeros(len(frame), dtype=bool)
    if taxonomy is not None:
        accepted_to_queue = ((frame["rule"] == "accepted") & (frame["route"] == "human")).to_numpy() & wrong_intent
        for i in np.flatnonzero(accepted_to_queue):
            true_intent = taxonomy.get(str(frame["true_intent"].iat[i]))
            expected = true_intent.queue.name if true_intent is not None and true_intent.queue is not None else None
            wrong_queue[i] = expected != frame["queue"].iat[i]
    any_misroute = wrong_self_service | unresolved | wrong_queue
    examples = []
    for i in np.flatnonzero(any_misroute)[:10]:
        kind = "wrong_self_service" if wrong_self_service[i] else "wrong_queue" if wrong_queue[i] else "unresolved"
        examples.append(
            {
                "decision_id": frame["decision_id"].iat[i],
                "kind": kind,
                "intent": frame["intent"].iat[i],
                "true_intent": frame["true_intent"].iat[i],
                "route": frame["route"].iat[i],
                "queue": frame["queue"].iat[i],
            }
        )
    return Misroutes(
        wrong_self_service=int(wrong_self_service.sum()),
        unresolved_self_service=int(unresolved.sum()),
        wrong_queue=int(wrong_queue.sum()),
        total=int(any_misroute.sum()),
        examples=examples,
    )


# --- Evidently snapshot for the dashboard ----------------------------------------------------------------------

QUALITY_COLUMNS = ("automated", "accepted", "expected_correct", "correct", "safeguarding", "labelled")


def snapshot_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-decision numbers whose means and sums are the dashboard's series (see :func:`quality_snapshot`)."""
    return pd.DataFrame(
        {
            "automated": (frame["route"] == "self_service").astype(float).to_numpy(),
            "accepted": pd.to_numeric(frame["accepted"], errors="coerce").astype(float).to_numpy(),
            "expected_correct": frame["confidence"].astype(float).to_numpy(),
            "correct": frame["correct"].astype(float).to_numpy(),
            "safeguarding": is_safeguarding(frame).astype(float).to_numpy(),
            "labelled": frame["labelled"].astype(float).to_numpy(),
        }
    )


def quality_snapshot(
    frame: pd.DataFrame,
    *,
    timestamp: datetime,
    tags: list[str] | None = None,
    metadata: Mapping[str, str] | None = None,
    title: str = DEFAULT_TITLE,
) -> Any:
    """An Evidently snapshot of the window's volume, rates and accuracies (one point per series).

    ``RowCount`` is the volume; ``MeanValue`` of ``automated``, ``accepted``, ``expected_correct`` (CBPE) and
    ``correct`` (measured accuracy, labelled rows only) are the rates; ``SumValue`` of ``safeguarding`` and
    ``labelled`` are counts.
    """
    import os

    os.environ.setdefault("DO_NOT_TRACK", "1")
    from evidently import DataDefinition, Dataset, Report
    from evidently.metrics import MeanValue, RowCount, SumValue

    data = snapshot_frame(frame)
    data = data[[c for c in data.columns if data[c].notna().any()]]  # all-null columns break Evidently's stats
    metrics: list[Any] = [RowCount()]
    metrics += [MeanValue(column=c) for c in ("automated", "accepted", "expected_correct", "correct") if c in data]
    metrics += [SumValue(column=c) for c in ("safeguarding", "labelled") if c in data]
    dataset = Dataset.from_pandas(data, data_definition=DataDefinition(numerical_columns=list(data.columns)))
    report = Report(metrics)
    return report.run(
        dataset,
        None,
        timestamp=_naive_utc(timestamp),
        tags=list(tags or []),
        metadata=dict(metadata or {}),
        name=title,
    )


def _naive_utc(moment: datetime) -> datetime:
    """Evidently's UI compares naive timestamps: store UTC without the offset."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


# --- writing -----------------------------------------------------------------------------------------------------


def write_quality_report(summary: QualitySummary, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``quality.html`` and ``quality.json`` into ``out_dir`` (new or empty), atomically."""
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ConfigError(f"{out_dir} already exists and is not an empty folder. Choose another --out-dir.")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        (staging / JSON_NAME).write_text(summary.model_dump_json(indent=2), encoding="utf-8")
        (staging / HTML_NAME).write_text(render_quality_html(summary), encoding="utf-8")
        if out_dir.exists():
            out_dir.rmdir()
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / HTML_NAME, out_dir / JSON_NAME


def load_quality(path: str | Path) -> QualitySummary:
    return QualitySummary.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))


def accuracy_sentence(summary: QualitySummary) -> str:
    """Measured and estimated accuracy in one plain sentence."""
    est = summary.estimated
    text = (
        f"Estimated accuracy {h.pct(est.accuracy)} (95% interval {h.pct(est.lower)} to {h.pct(est.upper)}) "
        f"over {summary.n} decisions"
    )
    if summary.measured.accuracy is None:
        return text + "; no feedback labels yet, so nothing is measured."
    check = summary.estimate_check
    return (
        text + f"; measured accuracy {h.pct(summary.measured.accuracy)} on {summary.n_labelled} labelled decisions "
        f"(the estimate on those same decisions: {h.pct(check.estimated.accuracy)}, "
        f"error {h.points(check.error)}{'' if check.within_interval else ', outside its interval'})."
    )


def render_quality_html(summary: QualitySummary) -> str:
    ref = summary.reference
    context = " · ".join(f"{h.esc(k)}: {h.esc(v)}" for k, v in summary.context.items())
    parts = [
        f"<h1>{h.esc(summary.title)}</h1>",
        f'<p class="meta">Window {h.esc(summary.window)} · {summary.n} decisions'
        f"{' · ' + context if context else ''}</p>",
        f'<div class="summary"><p>{h.esc(accuracy_sentence(summary))}</p>'
        f"<p>Automation rate (self-service) {h.pct(summary.self_service_share)}; accepted "
        f"{h.pct(summary.accepted_share)}; safeguarding hand-offs {summary.safeguarding}; "
        f"misroutes found through feedback {summary.misroutes.total}.</p></div>",
        h.bullets(h.esc(note) for note in summary.notes),
        "<h2>Against the training reference</h2>",
        h.table(
            ["measure", "this window", "reference"],
            [
                [
                    "estimated accuracy",
                    h.pct(summary.estimated.accuracy),
                    h.pct(ref.estimated_accuracy if ref else None),
                ],
                ["measured accuracy", h.pct(summary.measured.accuracy), h.pct(ref.measured_accuracy if ref else None)],
                ["accepted share", h.pct(summary.accepted_share), h.pct(ref.accepted_share if ref else None)],
                [
                    "self-service share",
                    h.pct(summary.self_service_share),
                    h.pct(ref.self_service_share if ref else None),
                ],
            ],
            numeric=(1, 2),
        ),
        "<h2>Routes, queues and rules</h2>",
        h.table(["route", "decisions"], summary.route_mix.items(), numeric=(1,)),
        h.table(["queue", "decisions"], summary.queue_mix.items(), numeric=(1,)),
        h.table(["rule", "decisions"], summary.rules.items(), numeric=(1,)),
        "<h2>Segments</h2>",
        h.table(
            ["segment", "value", "decisions", "labelled", "accuracy", "estimated", "gap vs overall", "flag"],
            [
                [
                    s.column,
                    s.value,
                    s.n,
                    s.n_labelled,
                    h.pct(s.accuracy),
                    h.pct(s.estimated_accuracy),
                    h.points(s.gap),
                    "GAP" if s.flagged else ("" if s.evaluated else "too few labels"),
                ]
                for s in summary.segments
            ],
            numeric=(2, 3, 4, 5, 6),
            flagged=[s.flagged for s in summary.segments],
        ),
        "<h2>Per intent (labelled decisions)</h2>",
        h.table(
            ["intent", "true", "recall", "predicted", "precision", "estimated precision"],
            [
                [i.intent, i.n_true, h.pct(i.recall), i.n_predicted, h.pct(i.precision), h.pct(i.estimated_precision)]
                for i in summary.per_intent
            ],
            numeric=(1, 2, 3, 4, 5),
        ),
        "<h2>Misroutes and corrections</h2>",
        h.table(
            ["kind", "decisions"],
            [
                ["self-service answer, but the true intent differed", summary.misroutes.wrong_self_service],
                ["self-service answer that did not resolve the contact", summary.misroutes.unresolved_self_service],
                ["accepted into the wrong queue", summary.misroutes.wrong_queue],
            ],
            numeric=(1,),
        ),
        h.table(
            ["predicted", "agent's intent", "decisions"],
            [[c.predicted, c.true_intent, c.n] for c in summary.top_corrections],
            numeric=(2,),
        ),
    ]
    return h.page(summary.title, "".join(parts))
