"""What the transparency record is filled from: the model, its MLflow run, and a window of the decision log.

Figures are read through stable seams only: the metrics, parameters and tags of the MLflow run that produced
the model version, and the result of the same checks ``triage monitor check`` runs (its report and the quality
summary), so the record says exactly what MLflow and the monitoring say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitoring.checks import CheckConfig, CheckReport
    from monitoring.quality import QualitySummary
    from monitoring.window import Window
    from training.registry import LoadedModel
    from triage.governance import GovernanceControls


@dataclass(frozen=True)
class RunFacts:
    """The MLflow run that trained a model version: its parameters, metrics and tags."""

    run_id: str | None
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    version_tags: dict[str, str] = field(default_factory=dict)
    registered_name: str | None = None
    registry_version: str | None = None
    registered_at: datetime | None = None
    note: str | None = None  # why figures could not be read, when they could not


@dataclass(frozen=True)
class MonitoringFacts:
    """The checks of ``triage monitor check`` over one window of the decision log (or why there are none)."""

    window: str
    model_version: str = ""
    report: CheckReport | None = None
    quality: QualitySummary | None = None
    controls: GovernanceControls | None = None
    note: str | None = None


def read_run_facts(client: Any, loaded: LoadedModel) -> RunFacts:
    """The run behind a registered version (``models:/...``) or a ``runs:/`` URI; empty facts for a folder."""
    from mlflow.exceptions import MlflowException

    run_id: str | None = None
    version_tags: dict[str, str] = {}
    registered_at = None
    try:
        if loaded.registered_name is not None and loaded.registry_version is not None:
            version = client.get_model_version(loaded.registered_name, loaded.registry_version)
            version_tags = dict(version.tags or {})
            run_id = version_tags.get("run_id") or version.run_id
            if version.creation_timestamp:
                registered_at = datetime.fromtimestamp(version.creation_timestamp / 1000, tz=UTC)
        elif loaded.uri.startswith("runs:/"):
            run_id = loaded.uri.removeprefix("runs:/").split("/", 1)[0]
        if run_id is None:
            return RunFacts(
                run_id=None,
                version_tags=version_tags,
                registered_name=loaded.registered_name,
                registry_version=loaded.registry_version,
                note=f"{loaded.uri} is not an MLflow model version or run, so no training figures can be read.",
            )
        run = client.get_run(run_id)
    except MlflowException as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return RunFacts(run_id=run_id, note=f"The MLflow run of {loaded.version} could not be read: {first}")
    return RunFacts(
        run_id=run_id,
        params=dict(run.data.params),
        metrics={k: float(v) for k, v in run.data.metrics.items()},
        tags=dict(run.data.tags),
        version_tags=version_tags,
        registered_name=loaded.registered_name,
        registry_version=loaded.registry_version,
        registered_at=registered_at,
    )


def read_monitoring_facts(
    window: Window,
    *,
    loaded: LoadedModel,
    config: CheckConfig,
    controls: GovernanceControls | None = None,
) -> MonitoringFacts:
    """Run the alert checks over ``window`` against the model's reference, as ``triage monitor check`` does."""
    from monitoring.checks import run_check
    from monitoring.frames import ReferenceMissingError, reference_frame

    try:
        reference = reference_frame(loaded.model, model_version=loaded.version)
    except ReferenceMissingError:
        reference = None
    outcome = run_check(
        window,
        model=loaded.model,
        reference=reference,
        config=config,
        context={"model_version": loaded.version, "source": window.source},
    )
    return MonitoringFacts(
        window=window.label,
        model_version=loaded.version,
        report=outcome.report,
        quality=outcome.quality,
        controls=controls,
    )
