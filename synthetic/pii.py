"""Realistic UK personal data with valid check digits, and the clauses that carry it.

Values come from the generator's own name and street lists (no Faker), so a seed gives the same
bytes on every machine. Numbers follow the real formats: NHS numbers pass the modulus-11 check,
card numbers the Luhn check, National Insurance numbers use allowed prefixes, phone numbers sit
in Ofcom's ranges reserved for drama, and postcodes use the region's postcode districts.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from functools import cache

from synthetic.resources import load_data
from triage.redaction import PII_TYPES as REDACTION_TYPES

# The labelled span types: the redaction module's vocabulary, less its generic safety-net type.
PII_TYPES = tuple(kind for kind in REDACTION_TYPES if kind != "REFERENCE")

_NI_FIRST = [c for c in string.ascii_uppercase if c not in "DFIQUV"]
_NI_SECOND = [c for c in string.ascii_uppercase if c not in "DFIOQUV"]
_NI_BANNED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_MONTHS = "January February March April May June July August September October November December".split()


def nhs_check_digit(nine_digits: str) -> int | None:
    """The modulus-11 check digit for the first nine digits, or ``None`` when no valid one exists."""
    total = sum(int(d) * w for d, w in zip(nine_digits, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs(number: str) -> bool:
    digits = "".join(ch for ch in number if ch.isdigit())
    return len(digits) == 10 and nhs_check_digit(digits[:9]) == int(digits[9])


def luhn_ok(number: str) -> bool:
    digits = [int(ch) for ch in number if ch.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return total % 10 == 0


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def nhs_number(rng: random.Random) -> str:
    while True:
        body = str(rng.randint(4, 9)) + _digits(rng, 8)
        check = nhs_check_digit(body)
        if check is not None:
            number = body + str(check)
            return rng.choice([f"{number[:3]} {number[3:6]} {number[6:]}", number])


def card_number(rng: random.Random) -> str:
    body = rng.choice(["4", "5" + str(rng.randint(1, 5))])
    body += _digits(rng, 15 - len(body))
    for check in range(10):
        if luhn_ok(body + str(check)):
            number = body + str(check)
            break
    groups = " ".join(number[i : i + 4] for i in range(0, 16, 4))
    return rng.choice([groups, groups, number, groups.replace(" ", "-")])


def ni_number(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(_NI_FIRST) + rng.choice(_NI_SECOND)
        if prefix not in _NI_BANNED:
            break
    digits = _digits(rng, 6)
    suffix = rng.choice("ABCD")
    spaced = f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return rng.choice([spaced, spaced, spaced.replace(" ", "")])


def sort_code(rng: random.Random) -> str:
    d = _digits(rng, 6)
    return rng.choice([f"{d[:2]}-{d[2:4]}-{d[4:]}", f"{d[:2]}-{d[2:4]}-{d[4:]}", f"{d[:2]} {d[2:4]} {d[4:]}"])


def bank_account(rng: random.Random) -> str:
    return str(rng.randint(1, 9)) + _digits(rng, 7)


def council_tax_ref(rng: random.Random) -> str:
    return rng.choice(["5", "6", "8"]) + _digits(rng, 9)


def benefit_ref(rng: random.Random) -> str:
    return rng.choice([f"HB{_digits(rng, 7)}", f"CTR{_digits(rng, 6)}", _digits(rng, 8), f"HB/{_digits(rng, 6)}"])


def uprn(rng: random.Random) -> str:
    return str(rng.randint(1, 9)) + _digits(rng, rng.randint(7, 11))


def phone_number(rng: random.Random) -> str:
    tail = f"{rng.randint(0, 999):03d}"
    tail4 = f"{rng.randint(0, 999):04d}"
    return rng.choice(
        [
            f"07700 900{tail}",
            f"07700900{tail}",
            f"+44 7700 900{tail}",
            f"029 2018 {tail4}",
            f"020 7946 {tail4}",
            f"0113 496 {tail4}",
            f"0161 496 {tail4}",
        ]
    )


def dob(rng: random.Random) -> str:
    year, month, day = rng.randint(1935, 2006), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice(
        [
            f"{day:02d}/{month:02d}/{year}",
            f"{day}/{month}/{year}",
            f"{day} {_MONTHS[month - 1]} {year}",
            f"{day:02d}.{month:02d}.{year}",
        ]
    )


@cache
def people() -> dict:
    return load_data("people")


def postcode(rng: random.Random, region: str) -> str:
    regions = {r["name"]: r for r in people()["regions"]}
    district = rng.choice(regions[region]["postcode_districts"])
    return f"{district} {rng.randint(1, 9)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"


class PersonalData:
    """One contact's personal details, made on first use so repeated mentions agree."""

    def __init__(self, rng: random.Random, *, region: str, spoken: bool = False, welsh: bool = False) -> None:
        self._rng = rng
        self._region = region
        self._spoken = spoken
        self._welsh = welsh
        self._values: dict[str, str] = {}
        self._first = ""
        self._last = ""

    def _names(self) -> tuple[str, str]:
        if not self._first:
            lists = people()
            pool = "welsh_" if self._welsh and self._rng.random() < 0.7 else ""
            self._first = self._rng.choice(lists[f"{pool}first_names"])
            self._last = self._rng.choice(lists[f"{pool}surnames"])
        return self._first, self._last

    def _make(self, kind: str) -> str:
        rng = self._rng
        makers: dict[str, Callable[[], str]] = {
            "NAME": self._name,
            "EMAIL": self._email,
            "ADDRESS": self._address,
            "POSTCODE": lambda: postcode(rng, self._region),
            "PHONE": lambda: phone_number(rng),
            "NI_NUMBER": lambda: ni_number(rng),
            "NHS_NUMBER": lambda: nhs_number(rng),
            "CARD_NUMBER": lambda: card_number(rng),
            "BANK_ACCOUNT": lambda: bank_account(rng),
            "SORT_CODE": lambda: sort_code(rng),
            "COUNCIL_TAX_REF": lambda: council_tax_ref(rng),
            "BENEFIT_REF": lambda: benefit_ref(rng),
            "UPRN": lambda: uprn(rng),
            "DOB": lambda: dob(rng),
        }
        return makers[kind]()

    def value(self, kind: str) -> str:
        if kind not in self._values:
            self._values[kind] = self._make(kind)
        return self._values[kind]

    def _name(self) -> str:
        first, last = self._names()
        return self._rng.choice([f"{first} {last}", f"{first} {last}", first, f"{first[0]}. {last}"])

    def _email(self) -> str:
        first, last = self._names()
        rng = self._rng
        user = rng.choice(
            [
                f"{first}.{last}",
                f"{first}{last}{rng.randint(1, 99)}",
                f"{first[0]}{last}",
                f"{last}.{first[0]}",
                f"{first}_{last}{rng.randint(60, 99)}",
            ]
        ).lower()
        user = "".join(ch for ch in user if ch.isalnum() or ch in "._")
        domain = rng.choice(people()["email_domains"])
        if self._spoken:
            return f"{user.replace('.', ' dot ').replace('_', ' underscore ')} at {domain.replace('.', ' dot ')}"
        return f"{user}@{domain}"

    def _address(self) -> str:
        rng = self._rng
        street = rng.choice(people()["welsh_streets" if self._welsh else "streets"])
        number = rng.randint(1, 180)
        if rng.random() < 0.15:
            return f"{'Fflat' if self._welsh else 'Flat'} {rng.randint(1, 24)}, {number} {street}"
        return f"{number} {street}"
