"""The governance report: one self-contained HTML page a board can read, for a period of the decision log.

Plain-English summary first (is the system doing what it should, what changed, what needs a decision), then
the evidence: automation rate, misroutes found through feedback, measured beside estimated accuracy, drift,
segments with gaps flagged, safeguarding hand-offs, human corrections, model and threshold changes in the
period, and the alerts (failed checks). Charts are PNG images inlined as base64, each with alt text stating
its figures; there is no external CSS, JavaScript or font, so the file can be mailed or archived as it is.

The period is split into buckets (days up to :data:`MAX_DAILY_DAYS` days, weeks beyond); every bucket is
checked with :func:`monitoring.checks.run_check`, as a daily scheduled check would have been.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import BaseModel, Field

from monitoring import charts
from monitoring import html as h
from monitoring.checks import CheckConfig, ConditionResult, run_check
from monitoring.estimate import ESTIMATE_CAVEAT
from monitoring.quality import QualitySummary, summarise
from monitoring.window import Window

if TYPE_CHECKING:
    from triage.governance import GovernanceChange
    from triage.model import TriageModel

MAX_DAILY_DAYS = 31
TITLE = "Contact triage: governance report"
Status = Literal["ok", "attention", "action"]


class ModelChange(BaseModel):
    """A promotion recorded on a registry model version (tags ``promoted_at``, ``promoted_by``, ...)."""

    at: datetime
    model: str
    version: str
    by: str
    reason: str
    previous_champion: str | None = None
    forced: bool = False


class Bucket(BaseModel):
    """One day (or week) of the period and its check."""

    label: str
    start: datetime
    end: datetime
    n: int
    self_service_share: float | None
    accepted_share: float | None
    estimated: float | None
    estimated_lower: float | None
    estimated_upper: float | None
    measured: float | None
    n_labelled: int
    safeguarding: int
    drift: bool | None = Field(description="None when the drift condition could not run.")
    failed: list[ConditionResult]


class GovernanceData(BaseModel):
    """Everything the page shows (also useful as JSON)."""

    title: str = TITLE
    generated_at: datetime
    since: datetime
    until: datetime
    model_version: str
    status: Status
    quality: QualitySummary
    buckets: list[Bucket]
    model_versions_used: dict[str, int]
    model_changes: list[ModelChange]
    model_changes_note: str | None = None
    governance_changes: list[dict[str, Any]]
    open_alerts: list[ConditionResult]
    decisions_needed: list[str]
    transparency_record: str | None = Field(default=None, description="Link to the ATRS record (URL or path).")


def buckets_for(since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """Days when the period is at most :data:`MAX_DAILY_DAYS` days long, else weeks (the last one may be short)."""
    step = timedelta(days=1) if until - since <= timedelta(days=MAX_DAILY_DAYS) else timedelta(days=7)
    edges = []
    start = since
    while start < until:
        edges.append((start, min(start + step, until)))
        start += step
    return edges


def collect(
    window: Window,
    *,
    model: TriageModel,
    model_version: str,
    reference: pd.DataFrame | None,
    config: CheckConfig | None = None,
    model_changes: Sequence[ModelChange] = (),
    model_changes_note: str | None = None,
    governance_changes: Sequence[GovernanceChange] = (),
) -> GovernanceData:
    """Gather the report's figures for ``window`` (a decision-log window with a start and an end)."""
    assert window.start is not None and window.end is not None, "the governance report needs a dated window"
    config = config or CheckConfig()
    quality = summarise(window, model=model, options=config.quality_options(), context={"model": model_version})
    frame = window.frame
    times = pd.to_datetime(frame["created_at"], utc=True)
    buckets: list[Bucket] = []
    for start, end in buckets_for(window.start, window.end):
        part = frame[((times >= start) & (times < end)).to_numpy()].reset_index(drop=True)
        label = start.strftime("%d %b") if end - start <= timedelta(days=1) else f"w/c {start:%d %b}"
        if part.empty:
            buckets.append(_empty_bucket(label, start, end, config))
            continue
        sub = Window(frame=part, start=start, end=end, source=window.source)
        outcome = run_check(sub, model=model, reference=reference, config=config)
        q = outcome.quality
        drift_result = next(
            (r for r in [*outcome.report.failed, *outcome.report.passed] if r.condition == "drift"), None
        )
        buckets.append(
            Bucket(
                label=label,
                start=start,
                end=end,
                n=q.n,
                self_service_share=q.self_service_share,
                accepted_share=q.accepted_share,
                estimated=q.estimated.accuracy,
                estimated_lower=q.estimated.lower,
                estimated_upper=q.estimated.upper,
                measured=q.measured.accuracy,
                n_labelled=q.n_labelled,
                safeguarding=q.safeguarding,
                drift=None if drift_result is None else drift_result.status == "fail",
                failed=outcome.report.failed,
            )
        )
    open_alerts = buckets[-1].failed if buckets else []
    status: Status = "action" if open_alerts else ("attention" if any(b.failed for b in buckets) else "ok")
    return GovernanceData(
        generated_at=datetime.now(UTC),
        since=window.start,
        until=window.end,
        model_version=model_version,
        status=status,
        quality=quality,
        buckets=buckets,
        model_versions_used={
            str(k): int(v) for k, v in frame["model_version"].fillna("unknown").value_counts().items()
        },
        model_changes=sorted(model_changes, key=lambda c: c.at),
        model_changes_note=model_changes_note,
        governance_changes=[
            {
                "at": c.at,
                "actor": c.actor,
                "action": c.action,
                "target": c.target,
                "value": c.value,
                "reason": c.reason,
            }
            for c in governance_changes
            if window.start <= c.at < window.end
        ],
        open_alerts=open_alerts,
        decisions_needed=decisions_needed(open_alerts, quality),
    )


def _empty_bucket(label: str, start: datetime, end: datetime, config: CheckConfig) -> Bucket:
    failed = []
    if config.volume.enabled and config.volume.min_rows > 0:
        failed.append(
            ConditionResult(
                condition="volume",
                status="fail",
                message="No decisions in this period: was the service receiving contacts?",
                value=0.0,
                threshold=float(config.volume.min_rows),
            )
        )
    return Bucket(
        label=label,
        start=start,
        end=end,
        n=0,
        self_service_share=None,
        accepted_share=None,
        estimated=None,
        estimated_lower=None,
        estimated_upper=None,
        measured=None,
        n_labelled=0,
        safeguarding=0,
        drift=None,
        failed=failed,
    )


_DECISIONS = {
    "volume": "Check that contacts are reaching the service: the last period had too few decisions to judge.",
    "drift": "Contacts have moved away from what the model was trained on. Decide whether to retrain on recent "
    "labelled feedback (triage train --include-feedback) and re-tune thresholds, or to accept the change.",
    "estimated_accuracy": "The model is less sure of itself than in training, so fewer contacts are automated and "
    "more go to people. Decide whether to retrain on recent contacts.",
    "accepted_share": "The share of contacts the policy acts on has left its normal band. Review the thresholds "
    "against the misroute target before accepting the new level.",
    "measured_accuracy": "Agents' feedback shows accuracy below its floor. Decide whether to retrain, or to switch "
    "off automation for the intents most corrected (governance controls) until then.",
    "estimate_gap": "The model is wrong more often than its confidence says (concept drift, or a need it never "
    "learned). Review the corrections below; decide on retraining or a taxonomy change.",
}


def decisions_needed(open_alerts: Sequence[ConditionResult], quality: QualitySummary) -> list[str]:
    """What a board is asked to decide, from the alerts still open at the end of the period."""
    needed: list[str] = []
    for alert in open_alerts:
        kind = alert.condition.split(":", 1)[0]
        if kind == "intent_gap":
            needed.append(
                f"{alert.message} Decide whether the taxonomy or the training labels must change, and whether "
                "to switch off automation for that intent meanwhile."
            )
        elif kind == "drift":
            columns = ", ".join(alert.details.get("drifted_columns", {})) or "several columns"
            needed.append(f"Drift in {columns}. {_DECISIONS['drift']}")
        elif kind == "segment_gap":
            needed.append(
                f"{alert.message} Decide whether to investigate that group of contacts or route it to people."
            )
        elif kind in _DECISIONS and _DECISIONS[kind] not in needed:
            needed.append(_DECISIONS[kind])
    precision, target = quality.accepted_precision, quality.target_precision
    if precision is not None and target is not None and precision < target:
        needed.append(
            f"Accepted decisions were right {h.pct(precision)} of the time on {quality.n_accepted_labelled} labelled "
            f"contacts, below the {h.pct(target)} the thresholds were tuned to: decide whether to raise thresholds "
            f"({quality.misroutes.wrong_self_service} citizens got a self-service answer for the wrong need)."
        )
    return needed


def _status_sentence(data: GovernanceData) -> str:
    if data.status == "ok":
        return "Yes: every daily check passed and nothing needs a decision beyond what is listed below."
    if data.status == "attention":
        days = [b.label for b in data.buckets if b.failed]
        return (
            f"Mostly: checks failed on {len(days)} of {len(data.buckets)} periods ({', '.join(days[:6])}"
            f"{'...' if len(days) > 6 else ''}) but none is still failing at the end of the period."
        )
    return "Not entirely: some checks were still failing at the end of the period (open alerts below)."


def summary_points(data: GovernanceData) -> list[str]:
    """The plain-English summary, one sentence per point (escaped HTML)."""
    q = data.quality
    drift_days = [b for b in data.buckets if b.drift]
    judged = [b for b in data.buckets if b.drift is not None]
    points = [
        f"<strong>Is the system doing what it should?</strong> {h.esc(_status_sentence(data))}",
        h.esc(
            f"{q.n} contacts were routed between {data.since:%d %b %Y} and {data.until:%d %b %Y}: "
            f"{h.pct(q.self_service_share)} were answered by self-service (the automation rate) and the rest went "
            f"to people; {q.safeguarding} were handed to the safeguarding team."
        ),
    ]
    if q.measured.accuracy is not None:
        points.append(
            h.esc(
                f"Accuracy measured from agents' feedback was {h.pct(q.measured.accuracy)} on {q.n_labelled} "
                f"labelled contacts; the estimate from the model's confidence was {h.pct(q.estimated.accuracy)}. "
                f"Feedback found {q.misroutes.total} misroutes and {q.corrections} corrected intents."
                + (
                    f" Decisions the policy acted on were right {h.pct(q.accepted_precision)} of the time "
                    f"(thresholds tuned for {h.pct(q.target_precision)})."
                    if q.accepted_precision is not None and q.target_precision is not None
                    else ""
                )
            )
        )
    else:
        points.append(
            h.esc(
                f"No feedback labels yet: accuracy is estimated at {h.pct(q.estimated.accuracy)} from the model's "
                "confidence, which cannot see a change in what contacts mean."
            )
        )
    points.append(
        h.esc(
            f"Drift against the training data was found on {len(drift_days)} of {len(judged)} periods checked"
            + (f" (first on {drift_days[0].label})." if drift_days else ".")
        )
    )
    changes = len(data.model_changes) + len(data.governance_changes)
    points.append(
        "<strong>What changed:</strong> "
        + h.esc(
            f"{len(data.model_changes)} model promotion(s) and {len(data.governance_changes)} governance change(s) "
            "(thresholds, automation switches)."
            if changes
            else "No model promotions and no governance changes (thresholds, automation switches) in the period."
        )
    )
    points.append(
        "<strong>What needs a decision:</strong> "
        + (
            h.esc(" ".join(data.decisions_needed))
            if data.decisions_needed
            else "Nothing: no alert is open at the end of the period."
        )
    )
    return points


def _charts(data: GovernanceData) -> list[charts.Chart]:
    labels = [b.label for b in data.buckets]
    period = f"{data.since:%d %b} to {data.until:%d %b %Y}"
    out = [
        charts.volume_and_automation(
            labels, [b.n for b in data.buckets], [b.self_service_share for b in data.buckets], period=period
        ),
        charts.accuracy(
            labels,
            [b.measured for b in data.buckets],
            [b.estimated for b in data.buckets],
            [b.estimated_lower for b in data.buckets],
            [b.estimated_upper for b in data.buckets],
            period=period,
        ),
        charts.safeguarding(labels, [b.safeguarding for b in data.buckets], period=period),
    ]
    evaluated = [s for s in data.quality.segments if s.evaluated]
    if evaluated:
        out.append(
            charts.segments(
                [f"{s.column}: {s.value}" for s in evaluated],
                [s.accuracy for s in evaluated],
                [s.flagged for s in evaluated],
                data.quality.measured.accuracy,
            )
        )
    return out


def render(data: GovernanceData) -> str:
    """The report as one self-contained HTML page."""
    q = data.quality
    figures = _charts(data)
    css = {"ok": "status-ok", "attention": "status-warn", "action": "status-bad"}[data.status]
    parts = [
        f"<header><h1>{h.esc(data.title)}</h1>",
        f'<p class="meta">{data.since:%d %B %Y} to {data.until:%d %B %Y} (UTC, end exclusive) · model in service '
        f"{h.esc(data.model_version)} · generated {data.generated_at:%d %B %Y %H:%M} UTC</p></header>",
        f'<section id="summary" class="summary {css}" aria-label="Summary"><h2>Summary</h2>'
        f"{h.bullets(summary_points(data))}</section>",
        '<section id="automation"><h2>Automation</h2>',
        h.figure(figures[0].png_base64, alt=figures[0].alt, caption=figures[0].caption),
        h.table(
            ["measure", "period", "training reference"],
            [
                ["decisions", q.n, q.reference.n if q.reference else "n/a"],
                [
                    "automation rate (self-service)",
                    h.pct(q.self_service_share),
                    h.pct(q.reference.self_service_share if q.reference else None),
                ],
                [
                    "accepted by the policy",
                    h.pct(q.accepted_share),
                    h.pct(q.reference.accepted_share if q.reference else None),
                ],
                ["asked for a person", q.human_requests, ""],
            ],
            numeric=(1, 2),
        ),
        "</section>",
        '<section id="misroutes"><h2>Misroutes found through feedback</h2>',
        h.table(
            ["kind", "contacts"],
            [
                ["self-service answer, but the agent found another need", q.misroutes.wrong_self_service],
                ["self-service answer that did not resolve the contact", q.misroutes.unresolved_self_service],
                ["sent to the wrong team's queue", q.misroutes.wrong_queue],
                ["total", q.misroutes.total],
            ],
            numeric=(1,),
        ),
        "</section>",
        '<section id="accuracy"><h2>Accuracy: measured and estimated</h2>',
        h.figure(figures[1].png_base64, alt=figures[1].alt, caption=figures[1].caption),
        f"<p>{h.esc(_accuracy_text(q))}</p>",
        f'<p class="note">{h.esc(ESTIMATE_CAVEAT)}</p>',
        "</section>",
        '<section id="drift"><h2>Drift and daily checks</h2>',
        h.table(
            ["period", "decisions", "labelled", "automation", "estimated", "measured", "drift", "failed checks"],
            [
                [
                    b.label,
                    b.n,
                    b.n_labelled,
                    h.pct(b.self_service_share),
                    h.pct(b.estimated),
                    h.pct(b.measured),
                    "n/a" if b.drift is None else ("yes" if b.drift else "no"),
                    ", ".join(f.condition for f in b.failed) or "none",
                ]
                for b in data.buckets
            ],
            numeric=(1, 2, 3, 4, 5),
            flagged=[bool(b.failed) for b in data.buckets],
        ),
        "</section>",
        '<section id="segments"><h2>Segments</h2>',
        *(
            [h.figure(figures[3].png_base64, alt=figures[3].alt, caption=figures[3].caption)]
            if len(figures) > 3
            else []
        ),
        h.table(
            ["segment", "value", "contacts", "labelled", "accuracy", "gap vs overall", "flag"],
            [
                [
                    s.column,
                    s.value,
                    s.n,
                    s.n_labelled,
                    h.pct(s.accuracy),
                    h.points(s.gap),
                    "GAP" if s.flagged else ("" if s.evaluated else "too few labels to judge"),
                ]
                for s in q.segments
            ],
            numeric=(2, 3, 4, 5),
            flagged=[s.flagged for s in q.segments],
        ),
        "</section>",
        '<section id="safeguarding"><h2>Safeguarding hand-offs</h2>',
        h.figure(figures[2].png_base64, alt=figures[2].alt, caption=figures[2].caption),
        h.table(["category", "contacts"], q.safeguarding_categories.items(), numeric=(1,)),
        "</section>",
        '<section id="corrections"><h2>Human corrections</h2>',
        f"<p>Agents corrected the predicted intent on {q.corrections} of {q.n_labelled} labelled contacts"
        f"{h.esc(' (' + h.pct(q.corrections / q.n_labelled) + ')') if q.n_labelled else ''}. Most frequent:</p>",
        h.table(
            ["model said", "agent said", "contacts"],
            [[c.predicted, c.true_intent, c.n] for c in q.top_corrections],
            numeric=(2,),
        ),
        "</section>",
        '<section id="changes"><h2>Model and threshold changes</h2>',
        "<h3>Model promotions (registry)</h3>",
        f'<p class="note">{h.esc(data.model_changes_note)}</p>' if data.model_changes_note else "",
        h.table(
            ["when", "model", "version", "by", "previous champion", "reason"],
            [
                [
                    f"{c.at:%d %b %Y %H:%M}",
                    c.model,
                    c.version,
                    c.by,
                    c.previous_champion or "none",
                    c.reason + (" (forced)" if c.forced else ""),
                ]
                for c in data.model_changes
            ],
        ),
        "<h3>Governance changes (kill switch, automation per intent, thresholds)</h3>",
        h.table(
            ["when", "who", "action", "target", "value", "reason"],
            [
                [f"{c['at']:%d %b %Y %H:%M}", c["actor"], c["action"], c["target"], c["value"], c["reason"]]
                for c in data.governance_changes
            ],
        ),
        "<h3>Models that made the decisions</h3>",
        h.table(["model version", "decisions"], data.model_versions_used.items(), numeric=(1,)),
        "</section>",
        '<section id="alerts"><h2>Open alerts</h2>',
        "<p>Checks failing for the last period of the report (as the scheduled check would report them):</p>",
        h.table(["condition", "finding"], [[a.condition, a.message] for a in data.open_alerts]),
        "</section>",
        _transparency_section(data.transparency_record),
    ]
    return h.page(f"{data.title}: {data.since:%d %b %Y} to {data.until:%d %b %Y}", "".join(parts))


def _transparency_section(link: str | None) -> str:
    """Where the public transparency record (ATRS) is, or how to make one."""
    body = (
        f'<p>The Algorithmic Transparency Recording Standard record for this service: <a href="{h.esc(link)}">'
        f"{h.esc(link)}</a>.</p>"
        if link
        else "<p>No transparency record is linked. Write one with <code>triage report atrs --out atrs.html</code> "
        "and pass it with <code>--atrs</code>.</p>"
    )
    return f'<section id="transparency"><h2>Transparency record</h2>{body}</section>'


def _accuracy_text(q: QualitySummary) -> str:
    if q.measured.accuracy is None:
        return f"Estimated accuracy {h.pct(q.estimated.accuracy)}; no feedback labels in the period."
    check = q.estimate_check
    return (
        f"Measured accuracy {h.pct(q.measured.accuracy)} (95% interval {h.pct(q.measured.lower)} to "
        f"{h.pct(q.measured.upper)}) on {q.n_labelled} labelled contacts. On those same contacts the estimate was "
        f"{h.pct(check.estimated.accuracy)}: an error of {h.points(check.error)}. Over all {q.n} contacts the "
        f"estimate is {h.pct(q.estimated.accuracy)}. Training reference: measured "
        f"{h.pct(q.reference.measured_accuracy if q.reference else None)}, estimated "
        f"{h.pct(q.reference.estimated_accuracy if q.reference else None)}."
    )


def write_report(data: GovernanceData, out: str | Path) -> Path:
    """Write the page to ``out`` (written beside it first, then renamed: no half-written file)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        staging.write_text(render(data), encoding="utf-8")
        staging.replace(out)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return out


def registry_changes(client: Any, name: str, *, since: datetime, until: datetime) -> list[ModelChange]:
    """Promotions of versions of ``name`` recorded (by ``triage promote``) in ``[since, until)``.

    Only each version's latest promotion is kept in its tags, so a version promoted twice shows once.
    """
    changes = []
    for version in client.search_model_versions(f"name='{name}'"):
        tags = dict(version.tags or {})
        if "promoted_at" not in tags:
            continue
        at = datetime.fromisoformat(tags["promoted_at"])
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        if since <= at < until:
            changes.append(
                ModelChange(
                    at=at,
                    model=name,
                    version=str(version.version),
                    by=tags.get("promoted_by", "unknown"),
                    reason=tags.get("promotion_reason", ""),
                    previous_champion=tags.get("previous_champion") or None,
                    forced=tags.get("promotion_forced") == "true",
                )
            )
    return changes
