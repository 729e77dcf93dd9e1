"""How each channel shapes a contact.

- **web** form: terse, the ask and little else; sometimes all lower case or no final full stop.
- **email**: greeting, an opening line, the body (which may carry a second, minor topic), a
  closing line and a sign-off, in paragraphs.
- **chat**: short turns on separate lines, mostly lower case, abbreviations ("pls", "u", "thx").
- **phone** transcript: no punctuation, lower case, fillers ("um", "erm", "you know"), false
  starts, and speech-recognition substitutions ("council tax" -> "council tacks").

Only plain pieces are rewritten; personal data passes through untouched.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from functools import cache
from typing import Literal

from synthetic.noise import add_typos
from synthetic.resources import load_data
from synthetic.text import Piece, Sentence, join, map_plain

Channel = Literal["web", "email", "chat", "phone"]
CHANNELS: tuple[Channel, ...] = ("web", "email", "chat", "phone")

# Typing mistakes per channel, relative to the configured typo rate (phone transcripts have none:
# their errors come from speech recognition instead).
TYPO_FACTOR: dict[str, float] = {"web": 1.0, "email": 0.6, "chat": 1.6, "phone": 0.0}

_PUNCT = re.compile(r"[^\w\s'£]")
_POUNDS = re.compile(r"£(\d+)(?:\.(\d\d))?")
_LEADING_CAP = re.compile(r"^(\s*)([A-Z])(?![A-Z'.])")


@cache
def channel_data() -> dict:
    return load_data("channels")


def _lang(key: str, language: str) -> list[str]:
    table = channel_data()[key]
    return table.get(language) or table["en"]


@cache
def _compiled(key: str) -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    return tuple(
        (re.compile(rf"\b{re.escape(src)}\b", re.IGNORECASE), tuple(dst)) for src, dst in channel_data()[key].items()
    )


def _substitute(text: str, key: str, rng: random.Random, p: float) -> str:
    """Replace each match of the table's phrases with one of its variants, with probability ``p``."""
    for pattern, replacements in _compiled(key):

        def pick(match: re.Match[str], options: tuple[str, ...] = replacements) -> str:
            return rng.choice(options) if rng.random() < p else match.group(0)

        text = pattern.sub(pick, text)
    return text


def _lower_first(text: str) -> str:
    if re.match(r"^\s*I(\b|')", text):
        return text
    return _LEADING_CAP.sub(lambda m: m.group(1) + m.group(2).lower(), text, count=1)


def _strip_final_stop(sentence: Sentence) -> Sentence:
    if sentence and not sentence[-1].pii and sentence[-1].text.rstrip().endswith("."):
        return [*sentence[:-1], Piece(sentence[-1].text.rstrip()[:-1])]
    return sentence


def _typos(pieces: list[Piece], rate: float, rng: random.Random) -> list[Piece]:
    return map_plain(pieces, lambda t: add_typos(t, rate, rng)) if rate > 0 else pieces


def web(sentences: Sequence[Sentence], *, rng: random.Random, language: str, typo_rate: float) -> list[Piece]:
    body = list(sentences)
    if rng.random() < 0.3:
        body[-1] = _strip_final_stop(body[-1])
    pieces = join(body, " ")
    if rng.random() < 0.2:
        pieces = map_plain(pieces, str.lower)
    return _typos(pieces, typo_rate * TYPO_FACTOR["web"], rng)


def email(
    sentences: Sequence[Sentence],
    *,
    rng: random.Random,
    language: str,
    typo_rate: float,
    signer: Sentence | None = None,
) -> list[Piece]:
    parts: list[Piece] = []
    if rng.random() < 0.85:
        parts += [Piece(rng.choice(_lang("greetings", language))), Piece("\n\n")]
    body = list(sentences)
    if rng.random() < 0.45:
        body.insert(0, [Piece(rng.choice(_lang("email_openers", language)))])
    if len(body) >= 4 and rng.random() < 0.6:
        cut = rng.randint(2, len(body) - 1)
        parts += [*join(body[:cut], " "), Piece("\n\n"), *join(body[cut:], " ")]
    else:
        parts += join(body, " ")
    if rng.random() < 0.5:
        parts += [Piece("\n\n"), Piece(rng.choice(_lang("email_closings", language)))]
    parts += [Piece("\n\n"), Piece(rng.choice(_lang("signoffs", language)))]
    if signer:
        parts += [Piece("\n"), *signer]
    return _typos(parts, typo_rate * TYPO_FACTOR["email"], rng)


def chat(sentences: Sequence[Sentence], *, rng: random.Random, language: str, typo_rate: float) -> list[Piece]:
    lower = rng.random() < 0.8
    abbreviate = rng.uniform(0.2, 0.9) if language == "en" else 0.0
    turns: list[Sentence] = []
    if rng.random() < 0.6:
        turns.append([Piece(rng.choice(_lang("chat_openers", language)))])
    for sentence in sentences:
        turn = _strip_final_stop(sentence)
        turn = map_plain(turn, lambda t: _substitute(t, "chat_abbreviations", rng, abbreviate))
        if lower:
            turn = map_plain(turn, str.lower)
        elif turn and not turn[0].pii:
            turn = [Piece(_lower_first(turn[0].text)), *turn[1:]] if rng.random() < 0.5 else turn
        turns.append(turn)
    if rng.random() < 0.4:
        turns.append([Piece(rng.choice(_lang("chat_closers", language)))])
    return _typos(join(turns, "\n"), typo_rate * TYPO_FACTOR["chat"], rng)


def _spoken(text: str, *, rng: random.Random, language: str, asr: float) -> str:
    text = _POUNDS.sub(lambda m: f"{m.group(1)} pounds" + (f" {m.group(2)}" if m.group(2) else ""), text)
    text = _PUNCT.sub(" ", text).lower()
    if language == "en":
        text = _substitute(text, "asr_substitutions", rng, asr)
        text = _substitute(text, "asr_spellings", rng, asr)
    return text


def _with_fillers(text: str, *, rng: random.Random, language: str, rate: float) -> str:
    words = text.split(" ")
    fillers = _lang("fillers", language)
    out: list[str] = []
    for i, word in enumerate(words):
        if i and word and rng.random() < rate:
            out.append(rng.choice(fillers))
        out.append(word)
    return " ".join(out)


def _false_start(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) < 4:
        return text
    k = rng.randint(1, 3)
    lead = " ".join(words[:k])
    joiner = rng.choice(["", "", " sorry", " i mean", " er"])
    return f"{lead}{joiner} {text.lstrip()}" if text[:1] != " " else f" {lead}{joiner} {text.lstrip()}"


def phone(sentences: Sequence[Sentence], *, rng: random.Random, language: str, typo_rate: float) -> list[Piece]:
    asr = rng.uniform(0.3, 0.9)
    filler_rate = rng.uniform(0.02, 0.12)
    turns: list[Sentence] = []
    if rng.random() < 0.7:
        turns.append([Piece(rng.choice(_lang("phone_openers", language)).lower())])
    for sentence in sentences:
        spoken = map_plain(sentence, lambda t: _spoken(t, rng=rng, language=language, asr=asr))
        spoken = map_plain(spoken, lambda t: _with_fillers(t, rng=rng, language=language, rate=filler_rate))
        if spoken and not spoken[0].pii and rng.random() < 0.25:
            spoken = [Piece(_false_start(spoken[0].text, rng)), *spoken[1:]]
        turns.append(spoken)
    if rng.random() < 0.3:
        turns.append([Piece(rng.choice(_lang("phone_closers", language)).lower())])
    return join(turns, " ")


def style(
    channel: str,
    sentences: Sequence[Sentence],
    *,
    rng: random.Random,
    language: str,
    typo_rate: float,
    signer: Sentence | None = None,
) -> list[Piece]:
    """The contact's pieces as they arrive on ``channel``."""
    if channel == "email":
        return email(sentences, rng=rng, language=language, typo_rate=typo_rate, signer=signer)
    styles = {"web": web, "chat": chat, "phone": phone}
    return styles[channel](sentences, rng=rng, language=language, typo_rate=typo_rate)
