"""Reading and writing contact tables as CSV, JSONL or Parquet, chosen by the file suffix.

Writers are deterministic: the same frame always gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from triage.errors import DataError

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}
BOOL_COLUMNS = ("vulnerable", "human_request", "assisted_digital", "lookalike", "drifted")


def _format(path: Path) -> str:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DataError(f"Cannot tell the format of {path}: use a suffix from {', '.join(FORMATS)}.")
    return kind


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to ``path`` (format from the suffix); parent folders are created."""
    path = Path(path)
    kind = _format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        frame.to_csv(path, index=False, lineterminator="\n")
    elif kind == "jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a table written by :func:`write_table` (or any CSV/JSONL/Parquet with a ``text`` column)."""
    path = Path(path)
    kind = _format(path)
    if not path.is_file():
        raise DataError(f"No such file: {path}. Check the path or run `triage synth generate` first.")
    try:
        if kind == "csv":
            frame = pd.read_csv(path, keep_default_na=False, dtype=str)
        elif kind == "jsonl":
            frame = pd.read_json(path, lines=True, dtype=False)
        else:
            frame = pd.read_parquet(path)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"Cannot read {path} as {kind}: {str(exc).splitlines()[0]}. Check the file.") from exc
    for column in BOOL_COLUMNS:
        if column in frame.columns and frame[column].dtype == object:
            frame[column] = frame[column].astype(str).str.lower().eq("true")
    return frame


def sibling(path: str | Path, suffix: str) -> Path:
    """``data/contacts.csv`` + ``_train`` -> ``data/contacts_train.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}{suffix}{path.suffix}")
