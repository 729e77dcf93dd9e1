"""Report charts: matplotlib (Agg, no display) to base64 PNG, each with alt text stating its figures."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BLUE, GREEN, ORANGE, RED, GREY = "#1d70b8", "#00703c", "#f47738", "#d4351c", "#505a5f"


@dataclass(frozen=True)
class Chart:
    """A PNG (base64) and the text alternative that says what it shows, figures included."""

    png_base64: str
    alt: str
    caption: str


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _encode(fig: object) -> str:
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _pct(value: float | None) -> str:
    return "no data" if value is None or np.isnan(value) else f"{100 * value:.1f}%"


def _series_text(labels: Sequence[str], values: Sequence[float | None], fmt=_pct) -> str:
    return "; ".join(f"{label} {fmt(value)}" for label, value in zip(labels, values, strict=True))


def volume_and_automation(
    labels: Sequence[str], volume: Sequence[int], automation: Sequence[float | None], *, period: str
) -> Chart:
    """Bars of decisions per bucket and a line of the automation rate (self-service share)."""
    plt = _pyplot()
    fig, left = plt.subplots(figsize=(9, 3.4))
    x = np.arange(len(labels))
    left.bar(x, volume, color="#b1b4b6", label="decisions")
    left.set_ylabel("decisions")
    right = left.twinx()
    rates = [np.nan if v is None else 100 * v for v in automation]
    right.plot(x, rates, color=BLUE, marker="o", label="automation rate (%)")
    right.set_ylim(0, 100)
    right.set_ylabel("automation rate (%)")
    left.set_xticks(x, labels, rotation=45, ha="right", fontsize=8)
    left.set_title(f"Decisions and automation rate, {period}")
    handles = left.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    left.legend(
        handles, [hd.get_label() for hd in handles], loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, fontsize=8
    )
    alt = (
        f"Bar and line chart, {period}. Decisions per period: "
        + _series_text(labels, volume, fmt=lambda v: f"{int(v)}")
        + f" (total {int(sum(volume))}). Automation rate: "
        + _series_text(labels, automation)
        + "."
    )
    return Chart(_encode(fig), alt, "Decisions per period (bars) and the share answered by self-service (line).")


def accuracy(
    labels: Sequence[str],
    measured: Sequence[float | None],
    estimated: Sequence[float | None],
    lower: Sequence[float | None],
    upper: Sequence[float | None],
    *,
    period: str,
) -> Chart:
    """Measured accuracy (feedback) beside estimated accuracy (CBPE) and its interval."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 3.4))
    x = np.arange(len(labels))

    def arr(values: Sequence[float | None]) -> np.ndarray:
        return np.array([np.nan if v is None else 100 * v for v in values], dtype=float)

    ax.fill_between(x, arr(lower), arr(upper), color=ORANGE, alpha=0.18, label="estimate's 95% interval")
    ax.plot(x, arr(estimated), color=ORANGE, marker="s", label="estimated (CBPE)")
    ax.plot(x, arr(measured), color=GREEN, marker="o", label="measured (feedback)")
    values = np.concatenate([arr(measured), arr(lower)])
    low = np.nanmin(values) if np.isfinite(values).any() else 0.0
    ax.set_ylim(max(0.0, min(low - 5, 90.0)), 100.5)
    ax.set_ylabel("accuracy (%)")
    ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=8)
    ax.set_title(f"Measured and estimated accuracy, {period}")
    ax.legend(fontsize=8, loc="lower left")
    alt = (
        f"Line chart, {period}. Measured accuracy: "
        + _series_text(labels, measured)
        + ". Estimated accuracy: "
        + _series_text(labels, estimated)
        + "."
    )
    return Chart(
        _encode(fig),
        alt,
        "Measured accuracy from agents' feedback (green) and estimated accuracy from calibrated confidence "
        "(orange, with the interval measured accuracy should fall in if calibration holds).",
    )


def safeguarding(labels: Sequence[str], counts: Sequence[int], *, period: str) -> Chart:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 2.8))
    x = np.arange(len(labels))
    ax.bar(x, counts, color=RED)
    ax.set_ylabel("hand-offs")
    ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=8)
    ax.set_title(f"Safeguarding hand-offs, {period}")
    alt = (
        f"Bar chart, {period}. Contacts handed to the safeguarding team: "
        + _series_text(labels, counts, fmt=lambda v: f"{int(v)}")
        + f" (total {int(sum(counts))})."
    )
    return Chart(_encode(fig), alt, "Contacts routed to the safeguarding team, whatever the classifier said.")


def segments(
    names: Sequence[str], accuracy: Sequence[float | None], flagged: Sequence[bool], overall: float | None
) -> Chart:
    """Horizontal bars of segment accuracy, flagged segments in red, the overall accuracy as a line."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, max(2.2, 0.32 * len(names) + 1)))
    y = np.arange(len(names))
    values = [np.nan if v is None else 100 * v for v in accuracy]
    ax.barh(y, values, color=[RED if f else BLUE for f in flagged])
    if overall is not None:
        ax.axvline(100 * overall, color=GREY, linestyle="--", label=f"overall {100 * overall:.1f}%")
        ax.legend(fontsize=8, loc="lower left")
    finite = [v for v in values if not np.isnan(v)]
    ax.set_xlim(max(0.0, (min(finite) if finite else 0.0) - 10), 100)
    ax.set_yticks(y, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("measured accuracy (%)")
    ax.set_title("Accuracy by segment (red: gap flagged)")
    alt = (
        "Horizontal bar chart of measured accuracy by segment: "
        + "; ".join(
            f"{n} {_pct(a)}{' (flagged)' if f else ''}" for n, a, f in zip(names, accuracy, flagged, strict=True)
        )
        + (f". Overall {_pct(overall)}." if overall is not None else ".")
    )
    return Chart(_encode(fig), alt, "Measured accuracy of each segment with enough labels; flagged gaps in red.")
