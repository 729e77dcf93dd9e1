"""The `triage` command: one root composing the stage CLIs (data, train, evaluate, serve, monitor)."""

from __future__ import annotations

import typer

from monitoring.cli import app as monitor_app
from monitoring.report_cli import app as report_app
from serve.cli import app as serve_app
from serve.cli import bench_app
from synthetic.cli import app as synth_app
from training.cli import app as training_app
from triage.audit_cli import app as audit_app


def build_app() -> typer.Typer:
    root = typer.Typer(
        name="triage",
        help="AI-assisted contact triage: generate data, train, evaluate, promote, route, serve, monitor.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    for sub in (training_app, serve_app):
        for command in sub.registered_commands:
            root.registered_commands.append(command)
    root.add_typer(synth_app, name="synth", help="Synthetic labelled contacts, drift streams, fidelity reports.")
    root.add_typer(monitor_app, name="monitor", help="Drift and quality monitoring over the decision log.")
    root.add_typer(report_app, name="report", help="Reports for governance boards (triage report governance).")
    root.add_typer(audit_app, name="audit", help="Verify the tamper-evident audit trail.")
    root.add_typer(bench_app, name="bench", help="Benchmarks that print figures (service throughput, latency).")
    return root


app = build_app()


def main() -> None:
    app()
