"""Personal-data redaction: find UK personal data in a contact and replace it with a typed placeholder.

Nothing is stored unredacted: the decision log, service logs, monitoring reference data and feedback
notes all go through :func:`redact` first. Detection is rule-based (pre-compiled regular expressions plus
checksums and cue words), so it is fast, explainable and needs no model.

Each detector proposes candidate spans; overlapping candidates are merged into one span (so no raw
character of any candidate survives) whose type is the longest candidate's, ties going to the more
specific detector (a cued reference beats a bare number pattern). Placeholders already in the text are
never matched again, which makes :func:`redact` idempotent.

Speed comes from scanning the text only a few times: one keyword scan (a letter-by-letter trie
pattern) finds where any cue may start, and digits, "@" and the inward half of postcodes anchor the
other scans; the expensive patterns run only where a scan hits. About 0.1 ms per 100-word contact.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from triage.errors import DataError

__all__ = ["PII_TYPES", "PiiSpan", "find_pii", "redact", "redact_with_spans", "redaction_recall"]

PII_TYPES: tuple[str, ...] = (
    "EMAIL",
    "PHONE",
    "POSTCODE",
    "ADDRESS",
    "NI_NUMBER",
    "NHS_NUMBER",
    "CARD_NUMBER",
    "BANK_ACCOUNT",
    "SORT_CODE",
    "COUNCIL_TAX_REF",
    "BENEFIT_REF",
    "UPRN",
    "DOB",
    "NAME",
    "REFERENCE",
)

# Tie-break between equally long candidates: earlier is more specific (cue-backed before bare patterns).
_SPECIFICITY = {
    name: rank
    for rank, name in enumerate(
        (
            "COUNCIL_TAX_REF",
            "BENEFIT_REF",
            "UPRN",
            "DOB",
            "NHS_NUMBER",
            "NI_NUMBER",
            "BANK_ACCOUNT",
            "SORT_CODE",
            "CARD_NUMBER",
            "EMAIL",
            "PHONE",
            "POSTCODE",
            "ADDRESS",
            "NAME",
            "REFERENCE",
        )
    )
}


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """One piece of personal data: ``text[start:end]`` is the value, ``type`` one of :data:`PII_TYPES`."""

    start: int
    end: int
    type: str

    @property
    def placeholder(self) -> str:
        """The text that replaces the value, e.g. ``[EMAIL]``."""
        return f"[{self.type}]"


Detector = Callable[[str], Iterator[PiiSpan]]

# --------------------------------------------------------------------------------------------------
# Word lists (lower case). FUNCTION words never start or continue a name or a street name; COMMON words
# do not start a name after a weak cue ("I'm ...", "Thanks, ...") or appear in a lower-case name.
# Street-name words (station, church, high, park, green, ...) are deliberately absent.
# --------------------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FUNCTION_WORDS = _words(
    """
    a about above after again against all also although always am an and another any anyone anything
    are around as at away be because been before being below between both but by can cannot can't could
    did didn't do does doesn't doing don't done down during each either else even ever every for from had
    has hasn't have haven't having he her here hers him his how however i i'd i'll i'm i've if in into is
    isn't it it's its just like may me might mine more most much must my no nor not now of off on once
    only onto or other our out over own please same she should since so some still such than that that's
    the their them then there these they this those though through to too under until up upon us very via
    was wasn't we were what when where whether which while who whom whose why will with within without
    would yet you your yours near next opposite beside behind off
    spelt spelled misspelt misspelled wrong incorrect correct different missing listed showing shown
    printed written registered changed changing already actually really definitely currently also
    """
)

_COMMON_WORDS = _FUNCTION_WORDS | _words(
    """
    able afraid alone angry annoyed anxious applying asking aware awful back bad behind brilliant busy
    calling chasing checking coming complaining concerned confused contacting deaf desperate disabled
    disappointed elderly emailing enquiring fed fine following frustrated getting glad going good grateful
    happy hard having help helping homeless hoping ill inquiring interested just late leaving living
    looking lost making married moving needing new nice okay ok paying phoning pleased pregnant ready
    really renting reporting responsible retired ringing satisfied scared seeing sick single sorry
    staying struggling stuck sure telling terrible thinking tired trying unable unemployed unhappy unsure
    unwell upset urgent urgently vulnerable waiting wanting well widowed wondering worried writing
    yes yeah yep nope hi hello hey dear thanks thank cheers regards best kind warm wishes sincerely
    faithfully morning afternoon evening night today tomorrow yesterday tonight week weeks weekend month
    months year years day days time times hour hours minute minutes ago last next first second third
    recently soon later earlier early lately again
    called rang phoned emailed wrote said says told asked came come went lives lived moved paid sent
    complained reported visited left got gave spoke
    absurd cold hot wet dangerous blocked broken closed open free important serious fair unfair impossible
    joke shocked gutted livid furious fuming
    monday tuesday wednesday thursday friday saturday sunday january february march april june july
    august september october november december
    council tax bill bills bin bins bag bags box boxes recycling waste rubbish collection collections
    housing benefit benefits team department dept service services office customer customers resident
    residents tenant tenants landlord owner occupier property house home flat address postcode account
    reference ref number payment payments direct debit refund arrears band discount reduction exemption
    parking permit fine fines ticket planning application licence license highways pothole streetlight
    noise nuisance complaint repair repairs damp mould heating boiler school schools library education
    social care adult children child family environmental health pest graffiti vehicle car cars van
    general food glass paper cardboard plastic garden
    sir madam everyone someone somebody person people manager supervisor officer advisor adviser agent
    staff mum dad mother father son daughter husband wife partner neighbour neighbours friend kids baby
    nhs pcn uc dwp hmrc dvla gov esa pip jsa hb ctr uprn dob ni gp
    english welsh scottish british irish polish french spanish german italian portuguese romanian arabic
    urdu punjabi bengali somali kurdish turkish chinese
    nobody anybody everybody um umm erm er uh ah ym wel basically right live work stay sign click look wait
    stop start o'clock oclock pm am midnight noon ish pounds quid pence percent mins metres meters miles
    syr gyngor dîm tîm diolch helo shwmae annwyl counsil councel concil
    """
)

# Lower-case words that stop a street name: function words plus things people count.
_ADDRESS_STOP = _FUNCTION_WORDS | _words(
    """
    bag bags bin bins box boxes time times day days week weeks month months year years hour hours minute
    minutes people person car cars kid kids child children item items letter letters call calls email
    emails bedroom bedrooms storey floor floors
    """
)

# --------------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\[(?:" + "|".join(PII_TYPES) + r")\]")
# A word of a name or street: letters (any script), inner apostrophes and hyphens; group 1 is the word.
_NAME_TOKEN = re.compile(r"[ \t]*([^\W\d_]+(?:['’\-][^\W\d_]+)*)(?!\w)\.?")

_DIGIT_WORDS = {
    "oh": "0",
    "o": "0",
    "zero": "0",
    "nought": "0",
    "nil": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_REPEATS = {"double": 2, "triple": 3}
_DIGIT_WORD = r"(?:oh|o|zero|nought|nil|one|two|three|four|five|six|seven|eight|nine)"
_SPOKEN_TOKEN = rf"(?:(?:double|triple)[ \t-]+)?(?:{_DIGIT_WORD}\b|\d+\b)"
# Two or more digit tokens, spoken or written: "oh seven seven double oh 900 one two three".
_SPOKEN = rf"(?i:{_SPOKEN_TOKEN}(?:[ \t,\-]+{_SPOKEN_TOKEN})+)"
_WORD_OR_DIGITS = re.compile(r"[a-z]+|\d+")

# Speech fillers in phone transcripts ("my account um number is").
_SPEECH = (
    r"um+|erm+|er|uh+|ah|ym|wel|you[ \t]+know|i[ \t]+mean|like|sort[ \t]+of|basically|right|so"
    r"|chi['’]?n[ \t]+gwybod|ti['’]?n[ \t]+gwybod"
)
_T = rf"[ \t]+(?:(?:{_SPEECH})[ \t]+)?"  # between the words of a cue, allowing one speech filler
# Words allowed between a cue and its value: "account number is 12345678", "ref no: 123456".
_FILLER = (
    r"(?:is|was|it'?s|are|number|numbers|no|num|nr|ref|reference|code|my|the|of|for|on|as|be|it|being"
    r"|should|will|would|i|think|please|here|and|then|that'?s|that|yes|yeah|ok|okay|sure|caller|customer"
    r"|resident|me|just|id|details|account|letter|bill|form|statement|notice|yw|ydy|fy|y|yr|rhif"
    rf"|{_SPEECH})"
)
_GAP_PUNCT = r"[ \t\r\n:#=.,;?()\-–]"
_GAP = rf"(?:{_GAP_PUNCT}*\b(?i:{_FILLER})\b){{0,5}}{_GAP_PUNCT}*"
_OWNER = r"(?i:my|our|his|her|their)[ \t]+"
# "12345678 is my account number": what may sit between a value and the cue that follows it.
_REVERSE_LINK = rf"[ \t,]+(?i:is|was|being|that'?s)[ \t]+(?:{_OWNER}|(?i:the)[ \t]+)?"


def _free_before(text: str, start: int, extra: str = "") -> bool:
    """True when no letter, digit, underscore or ``extra`` character touches ``start`` from the left."""
    if not start:
        return True
    char = text[start - 1]
    return not (char.isalnum() or char == "_" or char in extra)


def _free_after(text: str, end: int, extra: str = "") -> bool:
    """True when no letter, digit, underscore or ``extra`` character touches ``end`` from the right."""
    if end >= len(text):
        return True
    char = text[end]
    return not (char.isalnum() or char == "_" or char in extra)


def _digits_of(value: str) -> str:
    """The digits of a value written with digits and/or spoken digit words ("oh seven double oh")."""
    out: list[str] = []
    repeat = 1
    for token in _WORD_OR_DIGITS.findall(value.lower()):
        if token in _REPEATS:
            repeat = _REPEATS[token]
            continue
        digits = token if token.isdigit() else _DIGIT_WORDS.get(token, "")
        if digits:
            out.append(digits[0] * (repeat - 1) + digits)
        repeat = 1
    return "".join(out)


def _luhn_ok(digits: str) -> bool:
    """True when ``digits`` passes the Luhn check used by payment cards."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _nhs_ok(digits: str) -> bool:
    """True when a 10-digit NHS number has a valid modulus-11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = 11 - sum(int(c) * w for c, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


# --------------------------------------------------------------------------------------------------
# Emails: written ("jane.smith@example.com") or spoken ("jane dot smith at gmail dot com").
# --------------------------------------------------------------------------------------------------
_EMAIL_DOMAIN = re.compile(r"@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
_EMAIL_LOCAL_CHARS = "._%+'-"
_TLD = r"(?:com|co|uk|org|net|gov|ac|info|me|io|biz|wales|scot|nhs|sch|police)"
_SPOKEN_AT = re.compile(
    r"(?i)[ \t](?:[ \t]*at[ \t]+|[ \t]*@[ \t]*)(?=[\w-])[\w-]+(?:(?:\.|[ \t]+dot[ \t]+)[\w-]+)*?"
    rf"(?:\.|[ \t]+dot[ \t]+){_TLD}\b(?:(?:\.|[ \t]+dot[ \t]+)(?:uk|com|org|net)\b)?"
)
_SPOKEN_JOINERS = (" dot ", " underscore ", " dash ", " hyphen ")


def _find_emails(text: str) -> Iterator[PiiSpan]:
    if "@" not in text:
        return
    for at in re.finditer("@", text):
        domain = _EMAIL_DOMAIN.match(text, at.start())
        start = at.start()
        while start and (text[start - 1].isalnum() or text[start - 1] in _EMAIL_LOCAL_CHARS + "_"):
            start -= 1
        while start < at.start() and text[start] in _EMAIL_LOCAL_CHARS:
            start += 1
        if domain and start < at.start():
            yield PiiSpan(start, domain.end(), "EMAIL")


def _spoken_emails(text: str) -> Iterator[PiiSpan]:
    """Emails read out ("jane dot smith at gmail dot com"); run only when "dot" is in the text."""
    for match in _SPOKEN_AT.finditer(text):
        start = _spoken_local_start(text, match.start())
        if start is not None:
            yield PiiSpan(start, match.end(), "EMAIL")


def _spoken_local_start(text: str, end: int) -> int | None:
    """Start of the local part that ends at ``end``: words joined by "dot", "underscore"... ("jane dot smith")."""
    start = None
    pos = end
    for _ in range(6):
        word = pos
        while word and (text[word - 1].isalnum() or text[word - 1] in "._-"):
            word -= 1
        while word < pos and not text[word].isalnum():
            word += 1
        if word == pos:
            break
        start = word
        before = text[max(0, word - 12) : word].lower()
        joiner = next((j for j in _SPOKEN_JOINERS if before.endswith(j)), None)
        if not joiner:
            break
        pos = word - len(joiner)
    return start


# --------------------------------------------------------------------------------------------------
# Phones: UK numbers from 0, +44 or 0044 (optionally "(0)"), 10 or 11 digits with spaces, dashes or
# brackets; and spoken numbers in transcripts ("oh seven seven double oh nine ...").
# --------------------------------------------------------------------------------------------------
_PHONE_TAIL = r"[1-9](?:[ \t\-()]{0,2}\d){8,9}(?!\d)"
_PHONE = re.compile(
    rf"\+[ \t]?44[ \t]?(?:\(0\)[ \t]?)?\(?{_PHONE_TAIL}|0044[ \t]?(?:\(0\)[ \t]?)?\(?{_PHONE_TAIL}"
    rf"|\(0{_PHONE_TAIL}|0{_PHONE_TAIL}"
)
_SPOKEN_RUN = re.compile(rf"(?i)(?<![\w+])(?:(?:\+|plus)[ \t]*)?{_SPOKEN_TOKEN}(?:[ \t,\-]+{_SPOKEN_TOKEN})+")
_RUN_TOKEN = re.compile(r"(?i)(?:(?:double|triple)[ \t-]+)?[a-z]+|\d+")
_DIGIT_WORD_RE = re.compile(rf"(?i)\b{_DIGIT_WORD}\b")


def _find_phones(text: str) -> Iterator[PiiSpan]:
    for match in _PHONE.finditer(text):
        if _free_before(text, match.start(), "+"):
            yield PiiSpan(match.start(), match.end(), "PHONE")


def _spoken_phones(text: str) -> Iterator[PiiSpan]:
    """Numbers read out digit by digit; run only when the text has several digit words."""
    for match in _SPOKEN_RUN.finditer(text):
        if _DIGIT_WORD_RE.search(match.group()):  # pure digit runs are the written pattern's job
            span = _phone_in_run(match.group())
            if span:
                yield PiiSpan(match.start() + span[0], match.start() + span[1], "PHONE")


def _phone_in_run(run: str) -> tuple[int, int] | None:
    """The first stretch of a spoken digit run that reads as a UK phone number ("two, oh seven seven ...")."""
    tokens = list(_RUN_TOKEN.finditer(run))
    for first, token in enumerate(tokens):
        plus = token.group().lower() == "plus" or run[token.start() - 1 : token.start()] == "+"
        digits = ""
        best = None
        for later in tokens[first + (1 if token.group().lower() == "plus" else 0) :]:
            digits += _digits_of(later.group())
            national = "0" + digits[2:] if plus else digits
            if (plus and not "44".startswith(digits[:2])) or not national.startswith("0") or len(national) > 11:
                break
            if len(national) >= 10 and (not plus or len(digits) > 2):
                best = (token.start() - (1 if plus and token.group() != "plus" else 0), later.end())
        if best:
            return best
    return None


# --------------------------------------------------------------------------------------------------
# Postcodes: any UK format, any case, with or without the space. The scan finds the inward part
# ("1AA": a digit and two letters a postcode may end with) and looks back for the outward part.
# --------------------------------------------------------------------------------------------------
_INWARD = re.compile(r"\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}(?!\w)")
_OUTWARD = re.compile(r"(?:[A-Za-z]{1,2}\d[A-Za-z\d]?|(?i:gir))[ \t]?\Z")


def _find_postcodes(text: str) -> Iterator[PiiSpan]:
    for match in _INWARD.finditer(text):
        outward = _OUTWARD.search(text, max(0, match.start() - 5), match.start())
        if not outward or not _free_before(text, outward.start()):
            continue
        if outward.group()[:3].lower() != "gir" or match.group().lower() == "0aa":
            yield PiiSpan(outward.start(), match.end(), "POSTCODE")


# --------------------------------------------------------------------------------------------------
# Address lines: house number + street name + street type ("12 Station Road", "Flat 3, 45 Hill St",
# "221b Baker Street"), Welsh names whose type comes first ("12 Heol y Parc"), and after an address
# cue any street name ("I live at 12 Southgate").
# --------------------------------------------------------------------------------------------------
_STREET_TYPES = (
    r"road|rd|street|st|avenue|ave|lane|ln|drive|dr|close|cl|crescent|cres|court|ct|place|pl|way|gardens"
    r"|gdns|grove|gr|terrace|terr|tce|square|sq|walk|row|rise|hill|green|park|parade|pde|mews|view|gate"
    r"|vale|yard|wharf|boulevard|blvd|approach|circus|embankment|esplanade|promenade|quay|chase|croft"
    r"|meadow|meadows|mount|ridge|fields|heights|dale|glen|hollow|orchard"
)
_LETTERS = r"[^\W\d_](?:[^\W\d_]|['’\-])*"
_UNIT = r"(?i:f?flat|apartment|apt|unit|suite|studio|room)\.?[ \t]+\d{1,4}[A-Za-z]?[ \t]*,?[ \t]*"
_HOUSE_NUMBER = r"\d{1,4}[A-Za-z]?(?:[ \t]*[-–][ \t]*\d{1,4}[A-Za-z]?)?,?[ \t]+"
_HOUSE = re.compile(rf"{_HOUSE_NUMBER}(?=[^\W\d_])")
_UNIT_BEFORE = re.compile(rf"(?<!\w){_UNIT}\Z")
_STREET_BODY = re.compile(
    rf"(?P<name>(?:{_LETTERS}[ \t]+){{1,3}})(?P<type>(?i:{_STREET_TYPES}))\b"
    r"(?:[ \t]+(?:North|South|East|West|Upper|Lower)\b)?"  # "Cowbridge Road East"
)
_WELSH_STREET = re.compile(
    r"(?i:heol|stryd|ffordd|l[oô]n|rhodfa|maes|cae|clos|teras|cilgant|llys|parc|plas|allt|bryn)\b"
)
_AFTER_ADDRESS_CUE = re.compile(rf"[ \t]*(?P<v>(?:{_UNIT})?{_HOUSE_NUMBER})(?=[^\W\d_])")
# Street types that are also ordinary words; lower-case names before them need stronger evidence.
_WEAK_STREET_TYPES = _words(
    "close drive way place court park green hill view gate walk row rise square yard vale mount ridge fields "
    "heights dale glen hollow orchard meadow meadows chase croft quay approach circus gardens grove wharf"
)
_ADJECTIVES = _words(
    "large small big little huge extra spare full empty broken damaged overflowing wheelie black blue brown "
    "grey gray white red purple orange yellow pink dark light"
)
_BIN_WORDS = re.compile(r"(?i:[ \t]+(?:bins?|bags?|box(?:es)?|sacks?|caddy|caddies|waste|recycling)\b)")
_WELSH_ARTICLES = _words("y yr 'r ’r")


def _street_body_ok(body: re.Match[str]) -> bool:
    """True when the words between house number and street type read as a street name."""
    words = body.group("name").split()
    if body.group("type").lower() in _WEAK_STREET_TYPES:
        if _BIN_WORDS.match(body.string, body.end()):
            return False  # "3 large green bins"
        if words[0].islower() and any(w.lower() in _COMMON_WORDS or w.lower() in _ADJECTIVES for w in words):
            return False
    for index, word in enumerate(words):
        low = word.lower()
        if word[0].isupper():
            if low in _FUNCTION_WORDS and not (index == 0 and low == "the"):
                return False
        elif low in _ADDRESS_STOP:
            return False
    return True


def _street_end(text: str, pos: int) -> int | None:
    """End of a street name of up to four words starting at ``pos`` (Welsh articles allowed), or None."""
    end = None
    lower_run = False
    for index in range(4):
        match = _NAME_TOKEN.match(text, pos)
        if not match:
            break
        word = match.group(1)
        low = word.lower()
        lower_run = lower_run or (index == 0 and word.islower())
        if low in _WELSH_ARTICLES and index:
            pos = match.end(1)
        elif (word[0].isupper() and not lower_run and low not in _FUNCTION_WORDS) or (
            lower_run and word.islower() and low not in _COMMON_WORDS
        ):
            pos = end = match.end(1)
        else:
            break
    return end


def _find_addresses(text: str) -> Iterator[PiiSpan]:
    for house in _HOUSE.finditer(text):
        if not _free_before(text, house.start(), "£$€.,:/-"):
            continue
        end = None
        body = _STREET_BODY.match(text, house.end())
        if body and _street_body_ok(body):
            end = body.end()
        elif _WELSH_STREET.match(text, house.end()):
            end = _street_end(text, house.end())
        if end:
            yield PiiSpan(_with_unit(text, house.start()), end, "ADDRESS")


def _with_unit(text: str, start: int) -> int:
    """Start of the address line, moved back over a "Flat 3, " before the house number."""
    unit = _UNIT_BEFORE.search(text, max(0, start - 24), start)
    return unit.start() if unit else start


def _address_after_cue(text: str, pos: int) -> Iterator[PiiSpan]:
    """The address after "I live at", "Address:": a house number and up to four street-name words."""
    house = _AFTER_ADDRESS_CUE.match(text, pos)
    first = _NAME_TOKEN.match(text, house.end()) if house else None
    if house and first and first.group(1).lower() not in _COMMON_WORDS:  # not "it's at 3 PM"
        end = _street_end(text, house.end())
        if end:
            yield PiiSpan(house.start("v"), end, "ADDRESS")


# --------------------------------------------------------------------------------------------------
# Numbers recognisable on their own. One scan finds every run of digit groups (separated by single
# spaces or dashes); a run not touching letters, money or dates is checked as a payment card (13-19
# digits, Luhn), an NHS number (10 digits, modulus 11) or a dashed sort code ("20-00-00"); six digits
# between two letters and a suffix letter are a National Insurance number.
# --------------------------------------------------------------------------------------------------
_DIGIT_RUN = re.compile(r"\d+(?:[ -]\d+)*")
_DIGIT_GROUP = re.compile(r"\d+")
_NHS_SHAPE = re.compile(r"[1-9]\d{2}([ -]?)\d{3}\1\d{4}")
_DASHED_SORT_CODE = re.compile(r"(\d{2})-(\d{2})-(\d{2})")
# National Insurance numbers: two letters, six digits, a suffix A-D ("QQ 12 34 56 C", "qq123456c").
_NI_DIGITS = r"\d{2}[ \t]?\d{2}[ \t]?\d{2}"
_NI_PREFIX = re.compile(r"[A-Za-z]{2}[ \t]?\Z")
_NI_SUFFIX = re.compile(r"[ \t]?[A-Da-d](?!\w)")
_NI_WORD_PREFIXES = _words("am an as at be by do go he hi if in is it me my no of oh ok on or so to up us we")


def _find_number_runs(text: str) -> Iterator[PiiSpan]:
    for run in _DIGIT_RUN.finditer(text):
        start, end = run.span()
        value = run.group()
        size = len(value) - value.count(" ") - value.count("-")
        if size == 6 and "-" not in value and (ni := _ni_number(text, start, end)):
            yield ni
        if not (_free_before(text, start, "£$€.,/-") and _free_after(text, end, "/")):
            continue
        if size >= 13:
            card = _card_in_groups(list(_DIGIT_GROUP.finditer(value)))
            if card:
                yield PiiSpan(start + card[0], start + card[1], "CARD_NUMBER")
        elif size == 10:
            if _NHS_SHAPE.fullmatch(value) and _nhs_ok(_digits_of(value)):
                yield PiiSpan(start, end, "NHS_NUMBER")
        elif size == 6 and (dashed := _DASHED_SORT_CODE.fullmatch(value)):
            day, month = int(dashed.group(1)), int(dashed.group(2))
            if not (1 <= day <= 31 and 1 <= month <= 12):  # "12-03-25" may be a date: it needs a cue
                yield PiiSpan(start, end, "SORT_CODE")


def _ni_number(text: str, start: int, end: int) -> PiiSpan | None:
    """The NI number around the six digits at ``start:end``, or None."""
    prefix = _NI_PREFIX.search(text, max(0, start - 3), start)
    suffix = _NI_SUFFIX.match(text, end)
    if not prefix or not suffix or not _free_before(text, prefix.start()):
        return None
    letters = prefix.group()
    if letters[-1] in " \t" and letters[:2].lower() in _NI_WORD_PREFIXES:
        return None  # "is 12 34 56 a" is prose, not an NI number
    return PiiSpan(prefix.start(), suffix.end(), "NI_NUMBER")


def _card_in_groups(groups: list[re.Match[str]]) -> tuple[int, int] | None:
    """Longest Luhn-valid 13-19 digit block of whole groups that starts or ends the run."""
    best: tuple[int, int] | None = None
    for ordered in (groups, groups[::-1]):
        digits = ""
        for group in ordered:
            digits = digits + group.group() if ordered is groups else group.group() + digits
            if len(digits) > 19:
                break
            if len(digits) >= 13 and digits[0] != "0" and _luhn_ok(digits):
                span = (min(ordered[0].start(), group.start()), max(ordered[0].end(), group.end()))
                if best is None or span[1] - span[0] > best[1] - best[0]:
                    best = span
    return best


# --------------------------------------------------------------------------------------------------
# Cued values: personal data only next to a cue ("sort code", "UPRN", "HB ref", "date of birth").
# One scan finds every cue; the value is then matched after it ("account number is 12345678") or,
# for most types, before it ("12345678 is my account number").
# --------------------------------------------------------------------------------------------------
_COUNCIL_TAX = rf"co?u?n[cs][ie]l{_T}(?:tax|tacks)(?:['’]s)?"  # council, counsil, concil, ASR "counsel tacks"
_ACCOUNT = r"(?:ac+ou?n?t+|acct|acc)"  # account, acount, accont, accout
_NUMBER = r"(?:nu+m+b?[a-z]?r|no|num|nr)"  # number, numer, numbr, numebr
_REFERENCE = r"(?:ref+e*r+[ae]n[cs]e|ref)"  # reference, refrence, referance
_REF_WORD = rf"(?:{_REFERENCE}|{_NUMBER}|id)\.?"
_REF_VALUE = r"(?:[A-Z]{1,4}[ /-]?|[A-Za-z]{1,4}[/-]?)?\d+(?:[ -]\d{3,})*[A-Za-z]{0,2}"
_NI_VALUE = rf"[A-Za-z]{{2}}[ \t]?{_NI_DIGITS}(?:[ \t]?[A-Da-d])?"

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_ORDINAL_WORD = (
    r"(?:(?:twenty|thirty)[ \t-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
    r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth"
    r"|twentieth|thirtieth"
)
_UNIT_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TEEN = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_YEAR_WORDS = (
    rf"(?:nineteen|twenty)[ \t-](?:{_TENS}(?:[ \t-]{_UNIT_WORD})?|{_TEEN}|oh[ \t-]{_UNIT_WORD})"
    rf"|two[ \t]thousand(?:[ \t]and)?(?:[ \t](?:{_TEEN}|{_TENS}(?:[ \t-]{_UNIT_WORD})?|{_UNIT_WORD}))?"
)
_DAY = rf"(?:(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b|(?:{_ORDINAL_WORD})\b)"
_YEAR = rf"(?:(?:19|20)\d{{2}}\b|'?\d{{2}}\b|(?:{_YEAR_WORDS})\b)"
# Any common date form; a date is a DOB only next to a birth cue ("collected on 12/03/2025" stays).
_DATE = (
    r"(?i:(?<![\w/.-])(?:"
    r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)"
    r"|\d{1,2}[ \t]\d{1,2}[ \t](?:\d{4}|\d{2})(?!\d)"
    r"|(?:19|20)\d{2}[/.\-]\d{1,2}[/.\-]\d{1,2}(?!\d)"
    rf"|{_DAY}(?:[ \t]+of)?[ \t,]*{_MONTH}(?:,?[ \t]+{_YEAR})?"
    rf"|{_MONTH}[ \t]+(?:the[ \t]+)?{_DAY}(?:,?[ \t]+{_YEAR})?"
    rf"|{_MONTH},?[ \t]+{_YEAR}"
    r"))"
)
_COMPACT_DATE = r"(?<![\w/.-])(?:\d{8}|\d{6})(?!\d)"  # "dob 12031980": only straight after the cue

# Cue patterns, tried in this order at each position (a longer, more specific cue first).
_CUES: tuple[tuple[str, str], ...] = (
    (
        "COUNCIL_TAX_REF",
        rf"(?:{_COUNCIL_TAX}|ctax|c/tax|ct){_T}(?:{_ACCOUNT}|a/c|{_REF_WORD})"
        rf"|{_ACCOUNT}{_T}{_REFERENCE}\.?|(?:{_ACCOUNT}{_T}(?:{_NUMBER}|{_REFERENCE})|{_REFERENCE})\.?{_T}fo?r?{_T}"
        rf"(?:my{_T})?{_COUNCIL_TAX}|{_REFERENCE}{_T}on{_T}(?:my|the|your){_T}(?:{_COUNCIL_TAX}{_T})?bill"
        rf"|(?:cyfrif{_T})?treth{_T}gyngor",
    ),
    (
        "BENEFIT_REF",
        rf"(?:(?:housing{_T})?ben[ei]fits?|hb|universal{_T}credits?|uc|pension{_T}credit|ctrs?)"
        rf"(?:{_T}claim)?{_T}{_REF_WORD}|claim{_T}{_REF_WORD}|ctrs?|cyfeirnod{_T}y{_T}cais",
    ),
    ("UPRN", rf"upr+[a-z]?n?|unique{_T}property{_T}{_REFERENCE}(?:{_T}{_NUMBER})?|property{_T}(?:{_REFERENCE}|id)\.?"),
    ("NHS_NUMBER", rf"nhs(?:{_T}{_NUMBER}\.?)?|health{_T}(?:service{_T})?{_NUMBER}|rhif{_T}gig|gig"),
    ("NI_NUMBER", rf"(?:national{_T}insurance|nat{_T}ins|n\.i\.?|ni|nino|yswiriant{_T}gwladol)(?:{_T}{_NUMBER}\.?)?"),
    (
        "BANK_ACCOUNT",
        rf"(?:bank{_T})?{_ACCOUNT}(?:{_T}{_NUMBER}\.?)?|a/c(?:{_T}{_NUMBER}\.?)?|(?:rhif{_T}y{_T})?cyfrif{_T}banc",
    ),
    ("SORT_CODE", rf"so(?:r|ugh)t(?:{_T}|-)?codes?|s/c|cod(?:{_T}y)?{_T}didoli"),
    (
        "DOB",
        rf"born|dob|d\.o\.b\.?|d[ \t]o[ \t]b|date{_T}of{_T}birth|birth[ \t]*date|birthday"
        rf"|(?:d|n|dd)yddiad(?:{_T}y)?{_T}geni|ganwyd",
    ),
    (
        "ADDRESS",
        rf"(?:live[sd]?|living|stay(?:ing)?|we['’]?re|were|i['’]?m|im|it['’]?s|its|based){_T}at"
        rf"|(?:ad+re?s+|property)(?:{_T}is|[ \t]*:)?|byw{_T}yn|cyfeiriad(?:{_T}yw|[ \t]*:)?",
    ),
    ("REF", rf"{_REFERENCE}(?:{_T}{_NUMBER})?\.?|cyfeirnod"),
)


@dataclass(frozen=True)
class _ValueRule:
    """How to read the value of a cue: after it (``forward``), before it (``reverse``) and a check."""

    forward: re.Pattern[str]
    reverse: re.Pattern[str] | None
    valid: Callable[[str], bool]


def _value_rule(value: str, valid: Callable[[str], bool], *, reverse: bool = True) -> _ValueRule:
    return _ValueRule(
        forward=re.compile(rf"{_GAP}(?P<v>{value})(?!\w)"),
        reverse=re.compile(rf"(?<!\w)(?P<v>{value})\Z") if reverse else None,
        valid=valid,
    )


_LINK_BEFORE = re.compile(rf"{_REVERSE_LINK}\Z")


def _before_link(text: str, cue: re.Match[str], value: re.Pattern[str]) -> re.Match[str] | None:
    """The value in "<value> is my <cue>": checked only when the link words sit right before the cue."""
    link = _LINK_BEFORE.search(text, max(0, cue.start() - 24), cue.start())
    return value.search(text, max(0, link.start() - 60), link.start()) if link else None


def _digit_count(low: int, high: int) -> Callable[[str], bool]:
    return lambda value: low <= len(_digits_of(value)) <= high


def _ref_ok(value: str) -> bool:
    return sum(c.isdigit() for c in value) >= 5


_VALUE_RULES: dict[str, _ValueRule] = {
    "COUNCIL_TAX_REF": _value_rule(_REF_VALUE, _ref_ok),
    "BENEFIT_REF": _value_rule(_REF_VALUE, _ref_ok),
    "UPRN": _value_rule(rf"\d{{1,12}}(?:[ ]\d{{3,4}}){{0,3}}|{_SPOKEN}", _digit_count(1, 12)),
    "NHS_NUMBER": _value_rule(rf"\d{{3}}[ -]?\d{{3}}[ -]?\d{{4}}|{_SPOKEN}", _digit_count(10, 10)),
    "NI_NUMBER": _value_rule(_NI_VALUE, lambda value: True),
    "BANK_ACCOUNT": _value_rule(rf"\d{{4}}[ -]?\d{{4}}|{_SPOKEN}", _digit_count(8, 8)),
    "SORT_CODE": _value_rule(rf"\d{{2}}[ -]?\d{{2}}[ -]?\d{{2}}|{_SPOKEN}", _digit_count(6, 6)),
    "REF": _value_rule(_REF_VALUE, _ref_ok, reverse=False),
}
_DOB_FORWARD = re.compile(rf"{_GAP}(?P<v>{_COMPACT_DATE})|[^.!\d\[\]]{{0,25}}?(?P<w>{_DATE})")
_DOB_REVERSE = re.compile(rf"(?P<v>{_DATE})\Z")

# A bare "ref: ..." is typed by its value: HB/CTR/UC prefixes are benefit claims, the rest council tax.
# References that are not personal (PCNs, orders, cases) are left alone.
_NOT_PERSONAL_REF = re.compile(
    r"(?i:\b(?:pcn|penalty|charge|notice|planning|order|invoice|case|complaint|job|report|ticket|booking|fault"
    r"|enquiry|crime|tracking|application|appointment|payment|transaction|confirmation)[ \t]*)\Z"
)
_PCN_SHAPE = re.compile(r"[A-Za-z]{2}\d{8}")
_BENEFIT_PREFIX = re.compile(r"(?i:hb|ctr|uc|esa|dhp|pc)(?![a-z])")
_BENEFIT_CONTEXT = re.compile(
    r"(?i:\b(?:ben[ei]fits?|claim|universal[ \t]+credit|overpa(?:id|yment)|entitled|payslips?|reduction|budlyg|cais))"
)
_COUNCIL_TAX_CONTEXT = re.compile(rf"(?i:\b{_COUNCIL_TAX}|\b[td]reth[ \t]+gyngor|\bctax\b)")
_HEALTH_CONTEXT = re.compile(r"(?i:\b(?:nhs|gp|doctor|hospital|surgery|health|nurse|meddyg|gig)\b)")


def _value_near(text: str, cue: re.Match[str], kind: str) -> Iterator[PiiSpan]:
    rule = _VALUE_RULES[kind]
    after = rule.forward.match(text, cue.end())
    if after and rule.valid(after.group("v")):
        if kind != "REF":
            yield PiiSpan(after.start("v"), after.end("v"), kind)
        elif ref_type := _generic_ref_type(text, cue, after.group("v")):
            yield PiiSpan(after.start("v"), after.end("v"), ref_type)
    before = _before_link(text, cue, rule.reverse) if rule.reverse else None
    if before and rule.valid(before.group("v")):
        yield PiiSpan(before.start("v"), before.end("v"), kind)


def _generic_ref_type(text: str, cue: re.Match[str], value: str) -> str | None:
    """Type of the value after a bare "ref", or None when it is not personal or a checksum reads it better."""
    if _PCN_SHAPE.fullmatch(value) or _NOT_PERSONAL_REF.search(text, max(0, cue.start() - 40), cue.start()):
        return None
    digits = _digits_of(value)
    if 13 <= len(digits) <= 19 and _luhn_ok(digits):
        return None  # a payment card
    if _NHS_SHAPE.fullmatch(value) and _nhs_ok(digits) and _HEALTH_CONTEXT.search(text):
        return None  # an NHS number ("ref 943 476 5919 from the GP")
    if _BENEFIT_PREFIX.match(value) or (_BENEFIT_CONTEXT.search(text) and not _COUNCIL_TAX_CONTEXT.search(text)):
        return "BENEFIT_REF"
    return "COUNCIL_TAX_REF"


def _dob_near(text: str, cue: re.Match[str]) -> Iterator[PiiSpan]:
    after = _DOB_FORWARD.match(text, cue.end())
    if after:
        group = "v" if after.group("v") is not None else "w"
        yield PiiSpan(after.start(group), after.end(group), "DOB")
    before = _before_link(text, cue, _DOB_REVERSE)
    if before:
        yield PiiSpan(before.start("v"), before.end("v"), "DOB")


# --------------------------------------------------------------------------------------------------
# Names: only next to a cue. Strong cues ("my name is", "name:") accept lower-case names; weak cues
# ("I'm", "Thanks,", "my son") and back cues ("Jane Smith here") need capitalised words that are not
# common words; titles (Mr, Dr) are part of the span. One scan finds every cue.
# --------------------------------------------------------------------------------------------------
_TITLE = r"(?:(?i:mrs|mr|ms|mx|dr)|Miss|MISS|Prof|PROF|Sir|SIR|Dame|Lady|Lord|Revd|Rev)\.?(?=[ \t])"
_TITLE_AT = re.compile(_TITLE)
_SPEECH_FILLERS = re.compile(rf"(?i:(?:[ \t,]*\b(?:{_SPEECH})\b)*)[ \t,]*")
_PARTICLES = _words("ap ab van von de der den da di du del della le la bin ibn al el")
_FAMILY = (
    r"husband|wife|partner|son|daughter|mum|mother|dad|father|brother|sister|neighbour|friend|carer"
    r"|landlord|grandson|granddaughter|nan|gran|grandad|grandma|grandmother|grandfather|uncle|aunt|auntie"
    r"|nephew|niece|lodger|tenant|colleague"
)
_SIGN_OFF = (
    r"kind(?:est)?[ \t]+regards|best[ \t]+regards|warm(?:est)?[ \t]+regards|regards|best[ \t]+wishes"
    r"|many[ \t]+thanks|thanks[ \t]+again|thank[ \t]+you|thanks|cheers|yours[ \t]+(?:sincerely|faithfully|truly)"
    r"|sincerely|best|ta|all[ \t]+the[ \t]+best|take[ \t]+care"
    r"|yn[ \t]+gywir|yn[ \t]+ddiffuant|cofion(?:[ \t]+gorau)?|diolch(?:[ \t]+yn[ \t]+fawr)?"
)
_NAME_CUES: tuple[tuple[str, str], ...] = (
    (
        "strong",
        rf"(?i:\b(?:(?:sur|fore|first[ \t]?|last[ \t]?)?names?(?:[ \t]+on[ \t]+(?:the|my)[ \t]+\w+)?"
        rf"(?:[ \t]*[:=]|[ \t]+-|['’]s\b|{_T}(?:is|was|are)\b)|my[ \t]+names\b|fy[ \t]+enw(?:[ \t]+i)?[ \t]+yw\b"
        r"|enw[ \t]*:))",
    ),
    (
        "weak",
        r"(?i:\b(?:i['’]?m|i[ \t]+am|called|named|dear|hi|hello|hiya|helo|shwmae|annwyl|regarding|re:"
        r"|on[ \t]+behalf[ \t]+of|fao|attn:?|for[ \t]+the[ \t]+attention[ \t]+of|names?|enw"
        r"|(?:speak|spoke|speaking|talk|talked|talking)[ \t]+(?:to|with)|ask(?:ed)?[ \t]+for"
        rf"|my[ \t]+(?:{_FAMILY})(?:['’]s[ \t]+name[ \t]+is)?))(?=[ \t,])",
    ),
    ("intro", r"(?i:\b(?:this[ \t]+is|it['’]?s|it[ \t]+is))(?=[ \t])"),
    ("signoff", rf"(?i:(?<![\w-])(?:{_SIGN_OFF}))[ \t]*(?:[,.!\-][ \t]*(?:\r?\n[ \t]*)*|(?:\r?\n[ \t]*)+)"),
    ("title", rf"(?<!\w){_TITLE}"),
    # "Jane Smith here", "Siân Jones speaking", "Dafydd sydd yma": the name comes before the cue.
    (
        "back",
        r"(?i:(?<=[ \t])(?:here|speaking|sydd[ \t]+yma|sy['’]?[ \t]?n[ \t]+siarad))(?![\w'’])",
    ),
)
_FILLER_BEFORE = re.compile(rf"(?i:[ \t]+(?:{_SPEECH}))\Z")
_INTRO_FOLLOW = re.compile(r"(?i:[ \t]+(?:from|speaking|calling|here|ringing|phoning)\b)")
_LOWER_TITLES = _words("mr mrs ms mx dr")
_OR_MADAM = re.compile(r"(?i:[ \t]*(?:/|or[ \t]+)madam)")
_NOT_NAME_ENDINGS = ("ous", "ful", "ing", "able", "ible", "less")


def _name_token_ok(token: str, *, first: bool, mode: str, lower_run: bool) -> bool:
    """Whether ``token`` can be (or continue) a name after a cue of the given strength."""
    low = token.lower()
    if not lower_run:
        if not token[0].isupper():
            return False
        if first and mode in ("weak", "intro"):  # "It's Ridiculous", "I'm Fuming" are not names
            return low not in _COMMON_WORDS and not (len(low) > 4 and low.endswith(_NOT_NAME_ENDINGS))
        return low not in _FUNCTION_WORDS
    if not token.islower() or len(low) < 2 or low in _COMMON_WORDS:
        return False
    return not (first and len(low) > 4 and low.endswith(_NOT_NAME_ENDINGS))


def _take_name(text: str, pos: int, mode: str) -> tuple[int, int] | None:
    """Span of the name (with its title, if any) that starts at ``pos``, or None."""
    pos = _SPEECH_FILLERS.match(text, pos).end()  # type: ignore[union-attr]  # matches the empty string
    lower_ok = mode in ("strong", "intro")
    title = _TITLE_AT.match(text, pos)
    if title:
        lower_ok = title.group().rstrip(".").lower() in _LOWER_TITLES
        mode, pos = "title", title.end()
    first_start = end = pending = None
    lower_run = False
    for _ in range(6):
        match = _NAME_TOKEN.match(text, pos)
        if not match:
            break
        token = match.group(1)
        initial = len(token) == 1 and token.isupper()
        if initial or (end is not None and token in _PARTICLES):  # kept only when a name follows
            pending = match.start(1) if pending is None else pending
            pos = match.end()
            continue
        first = end is None
        if first:
            lower_run = lower_ok and token.islower()
        if not _name_token_ok(token, first=first, mode=mode, lower_run=lower_run):
            break
        if first:
            first_start = match.start(1) if pending is None else pending
        pending = None
        pos = end = match.end(1)
        if token.lower().endswith(("'s", "’s")):  # "my son Tom's school": the name is "Tom"
            end -= 2
            break
    if end is None or first_start is None:
        return None
    if mode == "intro" and lower_run and not _INTRO_FOLLOW.match(text, end):
        return None
    return (title.start() if title else first_start), end


def _word_before(text: str, end: int) -> tuple[int, int] | None:
    """The word (letters, inner apostrophes and hyphens) that ends at ``end``, less an initial's full stop."""
    stop = end - 1 if end and text[end - 1] == "." else end
    start = stop
    while start and (
        text[start - 1].isalpha() or (text[start - 1] in "'’-" and start > 1 and text[start - 2].isalpha())
    ):
        start -= 1
    return (start, stop) if start < stop and text[start].isalpha() else None


def _name_before(text: str, end: int) -> tuple[int, int] | None:
    """Span of the capitalised name that ends at ``end`` ("Jane Smith" in "Jane Smith here"), or None."""
    while end and text[end - 1] in " \t":
        end -= 1
    filler = _FILLER_BEFORE.search(text, max(0, end - 20), end)  # "Jane Smith um here"
    if filler:
        end = filler.start()
    start = None
    pos = end
    for _ in range(5):
        word_span = _word_before(text, pos)
        if not word_span:
            break
        word = text[word_span[0] : word_span[1]]
        initial = len(word) == 1 and word.isupper()
        if word[0].isupper() and (word.lower() not in _COMMON_WORDS or (initial and start is not None)):
            start = word_span[0]
        elif not (word in _PARTICLES and start is not None):
            break
        pos = word_span[0]
        if not pos or text[pos - 1] not in " \t":
            break
        while pos and text[pos - 1] in " \t":
            pos -= 1
    return (start, end) if start is not None else None


def _name_near(text: str, cue: re.Match[str], mode: str) -> PiiSpan | None:
    if mode == "back":
        span = _name_before(text, cue.start())
    elif mode == "title":
        span = _take_name(text, cue.start(), "title")
    else:
        span = _take_name(text, cue.end(), "weak" if mode == "signoff" else mode)
    if not span or _OR_MADAM.match(text, span[1]):  # "Dear Sirr or Madam": a misspelt "Sir"
        return None
    return PiiSpan(span[0], span[1], "NAME")


# --------------------------------------------------------------------------------------------------
# One keyword scan over the lower-cased text finds where any cue may start; only there are the cue
# patterns tried. Keywords also tell when the rarer spoken forms are worth looking for.
# --------------------------------------------------------------------------------------------------
_KEYWORDS: dict[str, tuple[str, ...]] = {
    # values
    **{stem: ("COUNCIL_TAX_REF",) for stem in ("coun", "conc", "cons", "cunc", "cuns", "cnc", "cns")},
    "ct": ("COUNCIL_TAX_REF", "BENEFIT_REF"),
    "c/tax": ("COUNCIL_TAX_REF",),
    "ac": ("COUNCIL_TAX_REF", "BANK_ACCOUNT"),
    "ref": ("COUNCIL_TAX_REF", "REF"),
    "cyf": ("COUNCIL_TAX_REF", "BENEFIT_REF", "BANK_ACCOUNT", "ADDRESS", "REF"),
    "treth": ("COUNCIL_TAX_REF",),
    "housing": ("BENEFIT_REF",),
    "ben": ("BENEFIT_REF",),
    "hb": ("BENEFIT_REF",),
    "universal": ("BENEFIT_REF",),
    "uc": ("BENEFIT_REF",),
    "pension": ("BENEFIT_REF",),
    "claim": ("BENEFIT_REF",),
    "upr": ("UPRN",),
    "unique": ("UPRN",),
    "property": ("UPRN", "ADDRESS"),
    "nhs": ("NHS_NUMBER",),
    "health": ("NHS_NUMBER",),
    "rhif": ("NHS_NUMBER", "BANK_ACCOUNT"),
    "gig": ("NHS_NUMBER",),
    "nat": ("NI_NUMBER",),
    "n.i": ("NI_NUMBER",),
    "ni": ("NI_NUMBER",),
    "yswiriant": ("NI_NUMBER",),
    "bank": ("BANK_ACCOUNT",),
    "a/c": ("BANK_ACCOUNT",),
    "sort": ("SORT_CODE",),
    "sought": ("SORT_CODE",),
    "s/c": ("SORT_CODE",),
    "cod": ("SORT_CODE",),
    "born": ("DOB",),
    "dob": ("DOB",),
    "d.o.b": ("DOB",),
    "d o b": ("DOB",),
    "date": ("DOB",),
    "birth": ("DOB",),
    "dyddiad": ("DOB",),
    "nyddiad": ("DOB",),
    "ddyddiad": ("DOB",),
    "ganwyd": ("DOB",),
    "live": ("ADDRESS",),
    "living": ("ADDRESS",),
    "stay": ("ADDRESS",),
    "we're": ("ADDRESS",),
    "we’re": ("ADDRESS",),
    "were": ("ADDRESS",),
    "i'm": ("ADDRESS", "weak"),
    "i’m": ("ADDRESS", "weak"),
    "im": ("ADDRESS", "weak"),
    "it": ("ADDRESS", "intro"),
    "based": ("ADDRESS",),
    "ad": ("ADDRESS",),
    "byw": ("ADDRESS",),
    # names
    "name": ("strong", "weak"),
    "sur": ("strong",),
    "fore": ("strong",),
    "first": ("strong",),
    "last": ("strong",),
    "my": ("strong", "weak"),
    "fy": ("strong",),
    "enw": ("strong", "weak"),
    "i am": ("weak",),
    "called": ("weak",),
    "named": ("weak",),
    "dear": ("weak",),
    "hi": ("weak",),
    "hello": ("weak",),
    "helo": ("weak",),
    "shwmae": ("weak",),
    "annwyl": ("weak",),
    "regarding": ("weak",),
    "re:": ("weak",),
    "on behalf": ("weak",),
    "fao": ("weak",),
    "attn": ("weak",),
    "for the attention": ("weak",),
    "speak": ("weak",),
    "spoke": ("weak",),
    "talk": ("weak",),
    "ask": ("weak",),
    "this is": ("intro",),
    "kind": ("signoff",),
    "best": ("signoff",),
    "warm": ("signoff",),
    "regards": ("signoff",),
    "many": ("signoff",),
    "thank": ("signoff",),
    "cheers": ("signoff",),
    "yours": ("signoff",),
    "sincerely": ("signoff",),
    "ta": ("signoff",),
    "all the best": ("signoff",),
    "take care": ("signoff",),
    "yn ": ("signoff",),
    "cofion": ("signoff",),
    "diolch": ("signoff",),
    "mr": ("title",),
    "ms": ("title",),
    "mx": ("title",),
    "dr": ("title",),
    "miss": ("title",),
    "prof": ("title",),
    "sir": ("title",),
    "dame": ("title",),
    "lady": ("title",),
    "lord": ("title",),
    "rev": ("title",),
    "here": ("back",),
    "speaking": ("back", "weak"),
    "sydd": ("back",),
    "sy": ("back",),
    # gates for spoken forms
    "dot": ("spoken_email",),
    **{
        word: ("digit",) for word in "oh zero nought double triple one two three four five six seven eight nine".split()
    },
}


def _trie_pattern(words: Iterable[str]) -> str:
    """A pattern matching any of ``words``, longest first, that branches letter by letter (so a scan tries
    one branch per position rather than every word)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    return pattern(trie)


# Keywords start where no letter or digit comes before them.
_KEYWORD_SCAN = re.compile(r"(?<![^\W_])" + _trie_pattern(_KEYWORDS))
# The kinds a matched keyword may start: its own and those of the shorter keywords it begins with.
_KEYWORD_KINDS: dict[str, frozenset[str]] = {
    keyword: frozenset(kind for length in range(1, len(keyword) + 1) for kind in _KEYWORDS.get(keyword[:length], ()))
    for keyword in _KEYWORDS
}
_VALUE_ORDER = tuple(kind for kind, _ in _CUES)
_NAME_ORDER = tuple(mode for mode, _ in _NAME_CUES)
_CUE_PATTERNS: dict[str, re.Pattern[str]] = {
    **{kind: re.compile(rf"(?i:{cue})(?!\w)") for kind, cue in _CUES},
    **{mode: re.compile(cue) for mode, cue in _NAME_CUES},
}


def _lower(text: str) -> str:
    """``text`` lower-cased without changing any offsets."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _find_by_cues(text: str) -> Iterator[PiiSpan]:
    lowered = _lower(text)
    value_end = name_end = 0
    digit_words = 0
    spoken_email = False
    for hit in _KEYWORD_SCAN.finditer(lowered):
        pos = hit.start()
        kinds = _KEYWORD_KINDS[hit.group()]
        digit_words += "digit" in kinds
        spoken_email = spoken_email or "spoken_email" in kinds
        if pos >= value_end:
            for kind in _VALUE_ORDER:
                if kind in kinds and (cue := _CUE_PATTERNS[kind].match(text, pos)):
                    value_end = cue.end()
                    yield from _value_spans(text, cue, kind)
                    break
        if pos >= name_end:
            for mode in _NAME_ORDER:
                if mode in kinds and (cue := _CUE_PATTERNS[mode].match(text, pos)):
                    name_end = cue.end()
                    if span := _name_near(text, cue, mode):
                        yield span
                    break
    if digit_words >= 4:
        yield from _spoken_phones(text)
    if spoken_email:
        yield from _spoken_emails(text)


def _value_spans(text: str, cue: re.Match[str], kind: str) -> Iterator[PiiSpan]:
    if kind == "ADDRESS":
        yield from _address_after_cue(text, cue.end())
    elif kind == "DOB":
        yield from _dob_near(text, cue)
    else:
        yield from _value_near(text, cue, kind)


# --------------------------------------------------------------------------------------------------
# Safety nets for values whose cue was misspelt ("soort code", "date of brith", "council taz")
# --------------------------------------------------------------------------------------------------
_LONG_NUMBER = re.compile(r"(?<![\w£$€.,])\d(?:[ -]?\d){7,15}(?![\w.,]\d|\w)")
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_BIRTH_YEAR = r"(?:19\d{2}|200\d|201[0-2])"
_OLD_DATE = re.compile(
    rf"(?i)(?<!\w)(?:\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?{_MONTHS}\.?,?[ \t]+{_BIRTH_YEAR}"
    rf"|{_MONTHS}\.?[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+{_BIRTH_YEAR}"
    rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-]{_BIRTH_YEAR})(?!\w)"
)
_PAIRS = re.compile(r"(?<![\w-])\d{2}([ -])\d{2}\1\d{2}(?![\w-])")
_WORD = re.compile(r"[A-Za-z]+")


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


_NAME_VALUE = r"(?P<name>[A-Z](?:\.|[a-z'’]+)(?:[ \t]+[A-Z][a-z'’]+(?:-[A-Z][a-z]+)?)?)"
_FUZZY_NAME = (
    re.compile(
        r"(?:(?i:\bmy[ \t]+n[a-z]{1,3}e?(?:'s|[ \t]+is)|\bt[a-z]{1,3}[ \t]+(?:(?:er|um|erm)[ \t]+)?is"
        r"|^[ \t]*n[a-z]{2,3}[ \t]*:)[ \t]+)" + _NAME_VALUE,
        re.MULTILINE,
    ),
    re.compile(r"(?i:\bit{1,2}'?s)[ \t]+(?P<name>[A-Z][a-z'’]+[ \t]+[A-Z][a-z'’]+(?:-[A-Z][a-z]+)?)"),
    re.compile(
        r"(?i:(?:kind|best|warm)?[ \t]*regard\w*|many[ \t]+thank\w*|thank\w*|cheers|cofion)[ \t]*,?[ \t]*\r?\n[ \t]*"
        + _NAME_VALUE
        + r"[ \t]*$",
        re.MULTILINE,
    ),
    re.compile(_NAME_VALUE + r"[ \t]+(?i:here|herr|hree|heer|hre)\b"),
)


def _fuzzy_names(text: str) -> Iterator[PiiSpan]:
    for pattern in _FUZZY_NAME:
        for match in pattern.finditer(text):
            first = match.group("name").split()[0].rstrip(".").lower()
            if first not in _COMMON_WORDS:
                yield PiiSpan(match.start("name"), match.end("name"), "NAME")


def _find_safety_nets(text: str) -> Iterator[PiiSpan]:
    """Long digit runs (account-like numbers), full dates with a birth-like year, and sort-code-shaped
    triples after a misspelt "sort code". Other detectors win where they overlap (this is least specific)."""
    for match in _LONG_NUMBER.finditer(text):
        yield PiiSpan(match.start(), match.end(), "REFERENCE")
    for match in _OLD_DATE.finditer(text):
        yield PiiSpan(match.start(), match.end(), "DOB")
    yield from _fuzzy_names(text)
    for match in _PAIRS.finditer(text):
        words = [w.lower() for w in _WORD.findall(text[max(0, match.start() - 30) : match.start()])[-3:]]
        if any(_edit_distance(a + b, "sortcode") <= 2 for a, b in pairwise(words)):
            yield PiiSpan(match.start(), match.end(), "SORT_CODE")


_DETECTORS: tuple[Detector, ...] = (
    _find_emails,
    _find_phones,
    _find_postcodes,
    _find_addresses,
    _find_number_runs,
    _find_by_cues,
    _find_safety_nets,
)


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------
def find_pii(text: str) -> list[PiiSpan]:
    """Personal data in ``text``: non-overlapping spans sorted by position.

    Overlapping candidates merge into one span typed by the longest (then most specific) candidate.
    Existing placeholders such as ``[NAME]`` are never part of a span.
    """
    if not text:
        return []
    protected = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)] if "[" in text else []
    candidates = [
        span
        for detect in _DETECTORS
        for span in detect(text)
        if span.end > span.start and not any(span.start < end and start < span.end for start, end in protected)
    ]
    return _merge(candidates)


def _merge(candidates: list[PiiSpan]) -> list[PiiSpan]:
    """Merge overlapping candidates; each cluster takes the type of its best member."""
    candidates.sort(key=lambda s: (s.start, -s.end))
    clusters: list[list[PiiSpan]] = []
    cluster_end = -1
    for span in candidates:
        if clusters and span.start < cluster_end:
            clusters[-1].append(span)
            cluster_end = max(cluster_end, span.end)
        else:
            clusters.append([span])
            cluster_end = span.end
    merged: list[PiiSpan] = []
    for members in clusters:
        if len(members) == 1:
            merged.append(members[0])
            continue
        best = max(members, key=lambda s: (s.end - s.start, -_SPECIFICITY[s.type]))
        merged.append(PiiSpan(members[0].start, max(s.end for s in members), best.type))
    return merged


def redact_with_spans(text: str) -> tuple[str, list[PiiSpan]]:
    """The redacted text and the spans (positions in the original ``text``) that were replaced."""
    spans = find_pii(text)
    parts: list[str] = []
    last = 0
    for span in spans:
        parts.append(text[last : span.start])
        parts.append(span.placeholder)
        last = span.end
    parts.append(text[last:])
    return "".join(parts), spans


def redact(text: str) -> str:
    """``text`` with every piece of personal data replaced by its typed placeholder, e.g. ``[PHONE]``."""
    return redact_with_spans(text)[0]


def redaction_recall(texts: Sequence[str], gold_spans: Sequence[Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """Share of gold personal-data spans that redaction removes, overall and by type.

    A gold span (``{"start", "end", "type"}``) is *caught* when every one of its characters lies inside
    a found span of any type, so none of its raw characters would survive. ``type_accuracy`` is the
    share of caught spans whose characters all lie in found spans of the gold type. With no gold spans
    the rates are NaN.
    """
    if len(texts) != len(gold_spans):
        raise DataError(f"redaction_recall got {len(texts)} texts but {len(gold_spans)} gold span lists.")
    counts: dict[str, list[int]] = {}  # type -> [n, caught, right type]
    for text, gold in zip(texts, gold_spans, strict=True):
        covered = [""] * len(text)
        for span in find_pii(text):
            covered[span.start : span.end] = [span.type] * (span.end - span.start)
        for item in gold:
            start, end, type_ = _gold_span(item, len(text))
            tally = counts.setdefault(type_, [0, 0, 0])
            cover = covered[start:end]
            tally[0] += 1
            if all(cover):
                tally[1] += 1
                tally[2] += all(t == type_ for t in cover)
    total = [sum(t[i] for t in counts.values()) for i in range(3)]
    return {
        "overall": _rates(*total),
        "by_type": {type_: _rates(*counts[type_]) for type_ in PII_TYPES if type_ in counts},
    }


def _gold_span(item: Mapping[str, Any], length: int) -> tuple[int, int, str]:
    try:
        start, end, type_ = int(item["start"]), int(item["end"]), str(item["type"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"Gold span {item!r} needs integer 'start' and 'end' and a 'type'.") from exc
    if type_ not in PII_TYPES:
        raise DataError(f"Gold span type {type_!r} is not one of {', '.join(PII_TYPES)}.")
    if not 0 <= start < end <= length:
        raise DataError(f"Gold span {item!r} is empty or outside its text of {length} characters.")
    return start, end, type_


def _rates(n: int, caught: int, right: int) -> dict[str, Any]:
    return {
        "recall": caught / n if n else math.nan,
        "n": n,
        "type_accuracy": right / caught if caught else math.nan,
    }
