"""CLI for serving and one-off routing (`triage serve`, `triage route`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from triage.cli_support import handle_errors, print_json

app = typer.Typer(no_args_is_help=True)

ROUTE_BATCH = 256


@app.command("serve")
@handle_errors
def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    dev: Annotated[bool, typer.Option("--dev", help="Development mode: allow running with no API keys.")] = False,
) -> None:
    """Serve the routing API (model from TRIAGE_MODEL_URI, decision log at TRIAGE_DB_URL)."""
    import uvicorn

    from serve.app import create_app
    from serve.settings import get_serve_settings

    settings = get_serve_settings()
    if dev:
        settings = settings.model_copy(update={"dev_mode": True})
    settings = settings.model_copy(update={"host": host, "port": port})
    app_ = create_app(settings)
    mode = "DEVELOPMENT MODE (no API key required)" if settings.dev_mode and not settings.api_key_set else "API keys on"
    typer.echo(
        f"triage: serving {settings.model_uri} on http://{host}:{port} [{mode}]; decision log {settings.db_url}",
        err=True,
    )
    uvicorn.run(app_, host=host, port=port, log_level="info")


@app.command("route")
@handle_errors
def route_command(
    text: Annotated[str | None, typer.Argument(help="One contact's text.")] = None,
    input: Annotated[Path | None, typer.Option("--input", help="CSV, JSONL or Parquet of contacts.")] = None,
    text_column: Annotated[str, typer.Option(help="Text column of --input.")] = "text",
    model_uri: Annotated[str | None, typer.Option(help="Default: TRIAGE_MODEL_URI.")] = None,
) -> None:
    """Print where a contact goes (one JSON decision), or one JSON line per row of --input, in order."""
    from training.data import load_texts
    from training.registry import load_model
    from triage.config import get_core_settings
    from triage.errors import DataError
    from triage.router import ContactRouter, ServingModel
    from triage.schemas import Contact

    if (text is None) == (input is None):
        raise DataError("Give either one TEXT argument or --input PATH (not both, not neither).")
    loaded = load_model(get_core_settings(), model_uri)
    router = ContactRouter(serving=ServingModel(model=loaded.model, version=loaded.version))
    if text is not None:
        if not text.strip():
            raise DataError("TEXT is empty; give the contact's words.")
        print_json(router.route([Contact(text=text)])[0].model_dump(mode="json"))
        return
    frame = load_texts(input, text_column=text_column)  # type: ignore[arg-type]
    texts = frame[text_column].tolist()
    for start in range(0, len(texts), ROUTE_BATCH):
        contacts = [Contact(text=t) for t in texts[start : start + ROUTE_BATCH]]
        for decision in router.route(contacts):
            sys.stdout.write(json.dumps(decision.model_dump(mode="json"), ensure_ascii=False) + "\n")
    sys.stdout.flush()


bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks that print figures.")


@bench_app.command("serve")
@handle_errors
def bench_serve_command(
    concurrency: Annotated[int, typer.Option(min=1, max=1024, help="Concurrent clients.")] = 32,
    duration: Annotated[float, typer.Option(min=1.0, help="Seconds of load.")] = 30.0,
    model_uri: Annotated[str | None, typer.Option(help="Default: TRIAGE_MODEL_URI.")] = None,
    data: Annotated[Path | None, typer.Option(help="Contacts to send (default: the model's reference sample).")] = None,
    text_column: Annotated[str, typer.Option(help="Text column of --data.")] = "text",
    batch_size: Annotated[int, typer.Option(min=1, help="Micro-batch size (service and bare model).")] = 64,
    move_champion_to: Annotated[
        str | None, typer.Option(help="Registry version to point @champion at half-way through (release test).")
    ] = None,
) -> None:
    """Drive the service over loopback and compare with the bare model's batched throughput (JSON)."""
    from serve.bench import run_bench, sample_texts
    from training.data import load_texts
    from training.registry import load_model, parse_registry_uri
    from triage.config import get_core_settings

    settings = get_core_settings()
    if model_uri:
        settings = settings.model_copy(update={"model_uri": model_uri})
    loaded = load_model(settings, settings.model_uri)
    texts = load_texts(data, text_column=text_column)[text_column].tolist() if data else sample_texts(loaded.model)
    move = None
    if move_champion_to is not None:
        name, _, _ = parse_registry_uri(settings.model_uri)
        move = (name, move_champion_to)
    result = run_bench(
        settings=settings,
        model=loaded.model,
        texts=texts,
        concurrency=concurrency,
        duration=duration,
        batch_size=batch_size,
        move_champion=move,
    )
    result["model_version"] = loaded.version
    print_json(result)
