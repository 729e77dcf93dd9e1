"""The generator: determinism, columns, coverage, personal-data spans, shares and channel shapes."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from synthetic.generator import COLUMNS, GeneratorConfig, generate_contacts
from synthetic.pii import PII_TYPES, is_valid_nhs, luhn_ok
from synthetic.signals import HUMAN_REQUEST_REASONS, VULNERABILITY_CATEGORIES
from triage.errors import DataError
from triage.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return generate_contacts(1500, 3)


def test_same_seed_gives_identical_bytes_and_other_seeds_differ() -> None:
    first = generate_contacts(300, 11).to_csv(index=False)
    again = generate_contacts(300, 11).to_csv(index=False)
    other = generate_contacts(300, 12).to_csv(index=False)
    assert first == again
    assert first != other


def test_columns_and_types(sample: pd.DataFrame) -> None:
    assert list(sample.columns) == list(COLUMNS)
    for column in ("vulnerable", "human_request", "assisted_digital", "lookalike"):
        assert sample[column].dtype == bool
    assert sample["contact_id"].is_unique
    assert set(sample["channel"]) == {"web", "email", "chat", "phone"}
    assert set(sample["language"]) == {"en", "cy"}
    assert sample["region"].nunique() >= 5
    assert (sample["family"].str.split("/").str[0] == sample["intent"]).all()
    words = sample["text"].str.split().str.len()
    assert words.min() >= 2 and words.max() <= 150


def test_every_taxonomy_intent_is_present(sample: pd.DataFrame) -> None:
    assert set(sample["intent"]) == set(load_taxonomy(None).intent_names)


def test_intents_have_many_phrasing_families(sample: pd.DataFrame) -> None:
    from synthetic.families import load_catalogue

    catalogue = load_catalogue()
    counts = {name: len(spec.families) for name, spec in catalogue.english.items()}
    assert min(counts.values()) >= 8, counts
    assert len(catalogue.welsh) >= 20


def test_pii_spans_cover_the_inserted_values(sample: pd.DataFrame) -> None:
    seen: set[str] = set()
    for text, raw in zip(sample["text"], sample["pii_spans"], strict=True):
        spans = json.loads(raw)
        previous_end = 0
        for span in spans:
            assert span["type"] in PII_TYPES
            value = text[span["start"] : span["end"]]
            assert value and value == value.strip()
            assert span["start"] >= previous_end  # spans are ordered and do not overlap
            previous_end = span["end"]
            seen.add(span["type"])
            digits = re.sub(r"\D", "", value)
            if span["type"] == "NHS_NUMBER":
                assert is_valid_nhs(value)
            if span["type"] == "CARD_NUMBER":
                assert len(digits) == 16 and luhn_ok(digits)
            if span["type"] == "SORT_CODE":
                assert re.fullmatch(r"\d\d[- ]\d\d[- ]\d\d", value)
            if span["type"] == "BANK_ACCOUNT":
                assert re.fullmatch(r"\d{8}", value)
            if span["type"] == "NI_NUMBER":
                assert re.fullmatch(r"[A-Z]{2} ?\d\d ?\d\d ?\d\d ?[A-D]", value)
            if span["type"] == "UPRN":
                assert re.fullmatch(r"\d{1,12}", value)
    assert seen == set(PII_TYPES)


def test_pii_survives_typos_and_channel_styling() -> None:
    frame = generate_contacts(400, 5, config=GeneratorConfig(pii_share=1.0, typo_rate=0.5))
    emails = [
        text[s["start"] : s["end"]]
        for text, raw in zip(frame["text"], frame["pii_spans"], strict=True)
        for s in json.loads(raw)
        if s["type"] == "EMAIL" and "@" in text[s["start"] : s["end"]]
    ]
    assert emails and all(re.fullmatch(r"[a-z0-9._]+@[a-z.]+", e) for e in emails)
    assert (frame["pii_spans"] != "[]").all()


def test_labels_are_consistent(sample: pd.DataFrame) -> None:
    vulnerable = sample[sample["vulnerable"]]
    assert set(vulnerable["vulnerability_category"]) == set(VULNERABILITY_CATEGORIES)
    assert (sample.loc[~sample["vulnerable"], "vulnerability_category"] == "").all()
    assert set(sample.loc[sample["human_request"], "human_request_reason"]) == set(HUMAN_REQUEST_REASONS)
    assert (sample.loc[~sample["human_request"], "human_request_reason"] == "").all()
    assert not (sample["lookalike"] & sample["vulnerable"]).any()
    # Written as people write: the word "vulnerable" is rare in vulnerable contacts.
    assert vulnerable["text"].str.contains("vulnerable", case=False).mean() < 0.1


def test_shares_follow_the_config() -> None:
    config = GeneratorConfig(
        pii_share=0.5,
        welsh_share=0.2,
        vulnerable_share=0.25,
        human_request_share=0.15,
        assisted_digital_share=0.1,
        channel_mix={"web": 0.5, "phone": 0.5},
    )
    frame = generate_contacts(2000, 9, config=config)
    assert frame["pii_spans"].ne("[]").mean() == pytest.approx(0.5, abs=0.04)
    assert (frame["language"] == "cy").mean() == pytest.approx(0.2, abs=0.03)
    assert frame["vulnerable"].mean() == pytest.approx(0.25, abs=0.03)
    assert frame["human_request"].mean() == pytest.approx(0.15, abs=0.03)
    assert frame["assisted_digital"].mean() == pytest.approx(0.1, abs=0.02)
    assert set(frame["channel"]) == {"web", "phone"}
    assert (frame["channel"] == "phone").mean() == pytest.approx(0.5, abs=0.04)


def test_typo_rate_changes_the_text() -> None:
    from synthetic.drift_checks import typo_rate

    clean = generate_contacts(300, 4, config=GeneratorConfig(typo_rate=0.0, channel_mix={"web": 1.0}))
    noisy = generate_contacts(300, 4, config=GeneratorConfig(typo_rate=0.2, channel_mix={"web": 1.0}))
    assert noisy["text"].map(typo_rate).mean() > clean["text"].map(typo_rate).mean() + 0.1


def test_channels_have_their_own_shape(sample: pd.DataFrame) -> None:
    by = dict(tuple(sample.groupby("channel")))
    phone = by["phone"]
    plain_phone = phone[phone["pii_spans"] == "[]"]["text"]
    assert not plain_phone.str.contains(r"[.,?!]").any()  # transcripts have no punctuation
    assert plain_phone.str.contains(r"\b(?:um|erm|er|you know)\b").mean() > 0.3
    assert (plain_phone == plain_phone.str.lower()).all()
    assert by["chat"]["text"].str.contains("\n").mean() > 0.6  # short turns on separate lines
    assert by["chat"]["text"].str.contains(r"\b(?:pls|plz|u|thx|im|dont|ur)\b").mean() > 0.15
    email = by["email"]["text"]
    assert email.str.contains(r"^(?:Hello|Hi|Dear|Good|To whom|Morning|Annwyl|Helo|Bore|Prynhawn|Shwmae)").mean() > 0.7
    assert (
        email.str.contains(
            r"(?:regards|thanks|wishes|faithfully|sincerely|cheers|thank you|best|diolch|cofion|gywir)", case=False
        ).mean()
        > 0.9
    )
    assert by["web"]["text"].str.split().str.len().mean() < email.str.split().str.len().mean()


def test_welsh_contacts_are_welsh(sample: pd.DataFrame) -> None:
    welsh = sample[sample["language"] == "cy"]
    assert len(welsh) > 30
    assert welsh["family"].str.contains("/cy").all()
    assert welsh["text"].str.contains(r"\b(?:mae|ydw|fy|yw|y|yn|gyda|dydy|sut|hoffwn)\b", case=False).mean() > 0.95


def test_human_requests_and_lookalikes_read_as_described() -> None:
    from triage.human_request import detect_human_request

    frame = generate_contacts(600, 8, config=GeneratorConfig(human_request_share=0.5, lookalike_share=0.3))
    asked = frame[frame["human_request"]]
    detected = asked["text"].map(detect_human_request).notna().mean()
    assert detected > 0.6  # most are caught by the rules; a few are phrased more indirectly
    lookalikes = frame[frame["lookalike"]]["text"]
    assert lookalikes.str.contains(r"kill|dying|death|dead|die|murder|heart attack|finish", case=False).mean() > 0.8


@pytest.mark.parametrize("bad", [0, -5, 2.5])
def test_bad_counts_are_refused(bad: object) -> None:
    with pytest.raises(DataError, match="n must be a whole number"):
        generate_contacts(bad, 1)  # type: ignore[arg-type]


def test_every_template_renders() -> None:
    import random

    from synthetic.families import load_catalogue
    from synthetic.generator import _pii_rules, _slots
    from synthetic.signals import signal_data
    from synthetic.templates import expand

    rng = random.Random(0)
    catalogue = load_catalogue()
    groups = [*catalogue.english.values(), *catalogue.welsh.values(), *catalogue.emerging.values()]
    for phrasing in groups:
        slots = {**_slots(phrasing.language), "topic": phrasing.topics or ("this",)}
        for template in [*phrasing.shared, *(t for f in phrasing.families for t in (*f.templates, *f.details))]:
            assert "{" not in expand(template, rng, slots).replace("{NAME}", ""), template
    signals = signal_data()
    english = {**_slots("en"), "topic": ("my council tax",)}
    vulnerability = [t for c in signals["vulnerability"].values() for f in c["families"] for t in f]
    for template in [*vulnerability, *signals["assisted_digital"], *signals["lookalikes"]["generic"]]:
        assert "{" not in expand(template, rng, english), template
    for clauses in _pii_rules()["clauses"].values():
        for templates in clauses.values():
            for template in templates:
                assert re.fullmatch(r"[^{}]*(?:\{[A-Z_]+\}[^{}]*)+", expand(template, rng, english)), template
