"""Drift streams: the change point is where the meta says, and each scenario drifts as its docs claim.

Each scenario is checked with the statistic its docstring names; the ``none`` control must show none.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from synthetic.drift_checks import compare_periods
from synthetic.scenarios import SCENARIOS
from synthetic.stream import StreamMeta, generate_stream
from triage.errors import DataError
from triage.taxonomy import load_taxonomy

DAYS, PER_DAY, SEED = 10, 150, 21
STRONG, CALM = 1e-3, 0.01


@pytest.fixture(scope="module")
def streams() -> dict[str, tuple[pd.DataFrame, StreamMeta, dict]]:
    out = {}
    for name in SCENARIOS:
        frame, meta = generate_stream(name, days=DAYS, per_day=PER_DAY, seed=SEED)
        out[name] = (frame, meta, compare_periods(frame, meta.change_point))
    return out


def test_every_scenario_is_documented() -> None:
    for scenario in SCENARIOS.values():
        assert scenario.description
        assert "Test:" in (scenario.drift.__doc__ or "")


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_change_point_is_where_the_meta_says(streams: dict, name: str) -> None:
    frame, meta, _ = streams[name]
    assert meta.change_day == DAYS // 2 and meta.change_point == "2026-01-10T00:00:00Z"
    assert len(frame) == meta.rows == DAYS * PER_DAY
    assert frame["timestamp"].is_monotonic_increasing
    assert frame["timestamp"].iloc[0].startswith("2026-01-05T")
    after = frame["timestamp"] >= meta.change_point
    assert int(after.sum()) == (DAYS - meta.change_day) * PER_DAY
    expected = after if name != "none" else pd.Series(False, index=frame.index)
    assert (frame["drifted"] == expected).all()
    assert meta.drifted_rows == int(expected.sum())


def test_the_part_before_the_change_is_the_same_in_every_scenario(streams: dict) -> None:
    control, meta, _ = streams["none"]
    before = control["timestamp"] < meta.change_point
    for name, (frame, _, _) in streams.items():
        assert frame[before].drop(columns="drifted").equals(control[before].drop(columns="drifted")), name


def test_none_shows_no_drift(streams: dict) -> None:
    _, meta, stats = streams["none"]
    assert stats["intent_mix_p"] > CALM and stats["channel_mix_p"] > CALM
    assert stats["welsh"]["p"] > CALM
    assert stats["outside_taxonomy"]["after"] == 0
    assert stats["unseen_words"]["recurring_p"] > CALM and stats["unseen_words"]["rate_p"] > CALM
    assert stats["typo_rate"]["p"] > CALM
    assert stats["label_changes"] == {}
    assert meta.changes == {}


def test_seasonal_mix_surges_council_tax(streams: dict) -> None:
    frame, meta, stats = streams["seasonal_mix"]
    from scipy.stats import chi2_contingency

    intents = meta.params["intents"].split(",")
    after = frame["timestamp"] >= meta.change_point
    in_group = frame["intent"].isin(intents)
    table = pd.crosstab(after, in_group).to_numpy()
    assert chi2_contingency(table)[1] < STRONG
    assert in_group[after].mean() > 1.5 * in_group[~after].mean()
    assert stats["intent_mix_p"] < STRONG and stats["channel_mix_p"] > CALM


def test_emerging_intent_brings_labels_outside_the_taxonomy(streams: dict) -> None:
    frame, meta, stats = streams["emerging_intent"]
    assert stats["outside_taxonomy"]["before"] == 0
    assert stats["outside_taxonomy"]["after"] == pytest.approx(meta.params["share"], abs=0.05)
    assert stats["outside_taxonomy"]["p"] < STRONG
    new = set(frame["intent"]) - set(load_taxonomy(None).intent_names)
    assert new == {f"emerging_{meta.params['name']}"}


def test_vocabulary_shift_brings_new_words(streams: dict) -> None:
    frame, meta, stats = streams["vocabulary_shift"]
    unseen = stats["unseen_words"]
    assert unseen["recurring_p"] < STRONG and unseen["recurring_drifted"] > 2 * unseen["recurring_control"]
    brands = r"\b(?:CTax|ClearCycle|MyCouncil|FixIt|PayFlex|Hwb)\b"
    after = frame["timestamp"] >= meta.change_point
    assert not frame.loc[~after, "text"].str.contains(brands, case=False).any()
    assert frame.loc[after, "text"].str.contains(brands, case=False).mean() > 0.1
    assert {"ctax", "clearcycle"} <= set(unseen["new_words"])
    assert unseen["rate_drifted"] > unseen["rate_control"]


def test_channel_shift_moves_contacts_to_the_phone(streams: dict) -> None:
    frame, meta, stats = streams["channel_shift"]
    assert stats["channel_mix_p"] < STRONG and stats["intent_mix_p"] > CALM
    after = frame["timestamp"] >= meta.change_point
    assert (frame.loc[after, "channel"] == "phone").mean() == pytest.approx(0.6, abs=0.05)


def test_typo_rise_raises_the_typo_rate_day_by_day(streams: dict) -> None:
    _, meta, stats = streams["typo_rise"]
    assert stats["typo_rate"]["p"] < STRONG
    assert stats["typo_rate"]["after"] > 2 * stats["typo_rate"]["before"]
    assert stats["typo_rate"]["trend_rho"] > 0.1
    assert meta.changes == {"typo_rate": meta.params["to_rate"]}


def test_more_welsh_raises_the_welsh_share(streams: dict) -> None:
    _, meta, stats = streams["more_welsh"]
    assert stats["welsh"]["p"] < STRONG
    assert stats["welsh"]["after"] == pytest.approx(meta.params["share"], abs=0.05)


def test_concept_drift_changes_the_label_mapping_only(streams: dict) -> None:
    frame, meta, stats = streams["concept_drift"]
    source, target = meta.params["from_intent"], meta.params["to_intent"]
    assert stats["label_changes"] == {source: {"before": [source], "after": [target]}}
    assert meta.changes == {"label_map": {source: target}}
    control, _, _ = streams["none"]
    assert frame["text"].equals(control["text"])  # same texts; only the truth changed


def test_start_date_and_params_are_honoured() -> None:
    frame, meta = generate_stream(
        "channel_shift",
        days=4,
        per_day=30,
        seed=1,
        change_day=1,
        start=date(2026, 3, 2),
        params={"channel": "chat", "share": "0.9"},
    )
    assert meta.change_point == "2026-03-03T00:00:00Z" and meta.params == {"channel": "chat", "share": 0.9}
    assert (frame.loc[frame["drifted"], "channel"] == "chat").mean() > 0.8


def test_streams_are_deterministic() -> None:
    a, _ = generate_stream("typo_rise", days=3, per_day=20, seed=4)
    b, _ = generate_stream("typo_rise", days=3, per_day=20, seed=4)
    c, _ = generate_stream("typo_rise", days=3, per_day=20, seed=5)
    assert a.to_csv() == b.to_csv() and a.to_csv() != c.to_csv()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scenario": "hurricane"}, r"Unknown scenario 'hurricane'; allowed: none, seasonal_mix"),
        ({"days": -3}, r"days must be a whole number of at least 1"),
        ({"per_day": 0}, r"per_day must be a whole number of at least 1"),
        ({"days": 1}, r"days must be at least 2"),
        ({"change_day": 10}, r"change day 10 is outside the stream; allowed: 1 to 9"),
        ({"change_day": 0}, r"change day 0 is outside the stream"),
        ({"scenario": "more_welsh", "params": {"share": 1.5}}, r"share=1.5 must be a share between 0 and 1"),
        ({"scenario": "more_welsh", "params": {"amount": 1}}, r"no parameter amount; allowed: share \(default 0.3\)"),
        (
            {"scenario": "emerging_intent", "params": {"name": "jetpacks"}},
            r"allowed: garden_waste_permit, energy_grant",
        ),
        ({"scenario": "channel_shift", "params": {"channel": "fax"}}, r"Unknown channel 'fax'"),
        ({"scenario": "typo_rise", "params": {"to_rate": "high"}}, r"to_rate='high' must be a float"),
        ({"scenario": "concept_drift", "params": {"to_intent": "bins"}}, r"Unknown intent\(s\) bins"),
    ],
)
def test_bad_stream_requests_are_refused(kwargs: dict, message: str) -> None:
    args = {"scenario": "none", "days": 10, "per_day": 5, "seed": 1, **kwargs}
    scenario = args.pop("scenario")
    with pytest.raises(DataError, match=message):
        generate_stream(scenario, **args)
