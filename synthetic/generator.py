"""Labelled synthetic contacts for the default council taxonomy.

Each contact is built from one phrasing family of its intent (see :mod:`synthetic.families`):
the main ask, perhaps family or intent details, and, by the configured shares, a second minor
topic, a sign of vulnerability, a request for a person, a look-alike idiom, a note that someone
is helping, and personal data in cue phrases. The channel then shapes it (:mod:`synthetic.channels`)
and typing mistakes are added; personal data is never altered, so ``pii_spans`` stay exact.

Every contact draws from its own random generator seeded by ``(seed, key)``, so a seed gives
byte-identical output on any machine and a change to one contact's settings never shifts another.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from synthetic.channels import CHANNELS, style
from synthetic.config import GeneratorConfig
from synthetic.families import Catalogue, IntentPhrasing, load_catalogue
from synthetic.pii import PersonalData, people
from synthetic.resources import load_data
from synthetic.signals import (
    assisted_template,
    human_request_template,
    lookalike_template,
    pick_vulnerability,
    second_topic_connector,
    vulnerability_template,
)
from synthetic.templates import capitalise, render
from synthetic.text import Piece, Sentence, assemble, map_plain
from triage.errors import DataError

__all__ = ["COLUMNS", "GeneratorConfig", "build_contact", "contacts_frame", "generate_contacts", "plan_for"]

COLUMNS = (
    "contact_id",
    "text",
    "intent",
    "family",
    "channel",
    "language",
    "region",
    "vulnerable",
    "vulnerability_category",
    "human_request",
    "human_request_reason",
    "assisted_digital",
    "lookalike",
    "pii_spans",
)
BOOL_COLUMNS = ("vulnerable", "human_request", "assisted_digital", "lookalike")
MAX_WORDS = 150
_EXTRA_SENTENCES = {"web": 1, "email": 3, "chat": 2, "phone": 2}
# How often the second, minor topic appears on each channel, relative to ``second_topic_share``.
_SECOND_TOPIC_FACTOR = {"web": 0.15, "email": 1.0, "chat": 0.25, "phone": 0.5}


def contact_rng(seed: int, key: str) -> random.Random:
    """The random generator for one contact (string seeding is stable across platforms)."""
    return random.Random(f"{seed}|{key}")


@dataclass(frozen=True)
class Plan:
    """Volumes and lookups prepared once per configuration."""

    intents: tuple[str, ...]
    weights: tuple[float, ...]
    welsh_intents: tuple[str, ...]
    welsh_weights: tuple[float, ...]
    channels: tuple[str, ...]
    channel_weights: tuple[float, ...]


def plan_for(config: GeneratorConfig) -> Plan:
    """Volumes and channel weights for ``config``, computed once and passed to :func:`build_contact`."""
    return _plan(config, load_catalogue())


def _plan(config: GeneratorConfig, catalogue: Catalogue) -> Plan:
    if config.intent_weights is None:
        volumes = {name: catalogue.english[name].weight for name in catalogue.taxonomy_intents}
    else:
        volumes = {name: w for name, w in config.intent_weights.items() if w > 0}
    intents = tuple(volumes)
    welsh = tuple(name for name in intents if name in catalogue.welsh)
    return Plan(
        intents=intents,
        weights=tuple(volumes[i] for i in intents),
        welsh_intents=welsh,
        welsh_weights=tuple(volumes[i] for i in welsh),
        channels=tuple(c for c in CHANNELS if config.channel_mix.get(c, 0) > 0),
        channel_weights=tuple(config.channel_mix[c] for c in CHANNELS if config.channel_mix.get(c, 0) > 0),
    )


@cache
def _slots(language: str) -> dict[str, tuple[str, ...]]:
    table = load_data("slots")
    slots = {name: tuple(values) for name, values in table["en"].items()}
    if language == "cy":
        slots.update({name: tuple(values) for name, values in table["cy"].items()})
    lists = people()
    slots["street"] = tuple(lists["welsh_streets" if language == "cy" else "streets"])
    slots["area"] = tuple(r["name"] for r in lists["regions"])
    return slots


@cache
def _pii_rules() -> dict[str, Any]:
    return load_data("pii")


def _region(rng: random.Random, language: str) -> str:
    regions = people()["regions"]
    key = "welsh_weight" if language == "cy" else "weight"
    return rng.choices([r["name"] for r in regions], weights=[r[key] for r in regions])[0]


def _pii_types(intent: str, rng: random.Random) -> list[str]:
    rules = _pii_rules()
    weights = dict(rules["base_weights"])
    for prefix, boosts in rules["affinity"].items():
        if intent.startswith(prefix):
            for kind, w in boosts.items():
                weights[kind] = weights.get(kind, 0) + w
    k = rng.choices([1, 2, 3], weights=[0.5, 0.33, 0.17])[0]
    chosen: list[str] = []
    kinds = sorted(weights)
    for _ in range(k):
        pool = [t for t in kinds if t not in chosen]
        chosen.append(rng.choices(pool, weights=[weights[t] for t in pool])[0])
    return chosen


def _term_shift(sentence: Sentence, config: GeneratorConfig, rng: random.Random) -> Sentence:
    """Replace old terms by new ones (``config.term_map``), each use with probability ``term_rate``."""

    def shift(text: str) -> str:
        for src, dst in config.term_map.items():

            def swap(match: re.Match[str], new: str = dst) -> str:
                return new if rng.random() < config.term_rate else match.group(0)

            text = re.sub(rf"\b{re.escape(src)}\b", swap, text, flags=re.IGNORECASE)
        return text

    return map_plain(sentence, shift)


def _lower_start(sentence: Sentence) -> Sentence:
    if not sentence or sentence[0].pii:
        return sentence
    first = sentence[0].text
    if re.match(r"^I(\b|')", first) or re.match(r"^[A-Z]{2}", first):
        return sentence
    return [Piece(first[:1].lower() + first[1:]), *sentence[1:]]


def _second_topic(intent: str, language: str, rng: random.Random, plan: Plan, catalogue: Catalogue) -> Sentence:
    """A minor ask about another intent, usually a related one ("Also, ...")."""
    domain = catalogue.phrasing(intent).domain
    same = [i for i in plan.intents if i != intent and catalogue.phrasing(i).domain == domain]
    others = [i for i in plan.intents if i != intent]
    pool = same if same and rng.random() < 0.6 else others
    other = rng.choice(pool)
    phrasing = catalogue.phrasing(other, language)
    family = rng.choice(phrasing.families)
    slots = {**_slots(phrasing.language), "topic": phrasing.topics or ("this",)}
    sentence = _lower_start(render(rng.choice(family.templates), rng, slots))
    before, _, after = second_topic_connector(phrasing.language, rng).partition("{second}")
    return capitalise([Piece(before), *sentence, Piece(after)])


def _details(family_details: Iterable[str], phrasing: IntentPhrasing, count: int, rng: random.Random) -> list[str]:
    pool = [*family_details, *family_details, *phrasing.shared]
    rng.shuffle(pool)
    picked: list[str] = []
    for template in pool:
        if len(picked) == count:
            break
        if template not in picked:
            picked.append(template)
    return picked


def _personal_data(
    intent: str, channel: str, language: str, rng: random.Random, personal: PersonalData
) -> tuple[list[Sentence], Sentence | None, list[Sentence]]:
    """(name sentences for the start, an email signer, other personal-data sentences) in cue phrases."""
    clauses = _pii_rules()["clauses"]
    clause_language = language if language == "en" or rng.random() < 0.8 else "en"
    slots = {**_slots(clause_language), "topic": ("this",)}
    names: list[Sentence] = []
    signer: Sentence | None = None
    others: list[Sentence] = []
    for kind in _pii_types(intent, rng):
        if kind == "NAME" and channel == "email" and rng.random() < 0.7:
            signer = [Piece(personal.value("NAME"), "NAME")]
            continue
        sentence = render(rng.choice(clauses[clause_language][kind]), rng, slots, personal.value)
        (names if kind == "NAME" else others).append(sentence)
    return names, signer, others


def build_contact(
    rng: random.Random,
    config: GeneratorConfig,
    *,
    contact_id: str,
    plan: Plan | None = None,
) -> dict[str, Any]:
    """One labelled contact as a row (columns as :data:`COLUMNS`)."""
    catalogue = load_catalogue()
    plan = plan or _plan(config, catalogue)
    channel = rng.choices(plan.channels, weights=plan.channel_weights)[0]
    language = "cy" if plan.welsh_intents and rng.random() < config.welsh_share else "en"
    if language == "cy":
        intent = rng.choices(plan.welsh_intents, weights=plan.welsh_weights)[0]
    else:
        intent = rng.choices(plan.intents, weights=plan.weights)[0]
    phrasing = catalogue.phrasing(intent, language)
    family = rng.choice(phrasing.families)
    region = _region(rng, language)
    topics = phrasing.topics or catalogue.phrasing(intent).topics or ("this",)
    slots = {**_slots(language), "topic": topics}
    en_slots = {**_slots("en"), "topic": catalogue.phrasing(intent).topics or ("this",)}
    personal = PersonalData(rng, region=region, spoken=channel == "phone", welsh=language == "cy")
    main = render(rng.choice(family.templates), rng, slots)
    extras_allowed = _EXTRA_SENTENCES[channel]
    n_details = sum(rng.random() < config.detail_share for _ in range(extras_allowed))
    details = [render(t, rng, slots) for t in _details(family.details, phrasing, n_details, rng)]

    lead: list[Sentence] = []
    tail: list[Sentence] = []
    optional: list[Sentence] = []

    vulnerable = rng.random() < config.vulnerable_share
    category = ""
    if vulnerable:
        category = pick_vulnerability(intent, rng)
        _, template = vulnerability_template(category, language, rng)
        sentence = render(template, rng, slots if language == "cy" else en_slots)
        (lead if rng.random() < 0.35 else tail).append(sentence)

    lookalike = not vulnerable and rng.random() < config.lookalike_share
    if lookalike:
        tail.append(render(lookalike_template(intent, rng), rng, en_slots))

    if language == "cy" and rng.random() < config.mixed_language_share:
        english = catalogue.phrasing(intent, "en")
        pool = [*english.shared, *(d for f in english.families for d in f.details)]
        if pool:
            tail.append(render(rng.choice(pool), rng, en_slots))

    second_p = config.second_topic_share * _SECOND_TOPIC_FACTOR[channel]
    if len(plan.intents) > 1 and rng.random() < second_p:
        optional.append(_second_topic(intent, language, rng, plan, catalogue))

    assisted = rng.random() < config.assisted_digital_share
    if assisted:
        lead.insert(0, render(assisted_template(language, rng), rng, slots))

    signer: Sentence | None = None
    pii_sentences: list[Sentence] = []
    if rng.random() < config.pii_share:
        name, signer, pii_sentences = _personal_data(intent, channel, language, rng, personal)
        lead.extend(name)

    reason = ""
    if rng.random() < config.human_request_share:
        reason = "asked_for_person" if rng.random() < 0.7 else "cannot_use_online"
        tail.append(render(human_request_template(reason, language, rng), rng, slots))

    def compose(keep_optional: bool, keep_details: int) -> list[Sentence]:
        body = [main, *details[:keep_details]]
        if tail and rng.random() < 0.5:
            body.insert(1, tail[0])
            rest = tail[1:]
        else:
            rest = tail
        sentences = [*lead, *body, *rest, *(optional if keep_optional else []), *pii_sentences]
        if reason:  # the human request reads most naturally last
            sentences = [s for s in sentences if s is not tail[-1]] + [tail[-1]]
        if language == "en" and config.term_map:
            sentences = [_term_shift(s, config, rng) for s in sentences]
        return sentences

    keep_optional, keep_details = True, len(details)
    while True:  # drop the minor topic, then details, until the contact fits in MAX_WORDS
        sentences = compose(keep_optional, keep_details)
        pieces = style(channel, sentences, rng=rng, language=language, typo_rate=config.typo_rate, signer=signer)
        text, spans = assemble(pieces)
        if len(text.split()) <= MAX_WORDS or (not keep_optional and keep_details == 0):
            break
        keep_details = keep_details if keep_optional and optional else max(0, keep_details - 1)
        keep_optional = False
    return {
        "contact_id": contact_id,
        "text": text,
        "intent": config.label_map.get(intent, intent),
        "family": family.id,
        "channel": channel,
        "language": language,
        "region": region,
        "vulnerable": vulnerable,
        "vulnerability_category": category,
        "human_request": bool(reason),
        "human_request_reason": reason,
        "assisted_digital": assisted,
        "lookalike": lookalike,
        "pii_spans": json.dumps([s.as_dict() for s in spans]),
    }


def contacts_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a frame with the standard column order and types."""
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in BOOL_COLUMNS:
        frame[column] = frame[column].astype(bool)
    return frame


def _check_count(name: str, value: int, *, minimum: int = 1) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise DataError(f"{name} must be a whole number of at least {minimum}; got {value!r}.")


def generate_contacts(n: int, seed: int, *, config: GeneratorConfig | None = None) -> pd.DataFrame:
    """``n`` labelled contacts; the same ``seed`` and ``config`` always give the same frame."""
    _check_count("n", n)
    config = config or GeneratorConfig()
    plan = plan_for(config)
    rows = [
        build_contact(contact_rng(seed, f"c{i}"), config, contact_id=f"syn-{seed}-{i:06d}", plan=plan) for i in range(n)
    ]
    return contacts_frame(rows)
