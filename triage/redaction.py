"""Personal-data redaction: find UK personal data in a contact and replace it with a typed placeholder.

Nothing is stored unredacted: the decision log, service logs, monitoring reference data and feedback
notes all go through :func:`redact` first. Detection is rule-based (pre-compiled regular expressions plus
checksums and cue words), so it is fast, explainable and needs no model.

Each detector proposes candidate spans; overlapping candidates are merged into one span (so no raw
character of any candidate survives) whose type is the longest candidate's, ties going to the more
specific detector (a cued reference beats a bare number pattern). Placeholders already in the text are
never matched again, which makes :func:`redact` idempotent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
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
        )
    )
}


@dataclass(frozen=True)
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
    syr gyngor dîm tîm diolch helo shwmae annwyl
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
_NAME_TOKEN = re.compile(r"[ \t]*([^\W\d_]+(?:['’\-][^\W\d_]+)*)\.?")

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
_SPOKEN_TOKEN = (
    r"(?:(?:double|triple)[ \t-]+)?(?:(?:oh|o|zero|nought|nil|one|two|three|four|five|six|seven|eight|nine)\b|\d+\b)"
)
# Two or more digit tokens, spoken or written: "oh seven seven double oh 900 one two three".
_SPOKEN = rf"(?i:{_SPOKEN_TOKEN}(?:[ \t,\-]+{_SPOKEN_TOKEN})+)"
_WORD_OR_DIGITS = re.compile(r"[a-z]+|\d+")

# Speech fillers in phone transcripts ("my account um number is").
_SPEECH = (
    r"um+|erm+|er|uh+|ah|ym|wel|you[ \t]+know|i[ \t]+mean|like|sort[ \t]+of|basically|right|so"
    r"|chi['’]?n[ \t]+gwybod|ti['’]?n[ \t]+gwybod"
)
# Words allowed between a cue and its value: "account number is 12345678", "ref no: 123456".
_FILLER = (
    r"(?:is|was|it'?s|are|number|numbers|no|num|nr|ref|reference|code|my|the|of|for|on|as|be|it|being"
    r"|should|will|would|i|think|please|here|and|then|that'?s|that|yes|yeah|ok|okay|sure|um|erm|er|uh|so"
    r"|caller|customer|resident|me|just|id|details|account|letter|bill|form|statement|notice|yw|ydy|fy|y|yr"
    rf"|rhif|{_SPEECH})"
)
_GAP_PUNCT = r"[ \t\r\n:#=.,;?()\-–]"
_GAP = rf"(?:{_GAP_PUNCT}*\b(?i:{_FILLER})\b){{0,5}}{_GAP_PUNCT}*"
_OWNER = r"(?i:my|our|his|her|their)[ \t]+"
_REVERSE_LINK = rf"[ \t,]+(?:(?i:is|was|being|that'?s)[ \t]+(?:{_OWNER}|(?i:the)[ \t]+)?|{_OWNER})"


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


def _spans(pattern: re.Pattern[str], text: str, type_: str) -> Iterator[PiiSpan]:
    for match in pattern.finditer(text):
        yield PiiSpan(match.start(), match.end(), type_)


def _accepted(
    pattern: re.Pattern[str],
    text: str,
    accept: Callable[[re.Match[str]], bool],
    group: Callable[[re.Match[str]], int | str],
) -> Iterator[re.Match[str]]:
    """Matches that ``accept`` keeps. The search resumes after the value ``group`` names, so a cue after a
    value ("12345678 is my account number") can still lead the next match; a rejected match is retried
    one character later rather than skipped."""
    pos = 0
    while match := pattern.search(text, pos):
        if accept(match):
            yield match
            pos = max(match.end(group(match)), match.start() + 1)
        else:
            pos = match.start() + 1


# --------------------------------------------------------------------------------------------------
# Pattern detectors: the value is recognisable on its own.
# --------------------------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.%+'-])[\w.%+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
_TLD = r"(?:com|co|uk|org|net|gov|ac|info|me|io|biz|wales|scot|nhs|sch|police)"
_SPOKEN_EMAIL = re.compile(
    r"(?i)(?<![\w.@-])[^\W_][\w.-]*"
    r"(?:[ \t]+(?:dot|underscore|dash|hyphen)[ \t]+\w+)*"
    r"(?:[ \t]+at[ \t]+|[ \t]*@[ \t]*)"
    r"[a-z0-9-]+(?:(?:\.|[ \t]+dot[ \t]+)[a-z0-9-]+)*?"
    rf"(?:\.|[ \t]+dot[ \t]+){_TLD}\b(?:(?:\.|[ \t]+dot[ \t]+)(?:uk|com|org|net)\b)?"
)


def _find_emails(text: str) -> Iterator[PiiSpan]:
    yield from _spans(_EMAIL, text, "EMAIL")
    yield from _spans(_SPOKEN_EMAIL, text, "EMAIL")


# UK numbers: 0 or +44/0044 (optionally "(0)"), then 9 or 10 more digits with spaces, dashes or brackets.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)[ \t]?44[ \t]?(?:\(0\)[ \t]?)?\(?|\(?0)[1-9](?:[ \t\-()]{0,2}\d){8,9}(?!\d)"
)
_SPOKEN_RUN = re.compile(rf"(?i)(?<![\w+])(?:(?:\+|plus)[ \t]*)?{_SPOKEN_TOKEN}(?:[ \t,\-]+{_SPOKEN_TOKEN})+")
_RUN_TOKEN = re.compile(r"(?i)(?:(?:double|triple)[ \t-]+)?[a-z]+|\d+")
_DIGIT_WORD_RE = re.compile(r"(?i)\b(?:oh|o|zero|nought|nil|one|two|three|four|five|six|seven|eight|nine)\b")


def _find_phones(text: str) -> Iterator[PiiSpan]:
    yield from _spans(_PHONE, text, "PHONE")
    for match in _SPOKEN_RUN.finditer(text):
        run = match.group()
        if _DIGIT_WORD_RE.search(run):  # pure digit runs are the written pattern's job
            length = _spoken_phone_length(run)
            if length:
                yield PiiSpan(match.start(), match.start() + length, "PHONE")


def _spoken_phone_length(run: str) -> int:
    """Length of the longest prefix of a spoken digit run that reads as a UK phone number, or 0."""
    plus = run[:4].lower().startswith(("+", "plus"))
    digits = ""
    best = 0
    for token in _RUN_TOKEN.finditer(run):
        digits += _digits_of(token.group())
        national = "0" + digits[2:] if plus else digits
        if (plus and not "44".startswith(digits[:2])) or not national.startswith("0") or len(national) > 11:
            break
        if len(national) >= 10 and (not plus or len(digits) > 2):
            best = token.end()
    return best


_POSTCODE = re.compile(
    r"(?<![\w])(?:[A-Za-z]{1,2}\d[A-Za-z\d]?[ \t]?\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}|(?i:gir[ \t]?0aa))(?!\w)"
)


def _find_postcodes(text: str) -> Iterator[PiiSpan]:
    yield from _spans(_POSTCODE, text, "POSTCODE")


_STREET_TYPES = (
    r"road|rd|street|st|avenue|ave|lane|ln|drive|dr|close|cl|crescent|cres|court|ct|place|pl|way|gardens"
    r"|gdns|grove|gr|terrace|terr|tce|square|sq|walk|row|rise|hill|green|park|parade|pde|mews|view|gate"
    r"|vale|yard|wharf|boulevard|blvd|approach|circus|embankment|esplanade|promenade|quay|chase|croft"
    r"|meadow|meadows|mount|ridge|fields|heights|dale|glen|hollow|orchard"
)
_LETTERS = r"[^\W\d_](?:[^\W\d_]|['’\-])*"
_UNIT = r"(?i:flat|apartment|apt|unit|suite|studio|room)\.?[ \t]+\d{1,4}[A-Za-z]?[ \t]*,?[ \t]*"
_HOUSE_NUMBER = r"\d{1,4}[A-Za-z]?(?:[ \t]*[-–][ \t]*\d{1,4}[A-Za-z]?)?,?[ \t]+"
_ADDRESS_START = r"(?<![\w£$€.,:/-])"
# "12 Station Road", "Flat 3, 45 Hill St": number, one to three name words, a street type.
_ADDRESS = re.compile(
    rf"{_ADDRESS_START}(?:{_UNIT})?{_HOUSE_NUMBER}"
    rf"(?P<name>(?:{_LETTERS}[ \t]+){{1,3}})(?P<type>(?i:{_STREET_TYPES}))\b"
)
# Welsh street names put the type first: "12 Heol y Parc", "3 Maes-y-Coed", "7 Lôn y Felin".
_WELSH_ADDRESS = re.compile(
    rf"{_ADDRESS_START}(?:{_UNIT})?{_HOUSE_NUMBER}"
    r"(?=(?i:heol|stryd|ffordd|l[oô]n|rhodfa|maes|cae|clos|teras|cilgant|llys|parc|plas|allt|bryn)\b)"
)
# After an address cue the street name needs no type: "I live at 12 Southgate", "Address: 4 Greenway".
_ADDRESS_CUE = re.compile(
    r"(?i:\b(?:live[sd]?|living|stay(?:ing)?|we['’]?re|were|i['’]?m|im|it['’]?s|its|based)[ \t]+at"
    r"|\b(?:ad+re?s+|property)(?:[ \t]+is|[ \t]*:)?|\bbyw[ \t]+yn|\bcyfeiriad(?:[ \t]+yw|[ \t]*:)?)[ \t]+"
    rf"(?P<v>(?:{_UNIT})?{_HOUSE_NUMBER})"
)
_WELSH_ARTICLES = _words("y yr 'r ’r")
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


def _address_ok(match: re.Match[str]) -> bool:
    """True when the words between house number and street type read as a street name."""
    words = match.group("name").split()
    if match.group("type").lower() in _WEAK_STREET_TYPES:
        if _BIN_WORDS.match(match.string, match.end()):
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
    """End of the street name starting at ``pos`` (up to four words, Welsh articles allowed), or None."""
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
    for match in _accepted(_ADDRESS, text, _address_ok, lambda m: 0):
        yield PiiSpan(match.start(), match.end(), "ADDRESS")
    for match in _WELSH_ADDRESS.finditer(text):
        end = _street_end(text, match.end())
        if end:
            yield PiiSpan(match.start(), end, "ADDRESS")
    for match in _ADDRESS_CUE.finditer(text):
        end = _street_end(text, match.end())
        if end:
            yield PiiSpan(match.start("v"), end, "ADDRESS")


_NI_DIGITS = r"\d{2}[ \t]?\d{2}[ \t]?\d{2}"
_NI_SHAPE = rf"[A-Za-z]{{2}}[ \t]?{_NI_DIGITS}"
_NI = re.compile(rf"(?<![\w])(?P<prefix>[A-Za-z]{{2}})(?P<space>[ \t]?){_NI_DIGITS}[ \t]?[A-Da-d](?!\w)")
_NI_WORD_PREFIXES = _words("am an as at be by do go he hi if in is it me my no of oh ok on or so to up us we")


def _find_ni_numbers(text: str) -> Iterator[PiiSpan]:
    for match in _NI.finditer(text):
        if match.group("space") and match.group("prefix").lower() in _NI_WORD_PREFIXES:
            continue  # "is 12 34 56 a" is prose, not an NI number
        yield PiiSpan(match.start(), match.end(), "NI_NUMBER")


# Uncued NHS numbers: 10 digits (3-3-4 or unbroken), not part of a longer number, valid check digit.
_NHS = re.compile(r"(?<![\w£$€.,/-])(?<!\d[ -])[1-9]\d{2}([ -]?)\d{3}\1\d{4}(?![\w/])(?![ -]\d)")


def _find_nhs_numbers(text: str) -> Iterator[PiiSpan]:
    for match in _NHS.finditer(text):
        if _nhs_ok(re.sub(r"\D", "", match.group())):
            yield PiiSpan(match.start(), match.end(), "NHS_NUMBER")


_DIGIT_RUN = re.compile(r"(?<![\w£$€.,/-])\d+(?:[ -]\d+)*(?![\w/])")
_DIGIT_GROUP = re.compile(r"\d+")


def _find_cards(text: str) -> Iterator[PiiSpan]:
    for run in _DIGIT_RUN.finditer(text):
        groups = list(_DIGIT_GROUP.finditer(run.group()))
        if sum(len(g.group()) for g in groups) < 13:
            continue
        found = _card_in_groups(groups)
        if found:
            yield PiiSpan(run.start() + found[0], run.start() + found[1], "CARD_NUMBER")


def _card_in_groups(groups: list[re.Match[str]]) -> tuple[int, int] | None:
    """Longest Luhn-valid 13-19 digit block of whole groups touching the start or end of the run."""
    last = len(groups) - 1
    best: tuple[int, int] | None = None
    for i in range(len(groups)):
        for j in range(i, len(groups)):
            if i and j != last:
                continue
            digits = "".join(g.group() for g in groups[i : j + 1])
            if 13 <= len(digits) <= 19 and digits[0] != "0" and _luhn_ok(digits):
                span = (groups[i].start(), groups[j].end())
                if best is None or span[1] - span[0] > best[1] - best[0]:
                    best = span
    return best


# A dashed sort code on its own ("20-00-00"), unless it also reads as a date ("12-03-25" needs a cue).
_DASHED_SORT_CODE = re.compile(r"(?<![\w/.-])(\d{2})-(\d{2})-(\d{2})(?![\w/]|-\d)")


def _find_dashed_sort_codes(text: str) -> Iterator[PiiSpan]:
    for match in _DASHED_SORT_CODE.finditer(text):
        day, month = int(match.group(1)), int(match.group(2))
        if not (1 <= day <= 31 and 1 <= month <= 12):
            yield PiiSpan(match.start(), match.end(), "SORT_CODE")


# --------------------------------------------------------------------------------------------------
# Cued detectors: a value is personal data only near its cue ("sort code", "UPRN", "HB ref", ...).
# Forward ("account number is 12345678") and reverse ("12345678 is my account number") forms.
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _CuedRule:
    type: str
    pattern: re.Pattern[str]
    valid: Callable[[str], bool]


def _cued_rule(type_: str, cue: str, value: str, valid: Callable[[str], bool]) -> _CuedRule:
    cue = rf"(?i:\b(?:{cue}))(?!\w)"
    forward = rf"{cue}{_GAP}(?P<v>{value})(?!\w)"
    reverse = rf"(?<![\w])(?P<w>{value}){_REVERSE_LINK}{cue}"
    return _CuedRule(type_, re.compile(f"{forward}|{reverse}"), valid)


def _digit_count(low: int, high: int) -> Callable[[str], bool]:
    return lambda value: low <= len(_digits_of(value)) <= high


def _ref_ok(value: str) -> bool:
    return sum(c.isdigit() for c in value) >= 5


_REF_VALUE = r"(?:[A-Z]{1,4}[ /-]?|[A-Za-z]{1,4}[/-]?)?\d+(?:[ -]\d{3,})*[A-Za-z]{0,2}"
_T = rf"[ \t]+(?:(?:{_SPEECH})[ \t]+)?"  # between the words of a cue, allowing one speech filler
_COUNCIL_TAX = r"(?:council|counsel)[ \t]*(?:tax|tacks)(?:['’]s)?"
_CUED_RULES: tuple[_CuedRule, ...] = (
    _cued_rule(
        "COUNCIL_TAX_REF",
        rf"(?:{_COUNCIL_TAX}|ctax|c/tax|ct){_T}(?:account|acct|acc|a/c|reference|ref|number|no|id)\.?"
        rf"|account{_T}(?:reference|ref)\.?|(?:account{_T}(?:number|no|ref)|reference|ref)\.?{_T}for{_T}"
        rf"(?:my{_T})?{_COUNCIL_TAX}|reference{_T}on{_T}(?:my|the|your){_T}(?:council{_T}tax{_T})?bill"
        rf"|(?:cyfrif{_T})?treth{_T}gyngor",
        _REF_VALUE,
        _ref_ok,
    ),
    _cued_rule(
        "BENEFIT_REF",
        rf"(?:(?:housing{_T})?ben[ei]fits?|hb|universal{_T}credits?|uc|pension{_T}credit|ctrs?)"
        rf"(?:{_T}claim)?{_T}(?:reference|ref|number|no|id)\.?|claim{_T}(?:reference|ref|number|no|id)\.?"
        rf"|ctrs?|cyfeirnod{_T}y{_T}cais",
        _REF_VALUE,
        _ref_ok,
    ),
    _cued_rule(
        "UPRN",
        rf"upr+[a-z]?n?|unique{_T}property{_T}reference(?:{_T}number)?|property{_T}(?:reference|ref|id)\.?",
        rf"\d{{1,12}}(?:[ ]\d{{3,4}}){{0,3}}|{_SPOKEN}",
        _digit_count(1, 12),
    ),
    _cued_rule(
        "NHS_NUMBER",
        rf"nhs(?:{_T}(?:number|no|num))?|health{_T}(?:service{_T})?number|rhif{_T}gig|gig",
        rf"\d{{3}}[ -]?\d{{3}}[ -]?\d{{4}}|{_SPOKEN}",
        _digit_count(10, 10),
    ),
    _cued_rule(
        "NI_NUMBER",
        rf"(?:national{_T}insurance|nat{_T}ins|n\.i\.?|ni|nino|yswiriant{_T}gwladol)(?:{_T}(?:number|no|num))?",
        rf"{_NI_SHAPE}(?:[ \t]?[A-Da-d])?",
        lambda value: True,
    ),
    _cued_rule(
        "BANK_ACCOUNT",
        rf"(?:bank{_T})?(?:account|acct|acc)(?:{_T}(?:number|no|num|nr)\.?)?|a/c(?:{_T}(?:number|no)\.?)?"
        rf"|(?:rhif{_T}y{_T})?cyfrif{_T}banc",
        rf"\d{{4}}[ -]?\d{{4}}|{_SPOKEN}",
        _digit_count(8, 8),
    ),
    _cued_rule(
        "SORT_CODE",
        rf"so(?:r|ugh)t(?:{_T}|-)?codes?|s/c|cod(?:{_T}y)?{_T}didoli",
        rf"\d{{2}}[ -]?\d{{2}}[ -]?\d{{2}}|{_SPOKEN}",
        _digit_count(6, 6),
    ),
)


def _value_group(match: re.Match[str]) -> str:
    return "v" if match.group("v") is not None else "w"


def _find_cued(text: str) -> Iterator[PiiSpan]:
    for rule in _CUED_RULES:
        valid = rule.valid
        for match in _accepted(rule.pattern, text, lambda m, ok=valid: ok(m.group(_value_group(m))), _value_group):
            group = _value_group(match)
            yield PiiSpan(match.start(group), match.end(group), rule.type)


# A bare "ref: ..." is typed by its value: HB/CTR/UC prefixes are benefit claims, the rest council tax.
# References that are not personal (PCNs, orders, cases) and cues a specific rule owns are left alone.
_GENERIC_REF = re.compile(
    rf"(?i:\b(?:ref(?:erence)?(?:{_T}(?:number|no))?\.?|cyfeirnod))(?!\w){_GAP}(?P<v>{_REF_VALUE})(?!\w)"
)
_NOT_PERSONAL_REF = re.compile(
    r"(?i:\b(?:pcn|penalty|charge|notice|planning|order|invoice|case|complaint|job|report|ticket|booking|fault"
    r"|enquiry|crime|tracking|application|appointment|payment|transaction|confirmation|property|uprn|claim"
    r"|benefits?|hb|ctrs?|tax|account|nhs|ni|insurance|cais)[ \t]*)$"
)
_PCN_SHAPE = re.compile(r"[A-Za-z]{2}\d{8}")
_BENEFIT_PREFIX = re.compile(r"(?i:hb|ctr|uc|esa|dhp|pc)(?![a-z])")


def _find_generic_refs(text: str) -> Iterator[PiiSpan]:
    for match in _GENERIC_REF.finditer(text):
        value = match.group("v")
        if not _ref_ok(value) or _PCN_SHAPE.fullmatch(value):
            continue
        if _NOT_PERSONAL_REF.search(text, max(0, match.start() - 40), match.start()):
            continue
        type_ = "BENEFIT_REF" if _BENEFIT_PREFIX.match(value) else "COUNCIL_TAX_REF"
        yield PiiSpan(match.start("v"), match.end("v"), type_)


# Dates of birth: any common date form, only near a birth cue.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_ORDINAL_WORD = (
    r"(?:(?:twenty|thirty)[ \t-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
    r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth"
    r"|twentieth|thirtieth"
)
_UNIT = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TEEN = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_YEAR_WORDS = (
    rf"(?:nineteen|twenty)[ \t-](?:{_TENS}(?:[ \t-]{_UNIT})?|{_TEEN}|oh[ \t-]{_UNIT})"
    rf"|two[ \t]thousand(?:[ \t]and)?(?:[ \t](?:{_TEEN}|{_TENS}(?:[ \t-]{_UNIT})?|{_UNIT}))?"
)
_DAY = rf"(?:(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b|(?:{_ORDINAL_WORD})\b)"
_YEAR = rf"(?:(?:19|20)\d{{2}}\b|'?\d{{2}}\b|(?:{_YEAR_WORDS})\b)"
_DATE = (
    r"(?i:(?<![\w/.-])(?:"
    r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)"
    r"|\d{1,2}[ \t]\d{1,2}[ \t](?:\d{4}|\d{2})(?!\d)"
    r"|(?:19|20)\d{2}[/.\-]\d{1,2}[/.\-]\d{1,2}(?!\d)"
    r"|\d{8}(?!\d)|\d{6}(?!\d)"
    rf"|{_DAY}(?:[ \t]+of)?[ \t,]*{_MONTH}(?:,?[ \t]+{_YEAR})?"
    rf"|{_MONTH}[ \t]+(?:the[ \t]+)?{_DAY}(?:,?[ \t]+{_YEAR})?"
    rf"|{_MONTH},?[ \t]+{_YEAR}"
    r"))"
)
_BIRTH_CUE = (
    r"(?i:\b(?:born|dob|d\.o\.b\.?|d[ \t]o[ \t]b|date[ \t]+of[ \t]+birth|birth[ \t]*date|birthday"
    r"|\w*yddiad[ \t]+geni|ganwyd)(?!\w))"
)
_DOB = re.compile(
    rf"{_BIRTH_CUE}[^.!\d\[\]]{{0,25}}?(?P<v>{_DATE})"
    rf"|(?P<w>{_DATE}){_REVERSE_LINK}{_BIRTH_CUE}"
)


def _find_dobs(text: str) -> Iterator[PiiSpan]:
    for match in _DOB.finditer(text):
        group = _value_group(match)
        yield PiiSpan(match.start(group), match.end(group), "DOB")


# --------------------------------------------------------------------------------------------------
# Names: only next to a cue. Strong cues ("my name is", "name:") accept lower-case names; weak cues
# ("I'm", "Thanks,", "my son") and back cues ("Jane Smith here") need capitalised words that are not
# common words; titles (Mr, Dr) are part of the span.
# --------------------------------------------------------------------------------------------------
_TITLE = re.compile(r"(?P<title>(?i:mrs|mr|ms|mx|dr)|Miss|MISS|Prof|PROF|Sir|SIR|Dame|Lady|Lord|Revd|Rev)\.?(?=[ \t])")
_TITLE_ANYWHERE = re.compile(r"(?<!\w)" + _TITLE.pattern)
_SPEECH_FILLERS = re.compile(
    r"(?i:(?:[ \t,]*\b(?:um+|erm+|er|uh+|ah|ym|wel|you[ \t]+know|i[ \t]+mean|like|sort[ \t]+of|basically|so)\b)*)"
    r"[ \t,]*"
)
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
_NAME_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"(?i:\b(?:sur|fore|first[ \t]?|last[ \t]?)?names?(?:[ \t]+on[ \t]+(?:the|my)[ \t]+\w+)?"
            r"(?:[ \t]*[:=]|[ \t]+-|['’]s|[ \t]+(?:is|was|are))|\bmy[ \t]+names|\bfy[ \t]+enw(?:[ \t]+i)?[ \t]+yw"
            r"|\benw[ \t]*:)"
        ),
        "strong",
    ),
    (
        re.compile(
            r"(?i:\b(?:i['’]?m|i[ \t]+am|called|named|dear|hi|hello|hiya|helo|shwmae|annwyl|regarding|re:"
            r"|on[ \t]+behalf[ \t]+of|fao|attn:?|for[ \t]+the[ \t]+attention[ \t]+of|names?|enw"
            r"|(?:speak|spoke|speaking|talk|talked|talking)[ \t]+(?:to|with)|ask(?:ed)?[ \t]+for"
            rf"|my[ \t]+(?:{_FAMILY})(?:['’]s[ \t]+name[ \t]+is)?))(?=[ \t,])"
        ),
        "weak",
    ),
    (re.compile(r"(?i:\b(?:this[ \t]+is|it['’]?s|it[ \t]+is))(?=[ \t])"), "intro"),
    (
        re.compile(rf"(?i:(?<![\w-])(?:{_SIGN_OFF}))[ \t]*(?:[,.!\-][ \t]*(?:\r?\n[ \t]*)*|(?:\r?\n[ \t]*)+)"),
        "weak",
    ),
)
# "Jane Smith here", "Siân Jones speaking", "Dafydd sydd yma": the name comes before the cue.
_BACK_CUE = re.compile(
    rf"(?i:[ \t]+(?:(?:{_SPEECH})[ \t]+)?(?:here|speaking|sydd[ \t]+yma|sy['’]?[ \t]?n[ \t]+siarad))"
    r"(?![\w'’])(?![ \t]+(?:is|are|in|at)\b)"
)
_NAME_RUN_BEFORE = re.compile(r"(?:[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?[ \t]+){0,4}[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?$")
_INTRO_FOLLOW = re.compile(r"(?i:[ \t]+(?:from|speaking|calling|here|ringing|phoning)\b)")
_LOWER_TITLES = _words("mr mrs ms mx dr")
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
    title = _TITLE.match(text, pos)
    if title:
        lower_ok = title.group("title").lower() in _LOWER_TITLES
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


def _name_before(text: str, end: int) -> tuple[int, int] | None:
    """Span of the capitalised name that ends at ``end`` ("Jane Smith" in "Jane Smith here"), or None."""
    run = _NAME_RUN_BEFORE.search(text, max(0, end - 80), end)
    if not run:
        return None
    tokens = list(_NAME_TOKEN.finditer(text, run.start(), end))
    start = None
    for token in reversed(tokens):
        word = token.group(1)
        initial = len(word) == 1 and word.isupper()
        if word[0].isupper() and (word.lower() not in _COMMON_WORDS or (initial and start is not None)):
            start = token.start(1)
        elif not (word in _PARTICLES and start is not None):
            break
    return (start, end) if start is not None else None


def _find_names(text: str) -> Iterator[PiiSpan]:
    for pattern, mode in _NAME_CUES:
        for match in pattern.finditer(text):
            span = _take_name(text, match.end(), mode)
            if span:
                yield PiiSpan(span[0], span[1], "NAME")
    for match in _TITLE_ANYWHERE.finditer(text):
        span = _take_name(text, match.start(), "title")
        if span:
            yield PiiSpan(span[0], span[1], "NAME")
    for match in _BACK_CUE.finditer(text):
        span = _name_before(text, match.start())
        if span:
            yield PiiSpan(span[0], span[1], "NAME")


_DETECTORS: tuple[Detector, ...] = (
    _find_emails,
    _find_phones,
    _find_postcodes,
    _find_addresses,
    _find_ni_numbers,
    _find_nhs_numbers,
    _find_cards,
    _find_dashed_sort_codes,
    _find_cued,
    _find_generic_refs,
    _find_dobs,
    _find_names,
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
    protected = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
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
