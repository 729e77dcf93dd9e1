"""CLI for training, evaluation and promotion (`triage train|evaluate|promote`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from triage.classifiers import DEFAULT_MODEL_TYPE, MODEL_TYPES
from triage.cli_support import handle_errors, print_json

app = typer.Typer(no_args_is_help=True)

DataOpt = Annotated[Path, typer.Option("--data", help="CSV, JSONL or Parquet file.")]
TextCol = Annotated[str, typer.Option("--text-column", help="Column holding the contact text.")]
LabelCol = Annotated[str, typer.Option("--label-column", help="Column holding the intent label.")]


@app.command("train")
@handle_errors
def train_command(
    data: DataOpt,
    text_column: TextCol = "text",
    label_column: LabelCol = "intent",
    taxonomy: Annotated[Path | None, typer.Option(help="Taxonomy YAML (default: UK council).")] = None,
    model: Annotated[
        str, typer.Option("--model", help=f"Classifier type: {', '.join(MODEL_TYPES)}.")
    ] = DEFAULT_MODEL_TYPE,
    name: Annotated[str, typer.Option("--name", help="Registered model name.")] = "triage",
    validation: Annotated[
        Path | None, typer.Option(help="Held-out file for calibration and thresholds (default: a split).")
    ] = None,
    target_precision: Annotated[
        float, typer.Option(min=0.5, max=1.0, help="Precision the accepted contacts must reach on held-out data.")
    ] = 0.95,
    ambiguity_margin: Annotated[float, typer.Option(min=0.0, max=1.0, help="Top-1 minus top-2 needed.")] = 0.1,
    seed: Annotated[int, typer.Option(help="Random seed for the split.")] = 0,
    in_scope_pass_rate: Annotated[
        float | None,
        typer.Option(
            min=0.5,
            max=1.0,
            help="Share of correctly accepted held-out contacts the out-of-scope check lets through [default: 0.985].",
        ),
    ] = None,
    out_of_scope_label: Annotated[
        list[str] | None,
        typer.Option(
            "--out-of-scope-label",
            help="Label marking examples outside every intent (repeatable; default: oos, out_of_scope, "
            "out-of-scope). They tune the out-of-scope check and are never learnt as an intent.",
        ),
    ] = None,
    include_feedback: Annotated[
        bool,
        typer.Option(
            "--include-feedback",
            help="Add agent-labelled decisions from the decision log (TRIAGE_DB_URL; redacted, de-duplicated).",
        ),
    ] = False,
    data_description: Annotated[
        str | None,
        typer.Option(
            help="Where the data came from, in words (kept with the run; the transparency record quotes it "
            "beside every figure), e.g. 'web-form contacts Jan-Jun 2026, labelled by agents'."
        ),
    ] = None,
) -> None:
    """Train a model, log it to MLflow and register it as the `challenger`."""
    from training.fit import FitOptions
    from training.train import train
    from triage.config import get_core_settings

    options = FitOptions(
        text_column=text_column,
        label_column=label_column,
        model_type=model,
        target_precision=target_precision,
        ambiguity_margin=ambiguity_margin,
        seed=seed,
        **({"in_scope_pass_rate": in_scope_pass_rate} if in_scope_pass_rate is not None else {}),
        **({"out_of_scope_labels": tuple(out_of_scope_label)} if out_of_scope_label else {}),
    )
    outcome = train(
        data=data,
        settings=get_core_settings(),
        options=options,
        registered_name=name,
        taxonomy_path=taxonomy,
        validation_path=validation,
        include_feedback=include_feedback,
        data_description=data_description,
    )
    print_json(outcome.summary())


@app.command("evaluate")
@handle_errors
def evaluate_command(
    data: DataOpt,
    text_column: TextCol = "text",
    label_column: LabelCol = "intent",
    model_uri: Annotated[str | None, typer.Option(help="Default: TRIAGE_MODEL_URI (models:/triage@champion).")] = None,
    output: Annotated[
        Path | None,
        typer.Option(help="Also write the JSON report here, and the figures (PNG) beside it."),
    ] = None,
) -> None:
    """Evaluate a model on labelled data: accuracy, calibration, coverage at precision, routing, out of scope,
    per intent and slice."""
    from training.data import load_labelled
    from training.evaluate import evaluate_model
    from training.registry import load_model
    from training.train import write_json
    from triage.config import get_core_settings

    settings = get_core_settings()
    loaded = load_model(settings, model_uri)
    frame = load_labelled(data, text_column=text_column, label_column=label_column)
    report, matrix = evaluate_model(
        loaded.model, frame, text_column=text_column, label_column=label_column, model_version=loaded.version
    )
    if output is not None:
        from training.plots import save_evaluation_figures

        write_json(report, output)
        figures = save_evaluation_figures(report, matrix, output.parent, prefix=f"{output.stem}_")
        report["figures"] = [str(path) for path in figures]
    print_json(report)


@app.command("promote")
@handle_errors
def promote_command(
    data: Annotated[
        Path | None, typer.Option(help="Evaluation set for the gate (needed once a champion exists).")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="Registered model name.")] = "triage",
    text_column: TextCol = "text",
    label_column: LabelCol = "intent",
    tolerance: Annotated[float, typer.Option(min=0.0, help="How much worse the challenger may be.")] = 0.01,
    force: Annotated[bool, typer.Option("--force", help="Promote even if the gate fails (recorded).")] = False,
    reason: Annotated[str | None, typer.Option(help="Why (recorded with the promotion).")] = None,
) -> None:
    """Point `champion` at the challenger if it is not worse than the current champion."""
    from training.promote import promote
    from triage.config import get_core_settings

    result = promote(
        settings=get_core_settings(),
        registered_name=name,
        data=data,
        text_column=text_column,
        label_column=label_column,
        tolerance=tolerance,
        force=force,
        reason=reason,
    )
    print_json(result.summary())


@app.command("bootstrap")
@handle_errors
def bootstrap_command(
    name: Annotated[str, typer.Option("--name", help="Registered model name.")] = "triage",
    data_dir: Annotated[Path, typer.Option(help="Where the synthetic data is written.")] = Path("data/generated"),
    n: Annotated[int, typer.Option(min=1000, help="Synthetic contacts to generate.")] = 12_000,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 7,
    model: Annotated[str, typer.Option("--model", help="Classifier type.")] = DEFAULT_MODEL_TYPE,
    force: Annotated[bool, typer.Option("--force", help="Retrain and promote even if a champion exists.")] = False,
) -> None:
    """Generate synthetic data, train and promote a model, unless a champion already exists."""
    from training.bootstrap import bootstrap
    from triage.config import get_core_settings

    result = bootstrap(
        settings=get_core_settings(),
        registered_name=name,
        data_dir=data_dir,
        n=n,
        seed=seed,
        model_type=model,
        force=force,
    )
    print_json(result.summary())


@app.command("benchmark")
@handle_errors
def benchmark_command(
    train: Annotated[Path, typer.Option("--train", help="Training file (CSV, JSONL or Parquet).")],
    test: Annotated[Path, typer.Option("--test", help="Test file with the same columns.")],
    text_column: TextCol = "text",
    label_column: LabelCol = "intent",
    models: Annotated[
        str, typer.Option(help="Comma-separated model types to compare.")
    ] = "tfidf,embedding,ensemble,finetune",
    output: Annotated[Path | None, typer.Option(help="Also write the results (and full reports) as JSON here.")] = None,
    target_precision: Annotated[
        float, typer.Option(min=0.5, max=1.0, help="Precision the acceptance thresholds are tuned to.")
    ] = 0.95,
    holdout_intents: Annotated[
        int, typer.Option(min=0, help="Intents left out of training, so their test rows measure out-of-scope.")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed for the split and the held-out intents.")] = 0,
) -> None:
    """Train and evaluate each model type (no MLflow) and print a table: accuracy, macro-F1, coverage at
    0.98 precision, ECE, training seconds and milliseconds per contact."""
    from training.benchmark import format_table, run_benchmark
    from training.data import load_labelled
    from training.train import write_json

    names = [name.strip() for name in models.split(",") if name.strip()]
    train_frame = load_labelled(train, text_column=text_column, label_column=label_column, min_per_label=2)
    test_frame = load_labelled(test, text_column=text_column, label_column=label_column)
    result = run_benchmark(
        train_frame,
        test_frame,
        models=names,
        text_column=text_column,
        label_column=label_column,
        target_precision=target_precision,
        holdout_intents=holdout_intents,
        seed=seed,
        progress=lambda message: typer.echo(message, err=True),
    )
    if output is not None:
        write_json(result, output)
    typer.echo(format_table(result))
