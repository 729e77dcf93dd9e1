"""Personal-data values follow the real formats and check digits."""

from __future__ import annotations

import random
import re

from synthetic.pii import (
    PersonalData,
    card_number,
    is_valid_nhs,
    luhn_ok,
    nhs_check_digit,
    ni_number,
    postcode,
)


def test_nhs_check_digit_matches_a_known_number() -> None:
    assert nhs_check_digit("943476591") == 9  # NHS Digital's example 943 476 5919
    assert is_valid_nhs("943 476 5919")
    assert not is_valid_nhs("943 476 5918")


def test_generated_numbers_pass_their_checks() -> None:
    rng = random.Random(1)
    for _ in range(200):
        assert luhn_ok(card_number(rng))
        assert re.fullmatch(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d\d ?\d\d ?\d\d ?[A-D]", ni_number(rng))
        assert re.fullmatch(r"CF\d{1,2} \d[ABD-HJLNP-UW-Z]{2}", postcode(rng, "Riverside"))


def test_repeated_mentions_agree() -> None:
    person = PersonalData(random.Random(2), region="Castle")
    assert person.value("NAME") == person.value("NAME")
    spoken = PersonalData(random.Random(2), region="Castle", spoken=True)
    assert " at " in spoken.value("EMAIL") and "@" not in spoken.value("EMAIL")
