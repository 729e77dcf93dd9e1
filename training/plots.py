"""Figures logged with each run: confusion matrix, reliability diagram, coverage-versus-precision curve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


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


def save_reliability_diagram(bins: list[dict[str, float]], path: Path, *, ece: float | None = None) -> Path:
    """Accuracy against confidence per bin (bars) beside the diagonal a calibrated model would follow."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6, 7), height_ratios=[3, 1], sharex=True)
    lower = np.array([b["lower"] for b in bins])
    width = np.array([b["upper"] - b["lower"] for b in bins])
    top.bar(lower, [b["accuracy"] for b in bins], width=width, align="edge", edgecolor="black", label="accuracy")
    top.plot(
        [b["confidence"] for b in bins],
        [b["confidence"] for b in bins],
        "o",
        color="tab:red",
        ms=4,
        label="mean confidence",
    )
    top.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    top.set_ylim(0, 1)
    top.set_ylabel("accuracy")
    title = "Reliability diagram" + (f" (ECE {ece:.3f}, 15 bins)" if ece is not None else "")
    top.set_title(title)
    top.legend(loc="upper left")
    bottom.bar(lower, [b["n"] for b in bins], width=width, align="edge", color="tab:grey")
    bottom.set_yscale("log")
    bottom.set_xlim(0, 1)
    bottom.set_xlabel("confidence of the top intent")
    bottom.set_ylabel("contacts")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def save_coverage_curve(curve: list[dict[str, float]], path: Path, *, target: float | None = None) -> Path:
    """Precision of the automated contacts against the share automated (most confident first)."""
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot([p["coverage"] for p in curve], [p["precision"] for p in curve], marker="o", ms=3)
    for level in (0.95, 0.98, 0.99):
        ax.axhline(level, color="grey", lw=0.6, ls=":")
    if target is not None:
        ax.axhline(target, color="tab:red", lw=1, ls="--", label=f"target precision {target:g}")
        ax.legend(loc="lower left")
    ax.set_xlim(0, 1)
    ax.set_ylim(max(0.0, min([p["precision"] for p in curve] + [0.9]) - 0.02), 1.005)
    ax.set_xlabel("coverage (share of contacts automated, most confident first)")
    ax.set_ylabel("precision of automated contacts")
    ax.set_title("Coverage versus precision")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def save_evaluation_figures(report: dict[str, Any], matrix: pd.DataFrame, folder: Path, prefix: str = "") -> list[Path]:
    """The three figures of an evaluation report, as PNG files in ``folder`` named ``{prefix}<figure>.png``.

    Data with no in-scope rows has no confusion matrix or reliability diagram.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = [save_confusion_matrix(matrix, folder / f"{prefix}confusion_matrix.png")] if matrix.size else []
    if report.get("calibration", {}).get("reliability"):
        paths.append(
            save_reliability_diagram(
                report["calibration"]["reliability"], folder / f"{prefix}reliability.png", ece=report.get("ece")
            )
        )
    if report.get("coverage_curve"):
        target = (report.get("thresholds") or {}).get("target_precision")
        paths.append(save_coverage_curve(report["coverage_curve"], folder / f"{prefix}coverage.png", target=target))
    return paths
