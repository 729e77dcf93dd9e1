"""Template rendering: ``[a|b|c]`` picks one alternative, ``{slot}`` a slot value, ``{TYPE}`` personal data.

Slot names are lower case and come from the slot tables in ``synthetic/data``; upper-case markers
(``{NAME}``, ``{POSTCODE}``...) become personal-data pieces whose values a callback supplies.
Slot values may themselves contain alternatives and slots (up to a small depth).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence

from synthetic.text import Piece, Sentence
from triage.errors import DataError

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{([A-Za-z_]+)\}")
_PII = re.compile(r"\{([A-Z_]+)\}")
_MAX_DEPTH = 4

Slots = Mapping[str, Sequence[str]]


def expand(template: str, rng: random.Random, slots: Slots, *, depth: int = 0) -> str:
    """Resolve alternatives and slots; personal-data markers are left in place."""
    text = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.isupper():
            return match.group(0)
        values = slots.get(name)
        if not values:
            raise DataError(
                f"Template {template!r} uses unknown slot {{{name}}}. Add it to synthetic/data/slots.yaml "
                f"or use one of: {', '.join(sorted(slots))}."
            )
        if depth >= _MAX_DEPTH:
            raise DataError(f"Slot {{{name}}} nests deeper than {_MAX_DEPTH} levels. Flatten its values.")
        return expand(rng.choice(values), rng, slots, depth=depth + 1)

    return _SLOT.sub(fill, text)


def to_pieces(text: str, pii_value: Callable[[str], str] | None = None) -> Sentence:
    """Split an expanded template into plain and personal-data pieces."""
    pieces: Sentence = []
    position = 0
    for match in _PII.finditer(text):
        if match.start() > position:
            pieces.append(Piece(text[position : match.start()]))
        if pii_value is None:
            raise DataError(f"Template text {text!r} holds personal data {match.group(0)} but none was supplied.")
        pieces.append(Piece(pii_value(match.group(1)), match.group(1)))
        position = match.end()
    if position < len(text):
        pieces.append(Piece(text[position:]))
    return pieces


def capitalise(sentence: Sentence) -> Sentence:
    """Upper-case the first letter when the sentence starts with plain text."""
    if not sentence or sentence[0].pii:
        return sentence
    first = sentence[0].text.lstrip()
    if not first:
        return sentence
    return [Piece(first[0].upper() + first[1:]), *sentence[1:]]


def render(
    template: str,
    rng: random.Random,
    slots: Slots,
    pii_value: Callable[[str], str] | None = None,
    *,
    capital: bool = True,
) -> Sentence:
    """One sentence from a template."""
    sentence = to_pieces(expand(template, rng, slots), pii_value)
    return capitalise(sentence) if capital else sentence


def pii_markers(template: str) -> list[str]:
    return _PII.findall(template)
