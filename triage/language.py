"""Recognising Welsh-language contacts (so they reach Welsh-speaking staff or a Welsh answer)."""

from __future__ import annotations

import re

# Frequent Welsh words that are not also common English words (mutated forms included).
_WELSH_WORDS = frozenset(
 """
 yr yn ac ydw ydy ydych ydyn mae maen roedd roeddwn fydd bydd byddaf fy fyn eich ein eu dy dw dwi rwy rydw
 rwyf rydych rydyn wedi ddim gyda gan gen efo heb hefyd neu ond oherwydd achos felly pryd ble lle sut
 beth pam pwy faint oes oedd bod fod mewn yng ngh nghyngor cyngor chyngor treth dreth cyngor biniau
 casglu gasglu chasglu casgliad sbwriel ailgylchu ailgylchu gwastraff gardd ysgol ysgolion plant plentyn
 tai ty tŷ thŷ nhŷ cartref atgyweirio trwsio parcio dirwy trwydded budd-dal budd daliadau talu dalu thalu
 taliad cyfrif angen hoffwn hoffem licio eisiau isio moyn gallwch allwch gallaf alla allaf gallech
 diolch diolchaf prynhawn noswaith helo shwmae shwmai sut mae annwyl cofion gyfarch yn gywir
 heddiw ddoe yfory wythnos blwyddyn dydd llun mawrth mercher iau gwener sadwrn sul ddydd
 wnaeth wnes gwneud wneud gwnewch cael gael chael cafodd ces mynd fynd dod ddod dweud ddweud gweld weld
 rhywun rhywbeth unrhyw pawb popeth llawer ychydig iawn eto erioed byth nawr rŵan rwan wir ydi
 newydd mawr drwg gwag llawn anabl anabledd bathodyn glas cofrestru gofrestru marwolaeth
 genedigaeth priodas tystysgrif swyddfa ffurflen ar-lein gwefan ffonio ffôn rhif cyfeiriad côd
 cymraeg gymraeg saesneg siarad siaradwr cymorth helpu gymorth
 ddyled dyled fesul tipyn galla gallai fforddio tua olwyn ffwrdd mor hir cyn gyrraedd cyrraedd twll ngwaelod
 gwaelod cyfeiriad ffoniwch ysgrifennu ofyn gofyn newid colli benthyg ngherdyn cherdyn cerdyn llyfrgell
 ffenestri ffenest wlyb gwlyb bob chyddwysiad cyddwysiad agor effeithio mab merch drws nesaf cyfarth drwy
 methais methu ateb sydd yma palmant torri beryglus peryglus golau stryd gwaith gweithio arogl nwy
 ddiweddar diweddar delio materion fam mam nhad tad ngŵr gwraig ngwraig mhlant teulu cymydog
 nghymydog oedrannus rhent rhentu tenantiaeth atgyweiriad lleithder llwydni gallu allu arna arnaf
 hwn hon hyn hynny yna ynglŷn ynghylch oddi wrth rhwng trwy dros heibio ymlaen nôl wedyn eisoes
 cais gais apelio apêl cosb gosb tocyn docyn cerbyd heol ffordd lôn nhreth cynghorydd swyddog adran
 gwasanaeth gwasanaethau cwyn cwyno casglwyd gasglwyd lori bagiau blwch gwydr papur bwyd
 derbyn derbyniadau lleoedd prydau gwisg cludiant marw farw farwolaeth priodi geni cofrestrydd seremoni
 gallech allech fyddech byddech hoffech dylwn dylech dylai rhaid raid beilïaid beiliaid llythyr llythyrau
 biliau taliadau talwyd dalais talais ofnadwy diolchgar gynted phosib
 """.split()
)
_TOKEN = re.compile(r"[a-zâêîôûŵŷäëïöüẅÿáéíóúẃýï]+", re.IGNORECASE)  # apostrophes split clitics: dalu'r
_WELSH_LETTERS = re.compile(r"[ŵŷâêîôû]")
_WELSH_DIGRAPHS = re.compile(r"\b\w*(?:dd|ll|wy|ch|ff|rh)\w*\b")

MIN_WELSH_TOKENS = 2
MIN_WELSH_SHARE = 0.25


def welsh_score(text: str) -> float:
    """Share of a text's words that are distinctively Welsh (0..1)."""
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    if not tokens:
        return 0.0
    hits = sum(t in _WELSH_WORDS for t in tokens)
    return hits / len(tokens)


def is_welsh(text: str, declared: str | None = None) -> bool:
    """True for a Welsh contact: declared ``cy``, or enough distinctively Welsh words."""
    if declared is not None and declared.lower().startswith("cy"):
        return True
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    hits = sum(t in _WELSH_WORDS for t in tokens)
    if hits >= MIN_WELSH_TOKENS and hits / max(len(tokens), 1) >= MIN_WELSH_SHARE:
        return True
    return bool(_WELSH_LETTERS.search(text)) and hits >= 1
