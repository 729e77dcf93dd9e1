"""`triage audit verify`: check that no decision, feedback or governance record was edited, deleted or reordered."""

from __future__ import annotations

from typing import Annotated

import typer

from triage.cli_support import handle_errors, print_json

app = typer.Typer(no_args_is_help=True)

EXIT_BROKEN = 1


@app.command("verify")
@handle_errors
def verify_command(
    db_url: Annotated[str | None, typer.Option(help="Decision log URL (default: TRIAGE_DB_URL).")] = None,
) -> None:
    """Walk every hash chain; print the first broken record of each and exit 1 if any chain is broken."""
    from triage.config import get_core_settings
    from triage.decision_log import DecisionLog
    from triage.governance import GovernanceStore

    log = DecisionLog(db_url or get_core_settings().db_url)
    try:
        reports = [*log.verify(), GovernanceStore(log.engine).verify()]
    finally:
        log.close()
    ok = all(report.ok for report in reports)
    print_json({"ok": ok, "chains": [report.model_dump(exclude_none=True) for report in reports]})
    if not ok:
        broken = next(r for r in reports if not r.ok)
        typer.echo(
            f"audit: chain {broken.chain!r} breaks at position {broken.position} ({broken.problem}): {broken.detail}",
            err=True,
        )
        raise typer.Exit(EXIT_BROKEN)
