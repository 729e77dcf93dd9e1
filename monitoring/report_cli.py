"""CLI for board reports (`triage report ...`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from monitoring import cli as monitor_cli
from monitoring.cli import open_log, parse_moment
from triage.cli_support import handle_errors, print_json
from triage.errors import ConfigError

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
