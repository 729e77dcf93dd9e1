"""CLI for monitoring (`triage monitor ...`): drift reports over the decision log or a file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from triage.cli_support import handle_errors, print_json
from triage.errors import ConfigError

if TYPE_CHECKING:
    from training.registry import LoadedModel

app = typer.Typer(no_args_is_help=True)


@app.callback()
def monitor() -> None:
    """Drift and quality monitoring over the decision log."""


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


def default_out_dir(now: datetime | None = None) -> Path:
    return Path("reports") / f"drift-{(now or datetime.now(UTC)).strftime('%Y%m%dT%H%M%SZ')}"


@app.command("drift")
@handle_errors
def drift_command(
    since: Annotated[
        str | None,
        typer.Option(
            help="Start of the decision-log window (ISO 8601; UTC if no offset). Default: 7 days before --until."
        ),
    ] = None,
    until: Annotated[str | None, typer.Option(help="End of the window (exclusive). Default: now.")] = None,
    current: Annotated[
        Path | None,
        typer.Option(
            help="Compare this CSV/JSONL/Parquet file instead of the decision log: scored decisions "
            "(text, intent, confidence) or raw contacts (text only), which the model routes first."
        ),
    ] = None,
    reference: Annotated[
        Path | None, typer.Option(help="Reference file (same formats as --current). Default: the model's reference.")
    ] = None,
    text_column: Annotated[
        str, typer.Option("--text-column", help="Column holding the text in --current/--reference.")
    ] = "text",
    model_uri: Annotated[str | None, typer.Option(help="Default: TRIAGE_MODEL_URI (models:/triage@champion).")] = None,
    db_url: Annotated[str | None, typer.Option(help="Decision log URL. Default: TRIAGE_DB_URL.")] = None,
    out_dir: Annotated[Path | None, typer.Option(help="Report folder. Default: reports/drift-<UTC timestamp>.")] = None,
    drift_share: Annotated[
        float, typer.Option(min=0.01, max=1.0, help="Share of drifted columns that counts as drift.")
    ] = 0.5,
    min_rows: Annotated[int, typer.Option(min=2, help="Rows needed on each side.")] = 30,
) -> None:
    """Compare recent decisions (or a file) with the model's reference; write HTML/JSON and print a summary.

    Drift is reported, not an error: the exit code is 0 whether or not drift is found.
    """
    from monitoring.drift import DriftOptions, run_drift_report
    from monitoring.frames import align, frame_from_file, read_window, reference_frame

    if current is not None and (since or until):
        raise ConfigError("--since/--until select a decision-log window; leave them out when you pass --current.")
    window = resolve_window(since, until) if current is None else None
    loaded = load_reference_model(model_uri)
    model, version = loaded.model, loaded.version
    context = {"model_version": version}
    if reference is not None:
        reference_data = frame_from_file(reference, model=model, text_column=text_column, model_version=version)
        context["reference"] = str(reference)
    else:
        reference_data = reference_frame(model, model_version=version)
        context["reference"] = f"training reference of {version}"
    if window is None:
        assert current is not None
        current_data = frame_from_file(current, model=model, text_column=text_column, model_version=version)
        context["current"] = str(current)
    else:
        from triage.config import get_core_settings
        from triage.decision_log import DecisionLog

        start, end = window
        log = DecisionLog(db_url or get_core_settings().db_url)
        try:
            current_data = read_window(log, since=start, until=end)
        finally:
            log.close()
        context["current"] = f"decision log {start.isoformat()} to {end.isoformat()}"
    reference_aligned, current_aligned = align(reference_data, current_data, vocabulary=model.vocabulary)
    summary = run_drift_report(
        reference_aligned,
        current_aligned,
        out_dir=out_dir or default_out_dir(),
        options=DriftOptions(drift_share=drift_share, min_rows=min_rows),
        context=context,
    )
    print_json(summary.model_dump(mode="json"))
