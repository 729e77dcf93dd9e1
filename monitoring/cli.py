"""CLI for monitoring (`triage monitor ...`): drift and quality reports, checks to alert on, the dashboard.

Every report and check reads one window: ``--since/--until`` over the decision log (default: the last 7 days)
or ``--current PATH`` (scored decisions or raw contacts). Each run adds its Evidently snapshot, dated by its
window, to the dashboard workspace (``--workspace``, default ``var/workspace``; ``--no-workspace`` to skip).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from monitoring.workspace import DEFAULT_WORKSPACE
from triage.cli_support import handle_errors, print_json
from triage.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable

    from monitoring.window import Window
    from training.registry import LoadedModel
    from triage.decision_log import DecisionLog

app = typer.Typer(no_args_is_help=True)


@app.callback()
def monitor() -> None:
    """Drift and quality monitoring over the decision log; checks for alerts; the dashboard."""


DEFAULT_WINDOW = timedelta(days=7)


def load_reference_model(uri: str | None) -> LoadedModel:
    """The model whose reference and vocabulary the drift report uses (a seam tests replace)."""
    from training.registry import load_model
    from triage.config import get_core_settings

    return load_model(get_core_settings(), uri)


def parse_moment(value: str, *, option: str) -> datetime:
    """An ISO 8601 date or time as aware UTC; a time without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ConfigError(
            f"{option} {value!r} is not an ISO 8601 date or time. Use e.g. 2025-01-31 or 2025-01-31T09:00:00Z."
        ) from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def resolve_window(since: str | None, until: str | None, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """``[since, until)``: by default the 7 days up to now."""
    end = parse_moment(until, option="--until") if until else (now or datetime.now(UTC))
    start = parse_moment(since, option="--since") if since else end - DEFAULT_WINDOW
    if start >= end:
        raise ConfigError(f"--since ({start.isoformat()}) must be before --until ({end.isoformat()}).")
    return start, end


def default_out_dir(now: datetime | None = None, *, kind: str = "drift") -> Path:
    return Path("reports") / f"{kind}-{(now or datetime.now(UTC)).strftime('%Y%m%dT%H%M%SZ')}"


SinceOption = Annotated[
    str | None,
    typer.Option(help="Start of the decision-log window (ISO 8601; UTC if no offset). Default: 7 days before --until."),
]
UntilOption = Annotated[str | None, typer.Option(help="End of the window (exclusive). Default: now.")]
CurrentOption = Annotated[
    Path | None,
    typer.Option(
        help="Read this CSV/JSONL/Parquet file instead of the decision log: scored decisions "
        "(text, intent, confidence) or raw contacts (text only), which the model routes first."
    ),
]
TextColumnOption = Annotated[str, typer.Option("--text-column", help="Column holding the text in --current.")]
LabelColumnOption = Annotated[
    str | None,
    typer.Option(
        "--label-column",
        help="Column holding the true intent in --current. Default: true_intent for scored decisions, "
        "intent for raw contacts.",
    ),
]
ModelUriOption = Annotated[str | None, typer.Option(help="Default: TRIAGE_MODEL_URI (models:/triage@champion).")]
DbUrlOption = Annotated[str | None, typer.Option(help="Decision log URL. Default: TRIAGE_DB_URL.")]
WorkspaceOption = Annotated[
    Path,
    typer.Option(
        help="Evidently workspace the run's snapshot is added to (the dashboard).",
        envvar="TRIAGE_MONITORING_WORKSPACE",
    ),
]
NoWorkspaceOption = Annotated[bool, typer.Option("--no-workspace", help="Do not add a snapshot to the workspace.")]


def load_window(
    *,
    since: str | None,
    until: str | None,
    current: Path | None,
    loaded: LoadedModel,
    db_url: str | None,
    text_column: str = "text",
    label_column: str | None = None,
) -> Window:
    """The window a command reads: ``--current`` file, or the decision log between ``--since`` and ``--until``."""
    from monitoring.window import read_file_window, read_log_window

    if current is not None:
        if since or until:
            raise ConfigError("--since/--until select a decision-log window; leave them out when you pass --current.")
        return read_file_window(
            current,
            model=loaded.model,
            text_column=text_column,
            label_column=label_column,
            model_version=loaded.version,
        )
    start, end = resolve_window(since, until)
    log = open_log(db_url)
    try:
        return read_log_window(log, since=start, until=end)
    finally:
        log.close()


def open_log(db_url: str | None) -> DecisionLog:
    from triage.config import get_core_settings
    from triage.decision_log import DecisionLog

    return DecisionLog(db_url or get_core_settings().db_url)


def workspace_sink(path: Path, *, enabled: bool, kind: str, window: Window) -> Callable[[object], None]:
    """A function adding a snapshot to the dashboard workspace (or doing nothing with --no-workspace)."""

    def add(snapshot: object) -> None:
        if enabled:
            from monitoring.workspace import MonitoringWorkspace

            MonitoringWorkspace(path).add(snapshot, kind=kind, window=window.label)

    return add


@app.command("drift")
@handle_errors
def drift_command(
    since: SinceOption = None,
    until: UntilOption = None,
    current: CurrentOption = None,
    reference: Annotated[
        Path | None, typer.Option(help="Reference file (same formats as --current). Default: the model's reference.")
    ] = None,
    text_column: Annotated[
        str, typer.Option("--text-column", help="Column holding the text in --current/--reference.")
    ] = "text",
    model_uri: ModelUriOption = None,
    db_url: DbUrlOption = None,
    out_dir: Annotated[Path | None, typer.Option(help="Report folder. Default: reports/drift-<UTC timestamp>.")] = None,
    drift_share: Annotated[
        float, typer.Option(min=0.01, max=1.0, help="Share of drifted columns that counts as drift.")
    ] = 0.5,
    min_rows: Annotated[int, typer.Option(min=2, help="Rows needed on each side.")] = 30,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    no_workspace: NoWorkspaceOption = False,
) -> None:
    """Compare recent decisions (or a file) with the model's reference; write HTML/JSON and print a summary.

    Drift is reported, not an error: the exit code is 0 whether or not drift is found.
    """
    from monitoring.drift import DriftOptions, run_drift_report
    from monitoring.frames import align, frame_from_file, from_decisions, reference_frame

    if current is not None and (since or until):
        raise ConfigError("--since/--until select a decision-log window; leave them out when you pass --current.")
    loaded = load_reference_model(model_uri)
    model, version = loaded.model, loaded.version
    context = {"model_version": version}
    if reference is not None:
        reference_data = frame_from_file(reference, model=model, text_column=text_column, model_version=version)
        context["reference"] = str(reference)
    else:
        reference_data = reference_frame(model, model_version=version)
        context["reference"] = f"training reference of {version}"
    window = load_window(
        since=since, until=until, current=current, loaded=loaded, db_url=db_url, text_column=text_column
    )
    context["current"] = str(current) if current is not None else f"decision log {window.label}"
    reference_aligned, current_aligned = align(
        reference_data, from_decisions(window.frame, source=window.source), vocabulary=model.vocabulary
    )
    summary = run_drift_report(
        reference_aligned,
        current_aligned,
        out_dir=out_dir or default_out_dir(),
        options=DriftOptions(drift_share=drift_share, min_rows=min_rows),
        context=context,
        timestamp=window.timestamp,
        on_snapshot=workspace_sink(workspace, enabled=not no_workspace, kind="drift", window=window),
    )
    print_json(summary.model_dump(mode="json"))


@app.command("quality")
@handle_errors
def quality_command(
    since: SinceOption = None,
    until: UntilOption = None,
    current: CurrentOption = None,
    text_column: TextColumnOption = "text",
    label_column: LabelColumnOption = None,
    model_uri: ModelUriOption = None,
    db_url: DbUrlOption = None,
    out_dir: Annotated[
        Path | None, typer.Option(help="Report folder. Default: reports/quality-<UTC timestamp>.")
    ] = None,
    min_segment_rows: Annotated[
        int, typer.Option(min=1, help="Labelled decisions a segment needs before its accuracy gap is judged.")
    ] = 50,
    max_segment_gap: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="A segment this far below overall accuracy is flagged.")
    ] = 0.10,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    no_workspace: NoWorkspaceOption = False,
) -> None:
    """Quality of a window: automation, estimated (CBPE) and measured accuracy, intents, segments, misroutes.

    Writes quality.html and quality.json and prints the summary. Measured accuracy needs feedback labels
    (POST /v1/feedback, or a label column in --current); the estimate needs none.
    """
    from monitoring.quality import QualityOptions, quality_snapshot, summarise, write_quality_report

    loaded = load_reference_model(model_uri)
    window = load_window(
        since=since,
        until=until,
        current=current,
        loaded=loaded,
        db_url=db_url,
        text_column=text_column,
        label_column=label_column,
    )
    options = QualityOptions(min_segment_rows=min_segment_rows, max_segment_gap=max_segment_gap)
    summary = summarise(
        window, model=loaded.model, options=options, context={"model_version": loaded.version, "source": window.source}
    )
    write_quality_report(summary, out_dir or default_out_dir(kind="quality"))
    if not no_workspace:
        workspace_sink(workspace, enabled=True, kind="quality", window=window)(
            quality_snapshot(window.frame, timestamp=window.timestamp, metadata={"model_version": loaded.version})
        )
    print_json(summary.model_dump(mode="json"))


@app.command("check")
@handle_errors
def check_command(
    since: SinceOption = None,
    until: UntilOption = None,
    current: CurrentOption = None,
    config: Annotated[
        Path | None,
        typer.Option(help="YAML/JSON file of conditions (see --print-config). Default: the documented defaults."),
    ] = None,
    print_config: Annotated[
        bool, typer.Option("--print-config", help="Print the effective configuration as JSON and exit.")
    ] = False,
    text_column: TextColumnOption = "text",
    label_column: LabelColumnOption = None,
    model_uri: ModelUriOption = None,
    db_url: DbUrlOption = None,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    no_workspace: NoWorkspaceOption = False,
    notify: Annotated[
        list[str] | None,
        typer.Option("--notify", help="Webhook URL to post the failed conditions to (repeatable).", show_default=False),
    ] = None,
    notify_format: Annotated[
        str, typer.Option("--notify-format", help="Webhook body: generic (JSON), slack or teams.")
    ] = "generic",
    email: Annotated[
        list[str] | None,
        typer.Option(
            "--email",
            help="Address to e-mail the failed conditions to (TRIAGE_SMTP_*; repeatable).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Evaluate the alert conditions over a window; exit 1 when any fails (for a scheduler to alert on).

    Prints JSON with the failed, passed and skipped conditions; "failed" is empty (and the exit code 0) when
    all pass. An empty window fails the volume condition. Exit code 2 means the check itself could not run.
    With --notify/--email the failed conditions (names, figures, window, model version; no personal data) are
    also sent, with retries; exit code 3 means a condition failed and an alert could not be delivered.
    """
    from monitoring.checks import config_json, empty_window_report, load_config, run_check
    from monitoring.frames import EmptyWindowError, ReferenceMissingError, reference_frame
    from monitoring.notify import alert_and_exit_code, alert_targets
    from monitoring.quality import quality_snapshot

    settings = load_config(config)
    if print_config:
        typer.echo(config_json(settings))
        return
    targets = alert_targets(notify, notify_format, email)
    loaded = load_reference_model(model_uri)
    context = {"model_version": loaded.version}
    try:
        window = load_window(
            since=since,
            until=until,
            current=current,
            loaded=loaded,
            db_url=db_url,
            text_column=text_column,
            label_column=label_column,
        )
    except EmptyWindowError as exc:
        report = empty_window_report(str(exc), config=settings, context=context)
        print_json(report.model_dump(mode="json"))
        window = f"{exc.since.isoformat()} to {exc.until.isoformat()}"
        raise typer.Exit(alert_and_exit_code(report, targets, window=window)) from exc
    try:
        reference = reference_frame(loaded.model, model_version=loaded.version)
    except ReferenceMissingError:
        reference = None
    context["source"] = window.source
    outcome = run_check(window, model=loaded.model, reference=reference, config=settings, context=context)
    if not no_workspace:
        add = workspace_sink(workspace, enabled=True, kind="quality", window=window)
        add(quality_snapshot(window.frame, timestamp=window.timestamp, metadata={"model_version": loaded.version}))
        if outcome.drift is not None:
            workspace_sink(workspace, enabled=True, kind="drift", window=window)(outcome.drift.snapshot)
    print_json(outcome.report.model_dump(mode="json"))
    code = alert_and_exit_code(outcome.report, targets)
    if code:
        raise typer.Exit(code)


@app.command("ui")
@handle_errors
def ui_command(
    workspace: Annotated[
        Path, typer.Option(help="The Evidently workspace to serve.", envvar="TRIAGE_MONITORING_WORKSPACE")
    ] = DEFAULT_WORKSPACE,
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8001,
) -> None:
    """Serve the monitoring dashboard (Evidently UI) for the workspace; stop with Ctrl+C."""
    from monitoring.workspace import serve

    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(
            f"warning: serving on {host} exposes the dashboard beyond this machine; it has no authentication.",
            err=True,
        )
    typer.echo(f"Monitoring dashboard for {workspace} on http://{host}:{port}", err=True)
    serve(workspace, host=host, port=port)
