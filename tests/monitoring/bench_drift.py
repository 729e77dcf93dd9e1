"""Benchmark: how long a drift report takes (not a test). Run: .venv/bin/python tests/monitoring/bench_drift.py [N ...]

Prints, for N reference rows vs N current rows (half of them new-vocabulary contacts), the time to import
Evidently (first run only), to align the frames, to run the report and write it, and the HTML size.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from conftest import build_model, make_novel_texts, make_texts, scored

from monitoring.drift import run_drift_report
from monitoring.frames import align, from_decisions, reference_frame


def bench(n: int) -> None:
    per_intent = -(-n // 6)
    model = build_model(n_reference_per_intent=per_intent)
    reference = reference_frame(model).head(n)
    familiar = make_texts(dict.fromkeys(model.classes, -(-n // 12)), seed=6)
    current = scored(model, pd.concat([make_novel_texts(n // 2, seed=5), familiar], ignore_index=True).head(n))
    start = time.perf_counter()
    ref, cur = align(reference, from_decisions(current, source="bench"), vocabulary=model.vocabulary)
    aligned = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        summary = run_drift_report(ref, cur, out_dir=Path(tmp) / "report")
        done = time.perf_counter()
        size = Path(summary.html_path).stat().st_size
    tests = sorted({v.stat_test for v in summary.columns.values()})
    print(
        f"{len(ref):>6} vs {len(cur):<6} align {aligned - start:5.2f} s  report+write {done - aligned:5.2f} s  "
        f"html {size / 1e6:.1f} MB  drift={summary.drift_detected}  tests: {', '.join(tests)}"
    )


def main() -> None:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    start = time.perf_counter()
    import evidently  # noqa: F401

    print(f"import evidently: {time.perf_counter() - start:.2f} s")
    for n in [int(arg) for arg in sys.argv[1:]] or [1000, 1000, 5000]:
        bench(n)


if __name__ == "__main__":
    main()
