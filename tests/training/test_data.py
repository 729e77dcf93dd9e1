from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from training.data import dataset_hash, load_labelled, read_table
from triage.errors import DataError


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_reads_each_supported_format(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame({"text": ["pay council tax", "bin missed"], "intent": ["a", "b"]})
    path = tmp_path / f"data{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path)
    assert read_table(path)["text"].tolist() == frame["text"].tolist()


def write(tmp_path: Path, content: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.txt", "x", "unknown file type '.txt'"),
        ("data.parquet", "not parquet at all", "Cannot read .* as parquet"),
        ("data.jsonl", "{not json", "Cannot read .* as jsonl"),
        ("data.csv", "words,intent\nhello,a\n", "no column 'text'.*--text-column"),
        ("data.csv", "text,label\nhello,a\n", "no column 'intent'"),
        ("data.csv", "text,intent\nhello,a\n  ,b\nhi,b\n", "1 empty text"),
        ("data.csv", "text,intent\nhello,a\nhi,\n", "have no label"),
    ],
)
def test_bad_files_get_one_clear_error(tmp_path: Path, name: str, content: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_labelled(write(tmp_path, content, name))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        read_table(tmp_path / "missing.csv")


def test_labels_with_a_single_example_are_refused_for_training(tmp_path: Path) -> None:
    path = write(tmp_path, "text,intent\na,x\nb,x\nc,y\n")
    with pytest.raises(DataError, match=r"fewer than 2 examples: y \(1\)"):
        load_labelled(path, min_per_label=2)


def test_dataset_hash_depends_on_content_and_order() -> None:
    a = pd.DataFrame({"text": ["x", "y"], "intent": ["1", "2"]})
    assert dataset_hash(a, ["text", "intent"]) == dataset_hash(a.copy(), ["text", "intent"])
    assert dataset_hash(a, ["text", "intent"]) != dataset_hash(a.iloc[::-1], ["text", "intent"])
