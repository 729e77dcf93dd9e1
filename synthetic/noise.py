"""Spelling mistakes: common misspellings, swapped, dropped, doubled and neighbouring-key letters."""

from __future__ import annotations

import random
import re
from functools import cache

from synthetic.resources import load_data

_WORD = re.compile(r"[A-Za-z]{3,}")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


@cache
def _neighbours() -> dict[str, str]:
    out: dict[str, str] = {}
    for r, row in enumerate(_ROWS):
        for c, ch in enumerate(row):
            near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(_ROWS):
                    near.extend(_ROWS[other][i] for i in (c - 1, c, c + 1) if 0 <= i < len(_ROWS[other]))
            out[ch] = "".join(near)
    return out


@cache
def misspellings() -> dict[str, tuple[str, ...]]:
    """Correct word -> ways people misspell it (from ``noise.yaml``)."""
    raw = load_data("noise")["misspellings"]
    return {word.lower(): tuple(wrong) for word, wrong in raw.items()}


def _match_case(original: str, replacement: str) -> str:
    if original.isupper():
        return replacement.upper()
    if original[0].isupper():
        return replacement[0].upper() + replacement[1:]
    return replacement


def misspell(word: str, rng: random.Random) -> str:
    """One plausible mistake in ``word``."""
    known = misspellings().get(word.lower())
    if known and rng.random() < 0.7:
        return _match_case(word, rng.choice(known))
    i = rng.randrange(1, len(word))
    op = rng.choice(("swap", "drop", "double", "near"))
    if op == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    near = _neighbours().get(word[i].lower())
    if not near:
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice(near) + word[i + 1 :]


def add_typos(text: str, rate: float, rng: random.Random) -> str:
    """Each word of three or more letters is misspelled with probability ``rate``."""
    if rate <= 0:
        return text
    return _WORD.sub(lambda m: misspell(m.group(0), rng) if rng.random() < rate else m.group(0), text)


def count_typos(text: str, lexicon: frozenset[str]) -> tuple[int, int]:
    """(words not in ``lexicon``, words) over the words of three or more letters: a typo-rate estimate."""
    words = [w.lower() for w in _WORD.findall(text)]
    return sum(w not in lexicon for w in words), len(words)
