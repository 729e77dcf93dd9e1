"""Sentences that change how a contact must be handled, whatever its intent.

- **vulnerability**: signs of risk written as people write them (mostly without the word
  "vulnerable"), in six categories, each with its own phrasing families;
- **human requests**: asking for a person, or saying online services will not work for them;
- **assisted digital**: someone else (a relative, a library assistant) is making the contact;
- **look-alikes**: alarming-sounding idioms that are not vulnerability ("this fine is killing me").
"""

from __future__ import annotations

import random
from functools import cache
from typing import Literal

from synthetic.resources import load_data

VULNERABILITY_CATEGORIES = (
    "risk_to_life",
    "domestic_abuse",
    "bereavement",
    "financial_hardship",
    "serious_illness",
    "child_or_adult_at_risk",
)
HUMAN_REQUEST_REASONS = ("asked_for_person", "cannot_use_online")
HumanRequestReason = Literal["asked_for_person", "cannot_use_online"]


@cache
def signal_data() -> dict:
    return load_data("signals")


def pick_vulnerability(intent: str, rng: random.Random) -> str:
    """A category, more likely when it often comes with this intent (bereavement with death registration)."""
    table = signal_data()["vulnerability"]
    weights = [table[c]["weight"] * (4.0 if intent in table[c].get("affinity", []) else 1.0) for c in table]
    return rng.choices(list(table), weights=weights)[0]


def vulnerability_template(category: str, language: str, rng: random.Random) -> tuple[str, str]:
    """(family id, template) expressing ``category``; Welsh where the data has it."""
    if language == "cy":
        welsh = signal_data().get("vulnerability_cy", {}).get(category)
        if welsh:
            return f"{category}/cy", rng.choice(welsh)
    families = signal_data()["vulnerability"][category]["families"]
    index = rng.randrange(len(families))
    return f"{category}/v{index + 1:02d}", rng.choice(families[index])


def human_request_template(reason: str, language: str, rng: random.Random) -> str:
    key = "human_request_cy" if language == "cy" else "human_request"
    return rng.choice(signal_data()[key][reason])


def assisted_template(language: str, rng: random.Random) -> str:
    key = "assisted_digital_cy" if language == "cy" else "assisted_digital"
    return rng.choice(signal_data()[key])


def lookalike_template(intent: str, rng: random.Random) -> str:
    data = signal_data()["lookalikes"]
    specific = data["by_intent"].get(intent, [])
    if specific and rng.random() < 0.7:
        return rng.choice(specific)
    return rng.choice(data["generic"])


def second_topic_connector(language: str, rng: random.Random) -> str:
    key = "second_topic_cy" if language == "cy" else "second_topic"
    return rng.choice(signal_data()[key])
