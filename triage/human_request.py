"""Rules that spot a person asking for a person, or saying they cannot use online services.

A person who asks for a person gets one, whatever the classifier says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

HumanRequestKind = Literal["asked_for_person", "cannot_use_online"]

_PERSON = (
    r"(?:a |an |to a |to an |with a |with an |to |with )?(?:real |actual |live |human |proper )?"
    r"(?:person|human|someone|somebody|agent|advisor|adviser|operator|member of staff|officer|people)"
)

_ASKED_FOR_PERSON = re.compile(
    r"\b(?:"
    rf"(?:speak|talk|chat)\s+(?:to|with)\s+{_PERSON}"
    rf"|(?:want|need|like|prefer)\s+(?:to\s+(?:speak|talk)\s+(?:to|with)\s+)?{_PERSON}"
    r"|(?:put|transfer|connect)\s+me\s+(?:through\s+)?(?:to|with)\s+(?:a\s+|an\s+|someone|somebody|the\s+)"
    r"|(?:can|could)\s+(?:i|someone|somebody|a person)\s+(?:please\s+)?(?:call|ring|phone)\s+me"
    r"|call\s+me\s+back|ring\s+me\s+back|(?:a|an)\s+call\s*back|callback"
    r"|not\s+a\s+(?:bot|robot|machine|computer)|stop\s+(?:the\s+)?(?:bot|robot)|no\s+more\s+bots?"
    r"|(?:human|person)\s+please|(?:agent|operator|advisor|adviser)\s+please"
    r"|(?:speak|talk|seak|spek|speek)\s+to\s+(?:a\s+|the\s+)?(?:manager|supervisor|someone in person)"
    r"|(?:actual|real)\s+(?:person|human)\s+(?:i\s+can|to)\s+(?:talk|speak)"
    r"|(?:get|have)\s+(?:a\s+)?(?:person|someone|somebody)\s+to\s+(?:phone|call|ring)"
    r"|(?:someone|somebody|a\s+person)\s+to\s+(?:talk|speak)\s+to"
    r"|put\s+me\s+\w+\s+to\s+(?:someone|somebody|a\s+person)"
    r"|(?:could|can)\s+(?:someone|somebody)\s+(?:ring|call|phone)"
    r"|siarad\s+(?:â|a|gyda|efo)\s+(?:rhywun|pherson|person)|fy\s+ffonio|ffonio\s+i'?n\s+ôl"
    r")\b",
    re.IGNORECASE,
)

_CANNOT_USE_ONLINE = re.compile(
    r"\b(?:"
    r"(?:i(?:'m| am)|i'?m)\s+(?:registered\s+)?(?:blind|partially sighted|deaf|hard of hearing)"
    r"|(?:sight|vision|hearing)\s+(?:loss|impair\w*|problems?)|visually impaired|macular"
    r"|bsl|british sign language|sign language interpreter|text\s*relay|relay uk"
    r"|(?:no|don'?t have(?: an?)?|haven'?t got(?: an?)?|without(?: an?)?)\s+(?:internet|computer|smart ?phone|"
    r"email address|online access|wifi|wi-fi)"
    r"|(?:can'?t|cannot|can not|unable to|not able to|struggle to|don'?t know how to)\s+"
    r"(?:use|do|fill in|fill out|manage|get on|go)\s+(?:the\s+|a\s+)?(?:internet|online|computers?|website|"
    r"forms?|apps?|it online)"
    r"|(?:can'?t|cannot|can not|struggle to|unable to)\s+(?:read|write)(?:\s+(?:very\s+)?well|\s+or\s+write)?\b"
    r"|dyslexi\w+|learning (?:difficult|disabilit)\w*\s+and\s+(?:can'?t|cannot)\s+(?:do|use|manage)"
    r"|(?:eyesight|sight|vision)\s+is\s+too\s+(?:poor|bad)|screen\s*reader"
    r"|(?:haven'?t|have\s+not|hasn'?t)\s+got\s+(?:the\s+|a\s+)?(?:internet|computer|smart ?phone|email)"
    r"|(?:can'?t|cannot)\s+(?:do|manage)\s+(?:it\s+|the\s+)?online|(?:can'?t|cannot)\s+do\s+online"
    r"|english\s+(?:isn'?t|is\s+not)\s+my\s+first\s+language"
    r"|cyfrifiadur\s+na'?r\s+we|(?:gallu|allu)\s+defnyddio'?r\s+wefan|rydw\s+i'?n\s+ddall|alla\s+i\s+ddim\s+darllen"
    r")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class HumanRequest:
    """Why the contact must go to a person, with the words that showed it."""

    kind: HumanRequestKind
    evidence: str

    @property
    def reason(self) -> str:
        if self.kind == "asked_for_person":
            return f'The contact asked for a person ("{self.evidence}"), so it goes to a human.'
        return (
            f'The contact says they cannot use online services ("{self.evidence}"), so it goes to a human '
            "instead of a self-service link."
        )


def detect_human_request(text: str) -> HumanRequest | None:
    """The first explicit request for a person, or sign that online self-service will not work, if any."""
    for kind, pattern in (("asked_for_person", _ASKED_FOR_PERSON), ("cannot_use_online", _CANNOT_USE_ONLINE)):
        match = pattern.search(text)
        if match:
            return HumanRequest(kind=kind, evidence=match.group(0).strip())  # type: ignore[arg-type]
    return None
