"""The monitoring dashboard: an Evidently workspace (default ``var/workspace``, git-ignored) and its project.

Every ``triage monitor drift``/``quality``/``check`` run adds its Evidently snapshot, dated with its window
(the window's start), to the project :data:`PROJECT_NAME`. A snapshot of the same kind for the same window
replaces the earlier one, so re-running a window never counts it twice. The project's dashboard
(:func:`dashboard_panels`) plots, per window: volume, automation rate and accepted share, drift (share of
drifted columns and the key columns' p-values), measured and estimated accuracy, and safeguarding hand-offs.
``triage monitor ui`` serves it on loopback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_WORKSPACE = Path("var/workspace")
PROJECT_NAME = "Contact triage monitoring"
PROJECT_DESCRIPTION = (
    "Decisions of the contact-triage service, one point per monitoring window: volume, automation, drift "
    "against the training reference, measured accuracy (agents' feedback) beside estimated accuracy (CBPE), "
    "and safeguarding hand-offs. The estimate cannot see concept drift or new intents: read it beside the "
    "measured line."
)
KIND_KEY, WINDOW_KEY = "kind", "window"
_METRIC = "evidently:metric_v2:"


@dataclass(frozen=True)
class PanelSpec:
    """One dashboard panel: a title, its kind of plot and the series (legend, metric, labels)."""

    title: str
    description: str
    plot: str  # "line", "bar" or "text"
    series: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = ()
    size: str = "half"


PANELS: tuple[PanelSpec, ...] = (
    PanelSpec("Contact triage", PROJECT_DESCRIPTION, "text", size="full"),
    PanelSpec("Volume", "Decisions per window.", "bar", (("decisions", "RowCount", ()),)),
    PanelSpec(
        "Automation",
        "Automation rate (share answered by self-service) and the share the policy accepted.",
        "line",
        (
            ("automation rate", "MeanValue", (("column", "automated"),)),
            ("accepted share", "MeanValue", (("column", "accepted"),)),
        ),
    ),
    PanelSpec(
        "Drift",
        "Share of compared columns that drifted against the training reference.",
        "line",
        (("drifted share", "DriftedColumnsCount", (("value_type", "share"),)),),
    ),
    PanelSpec(
        "Drift of key columns (p-values; low means drift)",
        "Out-of-vocabulary rate and the mix of predicted intents, queues and languages.",
        "line",
        tuple((column, "ValueDrift", (("column", column),)) for column in ("oov_rate", "intent", "queue", "language")),
    ),
    PanelSpec(
        "Accuracy: measured and estimated",
        "Measured: share of labelled decisions whose intent the agent confirmed. Estimated: CBPE (mean calibrated "
        "confidence), available before labels; it cannot see concept drift.",
        "line",
        (
            ("measured accuracy", "MeanValue", (("column", "correct"),)),
            ("estimated accuracy (CBPE)", "MeanValue", (("column", "expected_correct"),)),
        ),
        size="full",
    ),
    PanelSpec(
        "Safeguarding hand-offs",
        "Decisions routed to the safeguarding team (rule safeguarding:... or a safeguarding category).",
        "bar",
        (("hand-offs", "SumValue", (("column", "safeguarding"),)),),
    ),
    PanelSpec(
        "Feedback labels",
        "Decisions with an agent's feedback (what measured accuracy is computed on).",
        "bar",
        (("labelled", "SumValue", (("column", "labelled"),)),),
    ),
)


def _panel(spec: PanelSpec) -> Any:
    from evidently.sdk.models import PanelMetric
    from evidently.sdk.panels import bar_plot_panel, line_plot_panel, text_panel

    if spec.plot == "text":
        return text_panel(title=spec.title, description=spec.description, size=spec.size)
    values = [
        PanelMetric(legend=legend, metric=_METRIC + metric, metric_labels=dict(labels))
        for legend, metric, labels in spec.series
    ]
    factory = line_plot_panel if spec.plot == "line" else bar_plot_panel
    return factory(title=spec.title, values=values, description=spec.description, size=spec.size)


class MonitoringWorkspace:
    """The local Evidently workspace and the monitoring project in it (created with its panels on first use)."""

    def __init__(self, path: str | Path = DEFAULT_WORKSPACE, *, project_name: str = PROJECT_NAME) -> None:
        os.environ.setdefault("DO_NOT_TRACK", "1")
        from evidently.ui.workspace import Workspace

        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.workspace = Workspace(str(self.path))
        self.project_name = project_name
        self._project: Any = None

    @property
    def project(self) -> Any:
        if self._project is None:
            found = self.workspace.search_project(self.project_name)
            self._project = found[0] if found else self._create_project()
        return self._project

    def _create_project(self) -> Any:
        project = self.workspace.create_project(self.project_name, description=PROJECT_DESCRIPTION)
        for spec in PANELS:
            project.dashboard.add_panel(_panel(spec))
        return project

    def add(self, snapshot: Any, *, kind: str, window: str, metadata: Mapping[str, str] | None = None) -> str:
        """Add ``snapshot`` (dated by its window) as ``kind``; an earlier snapshot of that kind and window goes."""
        project_id = self.project.id
        for snapshot_id in list(self.workspace.list_runs(project_id)):
            stored = self.workspace.get_run(project_id, snapshot_id)
            if (
                stored is not None
                and stored.metadata.get(KIND_KEY) == kind
                and stored.metadata.get(WINDOW_KEY) == window
            ):
                self.workspace.delete_run(project_id, snapshot_id)
        from evidently.core.report import Snapshot

        model = snapshot.to_snapshot_model()
        model.metadata = {**model.metadata, **dict(metadata or {}), KIND_KEY: kind, WINDOW_KEY: window}
        model.tags = [*model.tags, kind] if kind not in model.tags else list(model.tags)
        return str(self.workspace.add_run(project_id, Snapshot.load_model(model)).id)

    def snapshots(self) -> list[Any]:
        """The stored snapshots (Evidently ``SnapshotModel``), oldest window first."""
        project_id = self.project.id
        runs = [self.workspace.get_run(project_id, s) for s in self.workspace.list_runs(project_id)]
        return sorted((r for r in runs if r is not None), key=lambda r: r.timestamp)

    def panels(self) -> list[Any]:
        return list(self.workspace.get_dashboard(self.project.id).panels)

    def series(self) -> dict[str, dict[str, list[tuple[datetime, float]]]]:
        """Each plotted panel's series as the UI computes them: ``{panel title: {legend: [(time, value)]}}``."""
        from evidently.legacy.utils.sync import async_to_sync
        from evidently.ui.service.base import SeriesFilter
        from evidently.ui.service.storage.local import create_local_project_manager

        manager = create_local_project_manager(str(self.path), False)
        out: dict[str, dict[str, list[tuple[datetime, float]]]] = {}
        for panel in self.panels():
            if not panel.values:
                continue
            out[panel.title] = {}
            for value in panel.values:
                response = async_to_sync(
                    manager.data_storage.get_data_series(
                        self.project.id,
                        [
                            SeriesFilter(
                                tags=value.tags,
                                metadata=value.metadata,
                                metric=value.metric,
                                metric_labels=value.metric_labels,
                            )
                        ],
                        None,
                        None,
                    )
                )
                times = [source.timestamp for source in response.sources]
                points: list[tuple[datetime, float]] = []
                for series in response.series:
                    points.extend((times[i], v) for i, v in enumerate(series.values) if v is not None)
                out[panel.title][value.legend or value.metric] = sorted(points)
        return out


def serve(path: str | Path = DEFAULT_WORKSPACE, *, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the workspace with Evidently's UI (blocks until stopped). No demo projects are created."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from evidently.ui.service.app import get_config, run

    MonitoringWorkspace(path).project  # noqa: B018 - create the project and its panels before the UI reads them
    run(get_config(host=host, port=port, workspace=str(path)))
