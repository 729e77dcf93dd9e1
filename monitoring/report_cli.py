"""CLI for board reports (`triage report ...`)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from monitoring import cli as monitor_cli
from monitoring.cli import open_log, parse_moment, resolve_window
from triage.cli_support import handle_errors, print_json
from triage.errors import ConfigError

if TYPE_CHECKING:
    from monitoring.atrs_facts import MonitoringFacts, RunFacts
    from monitoring.checks import CheckConfig
    from training.registry import LoadedModel

app = typer.Typer(no_args_is_help=True)


@app.callback()
def report() -> None:
    """Reports for governance boards."""


def load_model_changes(model_uri: str, *, since: datetime, until: datetime) -> tuple[list, str | None]:
    """Registry promotions in the period, and a note when they cannot be read (a seam tests replace)."""
    from monitoring.governance_report import registry_changes

    if not model_uri.startswith("models:/"):
        return [], f"Model promotions are read from the MLflow registry; {model_uri} is not a registry model."
    from mlflow.exceptions import MlflowException

    from training.registry import parse_registry_uri, use_tracking
    from triage.config import get_core_settings

    name, _, _ = parse_registry_uri(model_uri)
    try:
        return registry_changes(use_tracking(get_core_settings()), name, since=since, until=until), None
    except (MlflowException, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [], f"Model promotions could not be read from the registry: {first}"


@app.command("governance")
@handle_errors
def governance_command(
    since: Annotated[str, typer.Option(help="Start of the period (ISO 8601 date or time; UTC if no offset).")],
    until: Annotated[str, typer.Option(help="End of the period (exclusive).")],
    out: Annotated[Path, typer.Option(help="The HTML file to write (one self-contained page).")],
    model_uri: Annotated[
        str | None, typer.Option(help="The model in service. Default: TRIAGE_MODEL_URI (models:/triage@champion).")
    ] = None,
    db_url: Annotated[str | None, typer.Option(help="Decision log URL. Default: TRIAGE_DB_URL.")] = None,
    config: Annotated[
        Path | None, typer.Option(help="Check conditions (YAML/JSON) for the alerts. Default: the documented defaults.")
    ] = None,
    atrs: Annotated[
        str | None,
        typer.Option(
            "--atrs",
            help="The transparency record to link to: its published URL, or the file `triage report atrs` wrote.",
        ),
    ] = None,
) -> None:
    """Write the governance report for a period: summary first, then automation, misroutes, accuracy,
    drift, segments, safeguarding, corrections, model and threshold changes, and open alerts.
    """
    from monitoring.checks import load_config
    from monitoring.frames import ReferenceMissingError, reference_frame
    from monitoring.governance_report import collect, write_report
    from monitoring.window import read_log_window
    from triage.config import get_core_settings
    from triage.governance import GovernanceStore

    start, end = parse_moment(since, option="--since"), parse_moment(until, option="--until")
    if start >= end:
        raise ConfigError(f"--since ({start.isoformat()}) must be before --until ({end.isoformat()}).")
    if out.suffix.lower() not in (".html", ".htm"):
        raise ConfigError(f"--out {out} should be an .html file.")
    link = transparency_link(atrs, report=out)
    settings = load_config(config)
    uri = model_uri or get_core_settings().model_uri
    loaded = monitor_cli.load_reference_model(uri)  # the monitor CLI's seam, so tests replace it in one place
    try:
        reference = reference_frame(loaded.model, model_version=loaded.version)
    except ReferenceMissingError:
        reference = None
    log = open_log(db_url)
    try:
        window = read_log_window(log, since=start, until=end)
        governance = GovernanceStore(log.engine).changes()
    finally:
        log.close()
    changes, note = load_model_changes(uri, since=start, until=end)
    data = collect(
        window,
        model=loaded.model,
        model_version=loaded.version,
        reference=reference,
        config=settings,
        model_changes=changes,
        model_changes_note=note,
        governance_changes=governance,
    )
    data.transparency_record = link
    path = write_report(data, out)
    print_json(
        {
            "out": str(path),
            "status": data.status,
            "decisions": data.quality.n,
            "open_alerts": [a.condition for a in data.open_alerts],
            "decisions_needed": data.decisions_needed,
        }
    )


def transparency_link(atrs: str | None, *, report: Path) -> str | None:
    """The link from the governance report to the transparency record: a URL as given, a file relative to the report."""
    if atrs is None or "://" in atrs:
        return atrs
    path = Path(atrs)
    if not path.is_file():
        raise ConfigError(
            f"--atrs {atrs}: no such file. Write it with `triage report atrs --out {atrs}`, or give its URL."
        )
    return Path(os.path.relpath(path.resolve(), report.resolve().parent)).as_posix()


def load_run_facts(loaded: LoadedModel) -> RunFacts:
    """The MLflow run behind the model (a seam tests replace)."""
    from monitoring.atrs_facts import read_run_facts
    from training.registry import use_tracking
    from triage.config import get_core_settings

    return read_run_facts(use_tracking(get_core_settings()), loaded)


@app.command("atrs")
@handle_errors
def atrs_command(
    out: Annotated[Path, typer.Option(help="The record to write: .json, .md or .html (the suffix chooses).")],
    model_uri: Annotated[
        str | None, typer.Option(help="The model in service. Default: TRIAGE_MODEL_URI (models:/triage@champion).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Start of the monitoring window (ISO 8601). Default: 7 days before --until.")
    ] = None,
    until: Annotated[str | None, typer.Option(help="End of the monitoring window (exclusive). Default: now.")] = None,
    db_url: Annotated[str | None, typer.Option(help="Decision log URL. Default: TRIAGE_DB_URL.")] = None,
    config: Annotated[
        Path | None, typer.Option(help="Check conditions (YAML/JSON) for the in-service figures. Default: defaults.")
    ] = None,
    no_monitoring: Annotated[
        bool, typer.Option("--no-monitoring", help="Leave out in-service figures (no decision log is read).")
    ] = False,
) -> None:
    """Write an Algorithmic Transparency Recording Standard (ATRS) record for the model: Tier 1 and Tier 2,
    pre-filled from the model card, taxonomy, policy, redaction, the version's MLflow metrics and the monitoring
    checks over the window; fields only the council can answer say "To be completed by the council."
    """
    from monitoring.atrs import build_record
    from monitoring.atrs_render import record_format, write_record
    from monitoring.atrs_schema import validate_record
    from monitoring.checks import load_config
    from triage.config import get_core_settings
    from triage.errors import TriageError

    record_format(out)
    if no_monitoring and (since or until or db_url):
        raise ConfigError("--since/--until/--db-url choose the monitoring window; leave them out with --no-monitoring.")
    settings = load_config(config)
    window = None if no_monitoring else resolve_window(since, until)
    loaded = monitor_cli.load_reference_model(model_uri or get_core_settings().model_uri)
    run = load_run_facts(loaded)
    monitoring = None if window is None else load_monitoring_facts(loaded, window, db_url=db_url, config=settings)
    record = build_record(loaded, run, monitoring)
    problems = validate_record(record)
    if problems:
        raise TriageError(f"The record does not match the ATRS field list (a bug; please report it): {problems[:5]}")
    path = write_record(record, out)
    print_json(
        {
            "out": str(path),
            "model_version": record.model_version,
            "run_id": record.run_id,
            "valid": True,
            **record.counts(),
            "council_fields": [f.key for s in record.sections for f in s.fields if f.status == "council"],
        }
    )


def load_monitoring_facts(
    loaded: LoadedModel, window: tuple[datetime, datetime], *, db_url: str | None, config: CheckConfig
) -> MonitoringFacts:
    """The monitoring checks over the decision-log window, or a note saying why there are none."""
    from monitoring.atrs_facts import MonitoringFacts, read_monitoring_facts
    from monitoring.frames import EmptyWindowError
    from monitoring.window import read_log_window
    from triage.governance import GovernanceStore

    start, end = window
    label = f"{start.isoformat()} to {end.isoformat()}"
    log = open_log(db_url)
    try:
        controls = GovernanceStore(log.engine).controls()
        try:
            decisions = read_log_window(log, since=start, until=end)
        except EmptyWindowError:
            note = f"No decisions in the decision log from {label}."
            return MonitoringFacts(window=label, model_version=loaded.version, controls=controls, note=note)
    finally:
        log.close()
    return read_monitoring_facts(decisions, loaded=loaded, config=config, controls=controls)
