"""Figures logged with each run: confusion matrix and coverage-versus-precision curve."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def save_confusion_matrix(matrix: pd.DataFrame, path: Path) -> Path:
    """A row-normalised confusion matrix heat map (true intent down, predicted across)."""
    counts = matrix.to_numpy(dtype=float)
    normalised = counts / np.clip(counts.sum(axis=1, keepdims=True), 1, None)
    size = max(6.0, min(24.0, 0.28 * len(matrix)))
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(matrix.columns)), labels=matrix.columns, rotation=90, fontsize=6)
    ax.set_yticks(range(len(matrix.index)), labels=matrix.index, fontsize=6)
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("true intent")
    ax.set_title("Confusion matrix (row-normalised)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
