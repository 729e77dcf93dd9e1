"""Timestamped streams of labelled contacts: normal before a change day, drifted from it onwards.

Contact ``j`` of day ``d`` draws from its own generator seeded by ``(seed, d, j)``, so every scenario
with the same seed has exactly the same contacts before its change day.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from synthetic.config import GeneratorConfig
from synthetic.generator import COLUMNS, build_contact, contact_rng, contacts_frame, plan_for
from synthetic.scenarios import SCENARIOS, get_scenario
from triage.errors import DataError

DEFAULT_START = date(2026, 1, 5)
STREAM_COLUMNS = ("contact_id", "timestamp", *COLUMNS[1:], "drifted")
_BUSINESS_HOURS = (8 * 3600, 18 * 3600)


class StreamMeta(BaseModel):
    """What a stream holds and where its change point is (written beside it as ``<out>.meta.json``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str
    description: str
    params: dict[str, Any]
    seed: int
    days: int
    per_day: int
    start: date
    change_day: int
    change_point: str
    rows: int
    drifted_rows: int
    changes: dict[str, Any]


def _timestamps(seed: int, day: date, n: int) -> list[str]:
    """``n`` sorted times in the day, most in business hours, as ISO 8601 UTC strings."""
    rng = random.Random(f"{seed}|times|{day.isoformat()}")
    seconds = sorted(rng.randint(*_BUSINESS_HOURS) if rng.random() < 0.8 else rng.randint(0, 86_399) for _ in range(n))
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return [(midnight + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ") for s in seconds]


def _check(scenario: str, days: int, per_day: int, change_day: int | None) -> int:
    get_scenario(scenario)
    for name, value in (("days", days), ("per_day", per_day)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise DataError(f"{name} must be a whole number of at least 1; got {value!r}.")
    if days < 2:
        raise DataError(f"days must be at least 2 so the stream has a part before and after the change; got {days}.")
    change = days // 2 if change_day is None else change_day
    if not 1 <= change <= days - 1:
        raise DataError(f"change day {change} is outside the stream; allowed: 1 to {days - 1} for {days} days.")
    return change


def generate_stream(
    scenario: str,
    *,
    days: int,
    per_day: int,
    seed: int,
    change_day: int | None = None,
    start: date | None = None,
    params: Mapping[str, Any] | None = None,
    config: GeneratorConfig | None = None,
) -> tuple[pd.DataFrame, StreamMeta]:
    """``days * per_day`` timestamped contacts; from ``change_day`` (default ``days // 2``) on, drifted.

    ``scenario`` is one of :data:`synthetic.scenarios.SCENARIOS`; ``params`` override its defaults.
    """
    change = _check(scenario, days, per_day, change_day)
    spec = get_scenario(scenario)
    chosen = spec.params(params)
    base = config or GeneratorConfig()
    start = start or DEFAULT_START
    rows: list[dict[str, Any]] = []
    drifted_flags: list[bool] = []
    stamps: list[str] = []
    span = days - change
    for d in range(days):
        day = start + timedelta(days=d)
        drifted = d >= change
        settings = spec.apply(base, chosen, (d - change + 1) / span) if drifted else base
        plan = plan_for(settings)
        for j, stamp in enumerate(_timestamps(seed, day, per_day)):
            rng = contact_rng(seed, f"stream|{d}|{j}")
            row = build_contact(rng, settings, contact_id=f"str-{seed}-{d:03d}-{j:05d}", plan=plan)
            rows.append(row)
            stamps.append(stamp)
            drifted_flags.append(drifted and scenario != "none")
    frame = contacts_frame(rows)
    frame.insert(1, "timestamp", stamps)
    frame["drifted"] = drifted_flags
    change_point = datetime.combine(start + timedelta(days=change), datetime.min.time(), tzinfo=UTC)
    meta = StreamMeta(
        scenario=scenario,
        description=spec.description,
        params=chosen,
        seed=seed,
        days=days,
        per_day=per_day,
        start=start,
        change_day=change,
        change_point=change_point.strftime("%Y-%m-%dT%H:%M:%SZ"),
        rows=len(frame),
        drifted_rows=int(frame["drifted"].sum()),
        changes=spec.changes(base, chosen),
    )
    return frame[list(STREAM_COLUMNS)], meta


def scenario_names() -> list[str]:
    return list(SCENARIOS)
