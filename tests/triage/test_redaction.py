"""Personal-data redaction: what is found (with its type and exact span), what is left alone, idempotence,
overlapping detectors, and the recall measurement."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections import Counter

import pytest

from triage.errors import DataError
from triage.redaction import PII_TYPES, PiiSpan, find_pii, redact, redact_with_spans, redaction_recall

# (type, text, the value that must be found with exactly that type and span)
POSITIVES: list[tuple[str, str, str]] = [
    # EMAIL
    ("EMAIL", "my email is jane.smith@example.com", "jane.smith@example.com"),
    ("EMAIL", "Email: J.O'Brien+council@mail.example.co.uk thanks", "J.O'Brien+council@mail.example.co.uk"),
    ("EMAIL", "REPLY TO JANE_SMITH99@HOTMAIL.CO.UK", "JANE_SMITH99@HOTMAIL.CO.UK"),
    ("EMAIL", "email me at jane dot smith at gmail dot com please", "jane dot smith at gmail dot com"),
    ("EMAIL", "its jones underscore f82 at yahoo dot co dot uk", "jones underscore f82 at yahoo dot co dot uk"),
    # PHONE
    ("PHONE", "call me on 07700 900123", "07700 900123"),
    ("PHONE", "my mobile is 07700900123.", "07700900123"),
    ("PHONE", "tel +44 7700 900123 after 5", "+44 7700 900123"),
    ("PHONE", "ring +44 (0)20 7946 0000 please", "+44 (0)20 7946 0000"),
    ("PHONE", "landline (029) 2087 2087", "(029) 2087 2087"),
    ("PHONE", "office 0161-496-0000", "0161-496-0000"),
    ("PHONE", "from abroad 0044 1632 960000", "0044 1632 960000"),
    (
        "PHONE",
        "me number is oh seven seven double oh nine double oh one two three",
        "oh seven seven double oh nine double oh one two three",
    ),
    ("PHONE", "its 07700 nine double oh one two three thanks", "07700 nine double oh one two three"),
    # POSTCODE
    ("POSTCODE", "Postcode CF10 1AA.", "CF10 1AA"),
    ("POSTCODE", "my postcode is cf10 1aa", "cf10 1aa"),
    ("POSTCODE", "It's SW1A1AA if that helps", "SW1A1AA"),
    ("POSTCODE", "we are in b33 8th", "b33 8th"),
    ("POSTCODE", "postcode m1 1ae please", "m1 1ae"),
    ("POSTCODE", "EC1A 1BB, London", "EC1A 1BB"),
    # ADDRESS
    ("ADDRESS", "I live at 12 Station Road, Cardiff", "12 Station Road"),
    ("ADDRESS", "Flat 3, 45 Hill St needs a new bin", "Flat 3, 45 Hill St"),
    ("ADDRESS", "send it to 221b Baker Street", "221b Baker Street"),
    ("ADDRESS", "i live at 12 station road", "12 station road"),
    ("ADDRESS", "bins not emptied at 7 Oak Close since monday", "7 Oak Close"),
    ("ADDRESS", "the houses at 14-16 Church Lane", "14-16 Church Lane"),
    ("ADDRESS", "We're at 3 Heol y Parc if you need to send someone.", "3 Heol y Parc"),
    ("ADDRESS", "I live at 12 Southgate near the shops", "12 Southgate"),
    ("ADDRESS", "it's erm at 79 Cowbridge Road East", "79 Cowbridge Road East"),
    ("ADDRESS", "Cyfeiriad: Fflat 22, 71 Heol yr Eglwys.", "Fflat 22, 71 Heol yr Eglwys"),
    # NI_NUMBER
    ("NI_NUMBER", "NI number QQ 12 34 56 C", "QQ 12 34 56 C"),
    ("NI_NUMBER", "it is QQ123456C", "QQ123456C"),
    ("NI_NUMBER", "ni no qq 12 34 56 c thanks", "qq 12 34 56 c"),
    ("NI_NUMBER", "my national insurance number is AB 12 34 56", "AB 12 34 56"),
    # NHS_NUMBER
    ("NHS_NUMBER", "her number is 943 476 5919", "943 476 5919"),
    ("NHS_NUMBER", "ref 9434765919 from the GP", "9434765919"),
    ("NHS_NUMBER", "hospital letter says 943-476-5919", "943-476-5919"),
    ("NHS_NUMBER", "NHS number 123 456 7890", "123 456 7890"),  # no valid check digit, but cued
    (
        "NHS_NUMBER",
        "nhs no. nine four three four seven six five nine one nine",
        "nine four three four seven six five nine one nine",
    ),
    # CARD_NUMBER
    ("CARD_NUMBER", "card 4111 1111 1111 1111 exp 12/26", "4111 1111 1111 1111"),
    ("CARD_NUMBER", "take it from 4111-1111-1111-1111", "4111-1111-1111-1111"),
    ("CARD_NUMBER", "the long number is 5555555555554444", "5555555555554444"),
    ("CARD_NUMBER", "amex 3782 822463 10005 please", "3782 822463 10005"),
    # BANK_ACCOUNT
    ("BANK_ACCOUNT", "account number 12345678", "12345678"),
    ("BANK_ACCOUNT", "acc no: 1234 5678", "1234 5678"),
    ("BANK_ACCOUNT", "pay from a/c 87654321 please", "87654321"),
    ("BANK_ACCOUNT", "12345678 is my account number", "12345678"),
    (
        "BANK_ACCOUNT",
        "account number is one two three four five six seven eight",
        "one two three four five six seven eight",
    ),
    # SORT_CODE
    ("SORT_CODE", "sort code 12-34-56", "12-34-56"),
    ("SORT_CODE", "the sort code is 12 34 56", "12 34 56"),
    ("SORT_CODE", "sortcode: 123456", "123456"),
    ("SORT_CODE", "bank 20-00-00 account 12345678", "20-00-00"),
    ("SORT_CODE", "sort code 12-03-25, which looks like a date", "12-03-25"),
    # COUNCIL_TAX_REF
    ("COUNCIL_TAX_REF", "my council tax account number is 5123456789", "5123456789"),
    ("COUNCIL_TAX_REF", "council tax ref CT123456", "CT123456"),
    ("COUNCIL_TAX_REF", "Account ref: 6123456789", "6123456789"),
    ("COUNCIL_TAX_REF", "the reference on my bill is 8123456789", "8123456789"),
    ("COUNCIL_TAX_REF", "council tacks account number 5123456789 yeah", "5123456789"),
    # BENEFIT_REF
    ("BENEFIT_REF", "benefit reference 12345678", "12345678"),
    ("BENEFIT_REF", "HB ref HB123456", "HB123456"),
    ("BENEFIT_REF", "housing benefit claim number 556677889", "556677889"),
    ("BENEFIT_REF", "the claim number on the letter is HB/452910.", "HB/452910"),
    ("BENEFIT_REF", "CTR 987654321 was stopped", "987654321"),
    ("BENEFIT_REF", "Ref: CTR123456", "CTR123456"),
    ("BENEFIT_REF", "I think I was overpaid. Ref: 94372250", "94372250"),  # a bare ref, typed by context
    # UPRN
    ("UPRN", "UPRN 100023336956", "100023336956"),
    ("UPRN", "uprn: 10023336956", "10023336956"),
    ("UPRN", "property reference 1234567", "1234567"),
    ("UPRN", "The property reference (UPRN) is 200003456789.", "200003456789"),
    # DOB
    ("DOB", "date of birth 12/03/1980", "12/03/1980"),
    ("DOB", "DOB: 12.03.80", "12.03.80"),
    ("DOB", "d.o.b 1980-03-12", "1980-03-12"),
    ("DOB", "I was born on the 3rd of May 1975.", "3rd of May 1975"),
    ("DOB", "my date of birth is 12 March 1980", "12 March 1980"),
    ("DOB", "born March 12, 1980 in Cardiff", "March 12, 1980"),
    ("DOB", "dob 12031980", "12031980"),
    ("DOB", "whats your date of birth? 1st april 1990", "1st april 1990"),
    ("DOB", "12/03/1980 is my date of birth", "12/03/1980"),
    ("DOB", "born on the twelfth of march nineteen eighty", "twelfth of march nineteen eighty"),
    # NAME
    ("NAME", "my name is Jane Smith and I need help", "Jane Smith"),
    ("NAME", "my name's jane smith and i live here", "jane smith"),
    ("NAME", "I'm Jane Smith, calling about my bin", "Jane Smith"),
    ("NAME", "this is Jane from the housing team", "Jane"),
    ("NAME", "this is jane from the housing team", "jane"),
    ("NAME", "Name: Jane Smith\nAddress: unknown", "Jane Smith"),
    ("NAME", "can I speak to Mrs Smith please", "Mrs Smith"),
    ("NAME", "it is regarding Dr. Patel", "Dr. Patel"),
    ("NAME", "Kind regards,\nJane Smith", "Jane Smith"),
    ("NAME", "Thanks, Jane", "Jane"),
    ("NAME", "Many thanks\n\nJ. Smith", "J. Smith"),
    ("NAME", "my son Tom's school", "Tom"),
    ("NAME", "Dafydd Jones here, about the bins", "Dafydd Jones"),
    ("NAME", "um hello yeah Max Wilson here is there anyone", "Max Wilson"),
    ("NAME", "MY NAME IS JANE SMITH", "JANE SMITH"),
    ("NAME", "my name is Siân ap Dafydd", "Siân ap Dafydd"),
    ("NAME", "um my name is um Dafydd Jones and i live on station road", "Dafydd Jones"),
    ("NAME", "hi yeah Dafydd Jones um here about the bins", "Dafydd Jones"),
    ("NAME", "i spoke to mr jones yesterday", "mr jones"),
]

# Ordinary contact-centre text that must come through untouched.
NEGATIVES: list[str] = [
    "My green bin was not collected on Tuesday, the crew came at 7:30.",
    "The bill says £1,234.56 for 2024/25 band D, can I pay in 10 instalments?",
    "I got a PCN AB12345678 for parking on double yellow lines.",
    "flat 3 has damp in the bedroom",
    "my name is on the council tax bill",
    "My name is spelt wrong on the bill",
    "collected on 12/03/2025 and again on 01.04.2025",
    "The meeting is at 10:30 on 12-03-25 in room 4",  # a dashed date is not a sort code
    "I was born here and my bin was missed on 12/03/2025.",  # the date is too far from "born"
    "I'm Worried about my bin. It's Ridiculous. I'm Not happy.",
    "Thanks, I will wait for your reply.",
    "Dear Sir or Madam, please help.",
    "Dear Sirr or Madam, Dear Concil,",  # misspelt greetings are not names
    "I put 3 large green bins out and 2 bags on the road",
    "Please bring 3 Big Green Bins to the school",
    "the doors at 11 12 13 a and b are damp",  # NI-shaped, but "at" is a word, not a prefix
    "MY NAME IS NOT ON THE BILL",
    "this is madness, three weeks now",
    "my ref is AB12345678 for the parking fine",  # PCN-shaped
    "the parcel code is AB4111111111111111 or 9434765919XY",  # card / NHS digits glued to letters
    "user id a07700900123, version 1.4111111111111111",
    "the bus came at 7:30 Church Street was blocked",
    "It is 3 weeks since I reported it, ref 123",
    "my planning application ref 24/01234/FUL has been waiting 8 weeks",
    "the case reference is 1234567 for my complaint",
    "I have lived in the area for 40 years, since 1984.",
    "It's 5 o'clock and nobody came.",
    "Am I speaking to the council? Is anyone here?",
    "I'm Welsh speaking, can I get the form in Welsh?",
    "Please call between 9:00 and 17:00 Monday to Friday.",
    "bin day changed from monday to tuesday from 1st april",
    "The 12 flats in our block share 4 bins.",
]


def _found(text: str) -> set[tuple[str, str]]:
    return {(span.type, text[span.start : span.end]) for span in find_pii(text)}


@pytest.mark.parametrize(
    ("type_", "text", "value"), POSITIVES, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(POSITIVES)]
)
def test_finds_the_value_with_its_type(type_: str, text: str, value: str) -> None:
    assert (type_, value) in _found(text)
    redacted = redact(text)
    assert value not in redacted
    assert f"[{type_}]" in redacted


def test_every_type_has_several_positive_cases() -> None:
    counts = Counter(type_ for type_, _, _ in POSITIVES)
    assert set(counts) == set(PII_TYPES) - {"REFERENCE"}  # the generic safety net has its own tests below
    assert min(counts.values()) >= 4


# Long numbers that fail every specific check are still redacted, generically: privacy beats precision.
UNTYPED_NUMBERS = [
    ("card 4111 1111 1111 1112 was declined", "4111 1111 1111 1112"),  # fails the Luhn check
    ("I was given 9434765918 at the surgery", "9434765918"),  # NHS-shaped, wrong check digit, no cue
    ("Order 1234567890 and invoice 2345678901", "1234567890"),
    ("my council taz is 6199129240", "6199129240"),  # misspelt cue
]


@pytest.mark.parametrize(("text", "value"), UNTYPED_NUMBERS)
def test_long_numbers_without_a_recognised_cue_are_redacted_generically(text: str, value: str) -> None:
    assert ("REFERENCE", value) in _found(text)
    assert value not in redact(text)


@pytest.mark.parametrize(
    ("text", "value", "type_"),
    [
        ("date of brith is 28 April 1988", "28 April 1988", "DOB"),
        ("born on the 3rd of May 1975", "3rd of May 1975", "DOB"),
        ("soort code is 11 57 42", "11 57 42", "SORT_CODE"),
        ("my sord kode 20 45 77 thanks", "20 45 77", "SORT_CODE"),
        ("hey\nmy nzme is Archie Baker\nwhat time", "Archie Baker", "NAME"),
        ("um hello yeah this er is Kirsty Wright from queen street", "Kirsty Wright", "NAME"),
        ("Many thankss,\nJanet", "Janet", "NAME"),
        ("hello\nSamuel Harris hree\nwe moved in", "Samuel Harris", "NAME"),
    ],
)
def test_misspelt_cues_are_caught_by_the_safety_nets(text: str, value: str, type_: str) -> None:
    assert value not in redact(text)
    assert any(t == type_ for t, _ in _found(text))


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert find_pii(text) == []
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "kept", "type_"),
    [
        ("collected on 12/03/2025, my date of birth is 01/02/1980", "12/03/2025", "DOB"),
        ("PCN AB12345678, my email is jane@example.com", "PCN AB12345678", "EMAIL"),
        ("£1,234.56 owed, call 07700 900123", "£1,234.56", "PHONE"),
        ("flat 3 is empty but I live at Flat 9, 45 Hill St", "flat 3 is empty", "ADDRESS"),
    ],
)
def test_look_alikes_next_to_personal_data_stay(text: str, kept: str, type_: str) -> None:
    redacted = redact(text)
    assert kept in redacted
    assert f"[{type_}]" in redacted


MIXED = (
    "Hello, my name is Jane Smith and I live at 12 Station Road, Cardiff CF10 1AA. Call 07700 900123 or "
    "email jane.smith@example.com. Council tax account number 5123456789, DOB 12/03/1980. My bin was missed "
    "on 14/03/2025 at 7:30.\n\nKind regards,\nJane Smith"
)
MIXED_EXPECTED = [
    ("NAME", "Jane Smith"),
    ("ADDRESS", "12 Station Road"),
    ("POSTCODE", "CF10 1AA"),
    ("PHONE", "07700 900123"),
    ("EMAIL", "jane.smith@example.com"),
    ("COUNCIL_TAX_REF", "5123456789"),
    ("DOB", "12/03/1980"),
    ("NAME", "Jane Smith"),
]


def test_spans_are_sorted_disjoint_and_slice_to_the_values() -> None:
    spans = find_pii(MIXED)
    assert [(s.type, MIXED[s.start : s.end]) for s in spans] == MIXED_EXPECTED
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_redact_with_spans_reports_what_redact_replaced() -> None:
    redacted, spans = redact_with_spans(MIXED)
    assert redacted == redact(MIXED)
    assert spans == find_pii(MIXED)
    rebuilt = MIXED
    for span in reversed(spans):
        rebuilt = rebuilt[: span.start] + span.placeholder + rebuilt[span.end :]
    assert rebuilt == redacted
    assert "on 14/03/2025 at 7:30" in redacted


def test_pii_span_is_a_frozen_value() -> None:
    span = PiiSpan(3, 8, "EMAIL")
    assert span.placeholder == "[EMAIL]"
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.start = 0  # type: ignore[misc]


@pytest.mark.parametrize("text", [MIXED, *NEGATIVES, *(text for _, text, _ in POSITIVES)])
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
    assert find_pii(once) == []


@pytest.mark.parametrize(
    "text",
    [
        "my name is [NAME] and my email is [EMAIL]",
        "Kind regards,\n[NAME]",
        "Mr [NAME] at [ADDRESS], [POSTCODE]",
        "account number [BANK_ACCOUNT], sort code [SORT_CODE]",
        "[NAME] here, DOB [DOB], NHS number [NHS_NUMBER]",
    ],
)
def test_placeholders_are_never_redacted_again(text: str) -> None:
    assert find_pii(text) == []


@pytest.mark.parametrize(
    ("text", "value", "type_"),
    [
        # both the council-tax cue and the bank-account cue ("account number") see the number
        ("council tax account number 12345678", "12345678", "COUNCIL_TAX_REF"),
        # the name cue proposes "jane", the email detector the whole address
        ("name: jane.smith@example.com", "jane.smith@example.com", "EMAIL"),
        # a phone-shaped local part inside an email address
        ("write to 07700900123@example.com", "07700900123@example.com", "EMAIL"),
        # partial overlap: address "12 Oak Dr" and title "Dr Smith" merge, so nothing raw survives
        ("post it to 12 Oak Dr Smith", "12 Oak Dr Smith", "ADDRESS"),
    ],
)
def test_overlapping_detectors_give_one_span(text: str, value: str, type_: str) -> None:
    spans = find_pii(text)
    assert [(s.type, text[s.start : s.end]) for s in spans] == [(type_, value)]


def _gold(text: str, value: str, type_: str) -> dict[str, object]:
    start = text.index(value)
    return {"start": start, "end": start + len(value), "type": type_}


def test_redaction_recall_counts_fully_covered_spans_and_their_types() -> None:
    texts = [
        "my name is Jane Smith, call 07700 900123",
        "Bin missed again, Jane",  # no cue: the name is missed
        "Ref: 12345678",  # caught, but typed as a council-tax reference
        "I live at Rose Cottage, 12 Station Road",  # only the street part is found: not caught
    ]
    gold = [
        [_gold(texts[0], "Jane Smith", "NAME"), _gold(texts[0], "07700 900123", "PHONE")],
        [_gold(texts[1], "Jane", "NAME")],
        [_gold(texts[2], "12345678", "BENEFIT_REF")],
        [_gold(texts[3], "Rose Cottage, 12 Station Road", "ADDRESS")],
    ]
    result = redaction_recall(texts, gold)
    assert result["overall"]["n"] == 5
    assert result["overall"]["recall"] == pytest.approx(3 / 5)
    assert result["overall"]["type_accuracy"] == pytest.approx(2 / 3)
    by_type = result["by_type"]
    assert set(by_type) == {"NAME", "PHONE", "BENEFIT_REF", "ADDRESS"}
    assert by_type["NAME"] == {"recall": 0.5, "n": 2, "type_accuracy": 1.0}
    assert by_type["PHONE"] == {"recall": 1.0, "n": 1, "type_accuracy": 1.0}
    assert by_type["BENEFIT_REF"] == {"recall": 1.0, "n": 1, "type_accuracy": 0.0}
    assert by_type["ADDRESS"]["recall"] == 0.0
    assert math.isnan(by_type["ADDRESS"]["type_accuracy"])


def test_redaction_recall_without_gold_spans_is_nan() -> None:
    result = redaction_recall(["nothing personal here"], [[]])
    assert result["overall"]["n"] == 0
    assert math.isnan(result["overall"]["recall"])
    assert result["by_type"] == {}


@pytest.mark.parametrize(
    ("texts", "gold", "message"),
    [
        (["a", "b"], [[]], "2 texts but 1"),
        (["call 07700 900123"], [[{"start": 5, "end": 17, "type": "MOBILE"}]], "MOBILE"),
        (["short"], [[{"start": 2, "end": 40, "type": "NAME"}]], "outside"),
        (["short"], [[{"start": 2, "type": "NAME"}]], "needs integer"),
    ],
)
def test_redaction_recall_rejects_bad_gold(texts: list[str], gold: list[list[dict]], message: str) -> None:
    with pytest.raises(DataError, match=message):
        redaction_recall(texts, gold)
