"""`triage promote`: move `champion` to the challenger only when it is not worse beyond a tolerance."""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from training.data import load_labelled
from training.evaluate import evaluate_model
from training.registry import CHALLENGER, CHAMPION, load_model, resolve_version, use_tracking
from triage.config import CoreSettings
from triage.errors import ModelNotFoundError, PromotionRefused, TriageError

GATE_METRICS = ("accuracy", "macro_f1")
DEFAULT_TOLERANCE = 0.01


@dataclass
class PromotionResult:
    registered_name: str
    promoted: bool
    champion_version: str
    previous_champion: str | None
    decision: str
    forced: bool = False
    comparison: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "registered_name": self.registered_name,
            "promoted": self.promoted,
            "champion_version": self.champion_version,
            "previous_champion": self.previous_champion,
            "forced": self.forced,
            "decision": self.decision,
            "comparison": self.comparison,
        }


def promote(
    *,
    settings: CoreSettings,
    registered_name: str = "triage",
    data: str | Path | None = None,
    text_column: str = "text",
    label_column: str = "intent",
    tolerance: float = DEFAULT_TOLERANCE,
    force: bool = False,
    reason: str | None = None,
) -> PromotionResult:
    """Gate and move the champion alias; every promotion is recorded in the version's tags."""
    if tolerance < 0:
        raise TriageError(f"--tolerance must be 0 or more, got {tolerance}.")
    client = use_tracking(settings)
    challenger = resolve_version(client, f"models:/{registered_name}@{CHALLENGER}")
    try:
        champion = resolve_version(client, f"models:/{registered_name}@{CHAMPION}")
    except ModelNotFoundError:
        champion = None

    if champion is not None and champion.version == challenger.version:
        return PromotionResult(
            registered_name,
            False,
            str(champion.version),
            str(champion.version),
            f"version {challenger.version} is already the champion; nothing to do",
        )
    comparison: dict[str, Any] = {}
    if champion is None:
        decision = "no champion yet: the challenger becomes champion"
    elif force:
        decision = f"forced by {_actor()}: {reason or 'no reason given'}"
    else:
        if data is None:
            raise TriageError(
                "A champion exists, so promotion needs an evaluation set: pass --data PATH "
                "(or --force with --reason to override the gate)."
            )
        comparison = compare(settings, registered_name, data, text_column, label_column, tolerance)
        if comparison["failed"]:
            raise PromotionRefused(
                f"Challenger v{challenger.version} is worse than champion v{champion.version} beyond the tolerance "
                f"{tolerance} on {', '.join(comparison['failed'])}: {json.dumps(comparison['metrics'])}. "
                "Improve the model, or use --force --reason '...' to override (recorded)."
            )
        decision = f"challenger is not worse than the champion beyond {tolerance} on {', '.join(GATE_METRICS)}"

    client.set_registered_model_alias(registered_name, CHAMPION, challenger.version)
    record = {
        "promoted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "promoted_by": _actor(),
        "promotion_forced": str(bool(force and champion is not None)).lower(),
        "promotion_reason": decision,
        "previous_champion": str(champion.version) if champion else "",
        "promotion_comparison": json.dumps(comparison.get("metrics", {}))[:4000],
    }
    for key, value in record.items():
        client.set_model_version_tag(registered_name, challenger.version, key, value)
    return PromotionResult(
        registered_name,
        True,
        str(challenger.version),
        str(champion.version) if champion else None,
        decision,
        forced=force and champion is not None,
        comparison=comparison,
    )


def compare(
    settings: CoreSettings, name: str, data: str | Path, text_column: str, label_column: str, tolerance: float
) -> dict[str, Any]:
    """Evaluate challenger and champion on the same data; list the gate metrics where it is worse."""
    frame = load_labelled(data, text_column=text_column, label_column=label_column)
    metrics: dict[str, dict[str, float | None]] = {}
    for alias in (CHALLENGER, CHAMPION):
        loaded = load_model(settings, f"models:/{name}@{alias}")
        report, _ = evaluate_model(
            loaded.model, frame, text_column=text_column, label_column=label_column, model_version=loaded.version
        )
        metrics[alias] = {metric: report.get(metric) for metric in GATE_METRICS}
    failed = [
        metric
        for metric in GATE_METRICS
        if (metrics[CHALLENGER][metric] or 0.0) < (metrics[CHAMPION][metric] or 0.0) - tolerance
    ]
    return {"metrics": metrics, "tolerance": tolerance, "failed": failed}


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
