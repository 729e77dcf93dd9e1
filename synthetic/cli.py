"""``triage synth``: generate contacts, drift streams and fidelity reports.

Commands are thin: they call library functions and print a one-line JSON summary (the report prints
the full report). Deliberate errors print ``error: <message>`` to stderr and exit with status 2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from triage.errors import TriageError

app = typer.Typer(
    help="Synthetic labelled contacts, drift streams and fidelity reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@contextmanager
def _errors_to_exit() -> Iterator[None]:
    try:
        yield
    except TriageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _echo(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(payload, sort_keys=False, default=str))


def _params(pairs: list[str]) -> dict[str, str]:
    from triage.errors import DataError

    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise DataError(f"--param {pair!r} must look like key=value (e.g. --param share=0.3).")
        out[key.strip()] = value.strip()
    return out


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Output file: .csv, .jsonl or .parquet.")],
    n: Annotated[int, typer.Option(help="Number of contacts.")] = 12_000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives byte-identical output.")] = 7,
    split: Annotated[
        bool, typer.Option("--split", help="Also write <stem>_train/_validation/_test files (held-out families).")
    ] = False,
) -> None:
    """Generate labelled synthetic contacts for the default council taxonomy."""
    with _errors_to_exit():
        from synthetic.files import sibling, write_table
        from synthetic.generator import generate_contacts
        from synthetic.splits import leakage_report, split_by_family

        frame = generate_contacts(n, seed)
        write_table(frame, out)
        summary: dict[str, Any] = {"out": str(out), "rows": len(frame), "intents": int(frame["intent"].nunique())}
        if split:
            parts = split_by_family(frame, seed=seed)
            for name, part in parts.items():
                write_table(part, sibling(out, f"_{name}"))
            summary["splits"] = {name: len(part) for name, part in parts.items()}
            summary["leakage"] = leakage_report(parts)["total"]
        summary["seed"] = seed
        _echo(summary)


@app.command()
def stream(
    out: Annotated[Path, typer.Option(help="Output file: .csv, .jsonl or .parquet (meta beside it).")],
    scenario: Annotated[str, typer.Option(help="Drift scenario, e.g. none, seasonal_mix, channel_shift.")] = "none",
    days: Annotated[int, typer.Option(help="Days in the stream.")] = 28,
    per_day: Annotated[int, typer.Option(help="Contacts per day.")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    change_day: Annotated[int | None, typer.Option(help="Day index where drift starts (default days // 2).")] = None,
    start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD (default 2026-01-05).")] = None,
    param: Annotated[list[str] | None, typer.Option(help="Scenario parameter key=value (repeatable).")] = None,
) -> None:
    """Generate a timestamped stream that drifts from the change day on; writes <out>.meta.json too."""
    with _errors_to_exit():
        from synthetic.files import write_table
        from synthetic.stream import generate_stream
        from triage.errors import DataError

        try:
            first = date.fromisoformat(start) if start else None
        except ValueError:
            raise DataError(f"--start {start!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-05.") from None
        frame, meta = generate_stream(
            scenario,
            days=days,
            per_day=per_day,
            seed=seed,
            change_day=change_day,
            start=first,
            params=_params(param or []),
        )
        write_table(frame, out)
        meta_path = Path(f"{out}.meta.json")
        meta_path.write_text(meta.model_dump_json(indent=2) + "\n", encoding="utf-8")
        _echo(
            {
                "out": str(out),
                "meta": str(meta_path),
                "scenario": meta.scenario,
                "rows": meta.rows,
                "drifted_rows": meta.drifted_rows,
                "change_day": meta.change_day,
                "change_point": meta.change_point,
            }
        )


@app.command()
def report(
    data: Annotated[Path, typer.Option(help="Contacts file (.csv, .jsonl, .parquet).")],
    out: Annotated[Path | None, typer.Option(help="Also save the report as JSON here.")] = None,
    split: Annotated[
        bool, typer.Option("--split", help="Use the <stem>_train/_validation/_test files beside --data.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed for splitting by family when no splits are given.")] = 7,
    baseline: Annotated[bool, typer.Option(help="Train the TF-IDF baseline to measure difficulty.")] = True,
) -> None:
    """Fidelity report: balance, lengths, vocabulary, duplicates, leakage, shares, baseline difficulty."""
    with _errors_to_exit():
        from synthetic.fidelity import fidelity_report
        from synthetic.files import read_table, sibling
        from synthetic.splits import SPLITS

        frame = read_table(data)
        splits = {name: read_table(sibling(data, f"_{name}")) for name in SPLITS} if split else None
        result = fidelity_report(frame, splits=splits, seed=seed, baseline=baseline)
        text = json.dumps(result, indent=2, default=str)
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text + "\n", encoding="utf-8")
        typer.echo(text)
