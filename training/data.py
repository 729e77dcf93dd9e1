"""Reading and validating labelled contact data (CSV, JSONL or Parquet)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from triage.errors import DataError

READERS = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, JSONL or Parquet file into a frame, with one clear error when that is impossible."""
    path = Path(path)
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise DataError(f"Cannot read {path}: unknown file type {path.suffix!r}. Use .csv, .jsonl or .parquet.")
    if not path.is_file():
        raise DataError(f"Cannot read {path}: no such file. Check the path.")
    try:
        if kind == "csv":
            return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=str)
        if kind == "jsonl":
            return pd.read_json(path, lines=True, dtype=False)
        return pd.read_parquet(path)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"Cannot read {path} as {kind}: {first_line}. Check the file is valid {kind}.") from exc


def require_columns(frame: pd.DataFrame, columns: list[str], *, source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source} has no column {', '.join(repr(c) for c in missing)}; its columns are "
            f"{', '.join(map(str, frame.columns))}. Pass --text-column/--label-column to name the right ones."
        )


def load_texts(path: str | Path, *, text_column: str = "text") -> pd.DataFrame:
    """A data file with a valid text column (no empty texts)."""
    frame = read_table(path)
    require_columns(frame, [text_column], source=str(path))
    return load_texts_frame(frame, text_column=text_column, source=str(path))


def load_labelled(
    path: str | Path, *, text_column: str = "text", label_column: str = "intent", min_per_label: int = 1
) -> pd.DataFrame:
    """A data file with valid text and label columns; labels with fewer than ``min_per_label`` rows refused."""
    frame = read_table(path)
    require_columns(frame, [text_column, label_column], source=str(path))
    frame = load_texts_frame(frame, text_column=text_column, source=str(path))
    labels = frame[label_column]
    missing = labels.isna() | labels.astype(str).str.strip().eq("")
    if missing.any():
        raise DataError(f"{path}: {int(missing.sum())} row(s) have no label in {label_column!r}. Label or drop them.")
    frame[label_column] = labels.astype(str).str.strip()
    if min_per_label > 1:
        counts = frame[label_column].value_counts()
        rare = counts[counts < min_per_label]
        if not rare.empty:
            shown = ", ".join(f"{label} ({n})" for label, n in rare.head(5).items())
            raise DataError(
                f"{path}: {len(rare)} label(s) have fewer than {min_per_label} examples: {shown}. "
                f"Add examples or drop those labels; each label needs at least {min_per_label} to train and validate."
            )
    return frame


def load_texts_frame(frame: pd.DataFrame, *, text_column: str, source: str) -> pd.DataFrame:
    texts = frame[text_column]
    empty = texts.isna() | texts.astype(str).str.strip().eq("")
    if empty.any():
        rows = ", ".join(str(int(i)) for i in empty[empty].index[:5])
        raise DataError(
            f"{source}: {int(empty.sum())} empty text(s) in column {text_column!r} (rows {rows}, counting from 0). "
            "Remove or fill them."
        )
    frame = frame.copy()
    frame[text_column] = texts.astype(str)
    return frame


def dataset_hash(frame: pd.DataFrame, columns: list[str]) -> str:
    """A content hash of the given columns, logged with every training run."""
    digest = hashlib.sha256()
    for values in frame[columns].astype(str).itertuples(index=False):
        digest.update("\x1f".join(values).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()
