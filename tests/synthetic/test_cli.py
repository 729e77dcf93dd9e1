"""The `triage synth` commands, through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from synthetic.cli import app

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_generate_is_byte_identical_for_a_seed(tmp_path: Path, suffix: str) -> None:
    first, second, other = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}", tmp_path / f"c{suffix}"
    for path, seed in ((first, 3), (second, 3), (other, 4)):
        result = _run("generate", "--n", 120, "--seed", seed, "--out", path)
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_generate_with_split_writes_four_files_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "data" / "contacts.csv"
    result = _run("generate", "--n", 400, "--seed", 2, "--out", out, "--split")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["rows"] == 400 and summary["leakage"]["normalised_duplicates"] == 0
    parts = {name: pd.read_csv(out.with_name(f"contacts_{name}.csv")) for name in ("train", "validation", "test")}
    assert {name: len(part) for name, part in parts.items()} == summary["splits"]
    assert not set(parts["train"]["family"]) & set(parts["test"]["family"])
    assert len(pd.read_csv(out)) == 400


def test_stream_writes_data_and_meta(tmp_path: Path) -> None:
    out = tmp_path / "stream.csv"
    result = _run(
        "stream",
        "--scenario",
        "more_welsh",
        "--days",
        6,
        "--per-day",
        10,
        "--seed",
        1,
        "--out",
        out,
        "--change-day",
        2,
        "--start",
        "2026-02-02",
        "--param",
        "share=0.5",
    )
    assert result.exit_code == 0, result.output
    meta = json.loads(Path(f"{out}.meta.json").read_text())
    assert meta["change_day"] == 2 and meta["change_point"] == "2026-02-04T00:00:00Z"
    assert meta["params"] == {"share": 0.5} and meta["changes"] == {"welsh_share": 0.5}
    assert "Welsh" in meta["description"]
    frame = pd.read_csv(out)
    assert list(frame.columns[:2]) == ["contact_id", "timestamp"] and frame["drifted"].sum() == 40


def test_report_prints_and_saves_the_fidelity_report(tmp_path: Path) -> None:
    data = tmp_path / "c.jsonl"
    assert _run("generate", "--n", 300, "--seed", 6, "--out", data, "--split").exit_code == 0
    saved = tmp_path / "report.json"
    result = _run("report", "--data", data, "--split", "--out", saved, "--no-baseline")
    assert result.exit_code == 0, result.output
    report = json.loads(saved.read_text())
    assert json.loads(result.stdout) == report
    assert report["rows"] == 300 and report["split_source"] == "given splits"
    assert report["leakage"]["total"]["shared_families"] == 0
    assert set(report["length_words_by_channel"]) == {"web", "email", "chat", "phone"}
    for key in ("share_with_personal_data", "share_vulnerable", "share_welsh", "vocabulary_size"):
        assert report[key] > 0
    assert report["duplicates"]["exact_rate"] < 0.05


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("generate", "--n", "-5", "--out", "x.csv"), "n must be a whole number of at least 1"),
        (("generate", "--out", "x.xlsx", "--n", "3"), "use a suffix from .csv, .jsonl, .parquet"),
        (("stream", "--scenario", "nope", "--out", "s.csv"), "Unknown scenario 'nope'; allowed:"),
        (("stream", "--days", "5", "--change-day", "9", "--out", "s.csv"), "outside the stream; allowed: 1 to 4"),
        (("stream", "--per-day", "-1", "--out", "s.csv"), "per_day must be a whole number"),
        (("stream", "--param", "share", "--out", "s.csv"), "must look like key=value"),
        (("stream", "--start", "5th May", "--out", "s.csv"), "is not a date; use YYYY-MM-DD"),
        (("report", "--data", "missing.csv"), "No such file"),
    ],
)
def test_bad_input_exits_2_with_one_line_error(tmp_path: Path, args: tuple, message: str) -> None:
    args = tuple(str(tmp_path / a) if a.endswith((".csv", ".xlsx")) else a for a in args)
    result = _run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
