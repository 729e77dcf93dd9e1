"""Spotting contacts from people who may be vulnerable, so they reach a person fast.

Two parts, combined: high-precision **rules** for explicit statements (risk to life, abuse, a child or
adult at risk, ...) and a **learned model** trained on labelled contacts that catches the indirect
ways people write. Figurative look-alikes ("I'm dying to know", "kill the direct debit", "this fine is
killing me") are removed before either part looks at the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

CATEGORIES = (
    "risk_to_life",
    "domestic_abuse",
    "child_or_adult_at_risk",
    "bereavement",
    "serious_illness",
    "financial_hardship",
)
NONE = "none"

_FIGURATIVE = re.compile(
    r"\b(?:"
    r"dying (?:to|for) (?:know|see|find out|hear|get|have)|(?:i'?m|i am|we'?re) dying for"
    r"|kill(?:ing)? (?:off )?(?:the|my|this|that|a) (?:direct debit|standing order|account|subscription|payment|"
    r"application|claim|order|contract|search|engine|noise|lights?|music|weeds?|wasps?|rats?|mice|bugs?|time)"
    r"|(?:is|are|was|it'?s) killing me|kills? me (?:every|each)|killer (?:queue|wait)"
    r"|to die for|die of (?:boredom|embarrassment|shame)|bored to death|scared (?:me )?to death|sick to death"
    r"|dead ?end|deadline|dead (?:battery|bulb|light|plant|tree|hedge|leaves|easy|simple|on time)"
    r"|(?:phone|battery|car|bin lorry|street ?light|lamp) (?:has |had |is )?died"
    r"|drop[- ]dead|dead[- ]heading|over my dead body|could have killed|would kill for"
    r")",
    re.IGNORECASE,
)

_RULES: dict[str, re.Pattern[str]] = {
    "risk_to_life": re.compile(
        r"\b(?:suicid\w*|kill(?:ing)? my ?self|end (?:it all|my life|things)|take my (?:own )?life|"
        r"(?:going to|gonna|thinking about|thought about) (?:end|ending) it\b|"
        r"(?:don'?t|do not) want to (?:be here|live|go on|wake up)|better off (?:dead|without me)|"
        r"no (?:point|reason) (?:in )?(?:living|going on)|don'?t see the point in going on|"
        r"self[- ]harm\w*|cutting myself|hurt(?:ing)? myself|overdose on|tablets saved|jump (?:off|in front)|"
        r"can'?t go on (?:any ?more|like this)|not (?:be|being) here (?:any ?more|tomorrow)|"
        r"smell(?:s|ing)? (?:of )?gas|gas leak|(?:isn'?t|not|stopped) breathing|(?:has |have )?collapsed|"
        r"with a knife|burn the house|sparks coming out|"
        r"ddim eisiau bod yma|eisiau marw|arogl nwy)",
        re.IGNORECASE,
    ),
    "domestic_abuse": re.compile(
        r"\b(?:domestic (?:abuse|violence)|(?:my |the )?(?:partner|husband|wife|boyfriend|girlfriend|ex)(?: keeps)?"
        r" (?:hit|hits|beat|beats|hurt|hurts|strangled|choked|threatens|threatened|controls)(?: me| us)?|"
        r"(?:afraid|scared|frightened) (?:of|to go home to) (?:my |him|her)|fleeing (?:my |from )|"
        r"(?:afraid|scared|frightened|terrified) to go (?:back|home)\b|"
        r"(?:in|at|to) a (?:women'?s )?refuge|women'?s refuge|coercive control|controlling (?:partner|husband|ex)|"
        r"he won'?t let me (?:leave|see|have|go)|(?:he|she) (?:checks|reads|opens) my (?:phone|post|messages|emails)|"
        r"violent (?:partner|ex|husband|boyfriend)|treisgar|agor fy (?:m?h?post))",
        re.IGNORECASE,
    ),
    "child_or_adult_at_risk": re.compile(
        r"\b(?:(?:child|children|kids?|baby|toddler)(?: (?:is|are|was|were))? (?:being )?(?:hurt|abused|neglected|"
        r"beaten|left (?:on (?:their|its|his|her) own|alone|home alone))|"
        r"(?:home|left) alone (?:for days|all (?:day|night))|safeguarding concern|gets (?:hit|beaten) at home|"
        r"(?:hasn'?t|has not|haven'?t|have not) been seen (?:for|in) (?:days|a week|weeks)|"
        r"(?:being )?(?:financially )?(?:exploited|groomed)|taking (?:all )?(?:her|his) (?:money|pension)|"
        r"wander(?:s|ing)? (?:out |off )?(?:at|in the) night|crwydro|ers dyddiau)",
        re.IGNORECASE,
    ),
    "serious_illness": re.compile(
        r"\b(?:cancer|chemo(?:therapy)?|radiotherapy|terminal(?:ly ill)?|dialysis|palliative|end of life care|"
        r"motor neurone|ganser)",
        re.IGNORECASE,
    ),
    "financial_hardship": re.compile(
        r"\b(?:food ?bank|heating (?:or|and) eating|heat or eat|skip(?:ping)? meals|loan shark|"
        r"(?:sell|sold|pawn(?:ed)?) my [\w ]{1,20} to (?:pay|keep)|"
        r"no (?:gas|electric|electricity) on the meter|banc bwyd|dim arian o gwbl|fforddio rhoi'?r gwres)",
        re.IGNORECASE,
    ),
    "bereavement": re.compile(
        r"\b(?:collais fy|bu farw fy|ers i fy \w+ farw)",
        re.IGNORECASE,
    ),
}


@dataclass(frozen=True)
class SafeguardingSignal:
    """Why a contact may come from someone vulnerable."""

    category: str
    reason: str
    source: str  # "rule" or "model"
    score: float


def strip_figurative(text: str) -> str:
    """The text with figurative look-alikes removed (so "dying to know" never counts as risk)."""
    return _FIGURATIVE.sub(" ", text)


def match_rules(text: str) -> SafeguardingSignal | None:
    cleaned = strip_figurative(text)
    for category, pattern in _RULES.items():
        found = pattern.search(cleaned)
        if found:
            return SafeguardingSignal(
                category=category,
                reason=f'Safeguarding rule ({category.replace("_", " ")}): "{found.group(0).strip()}".',
                source="rule",
                score=1.0,
            )
    return None


class SafeguardingClassifier(ClassifierMixin, BaseEstimator):
    """TF-IDF + class-balanced logistic regression over the vulnerability categories plus ``none``."""

    def __init__(self, *, C: float = 5.0, max_iter: int = 2000) -> None:
        self.C = C
        self.max_iter = max_iter

    def fit(self, X: Iterable[str], y: Iterable[str]) -> SafeguardingClassifier:
        texts = [strip_figurative(t) for t in X]
        self.word_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        self.char_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2)
        features = sparse.hstack([self.word_.fit_transform(texts), self.char_.fit_transform(texts)], format="csr")
        self.logreg_ = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight="balanced")
        self.logreg_.fit(features, np.asarray(list(y)))
        self.classes_ = self.logreg_.classes_
        return self

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self)
        texts = [strip_figurative(t) for t in X]
        features = sparse.hstack([self.word_.transform(texts), self.char_.transform(texts)], format="csr")
        return self.logreg_.predict_proba(features)

    def predict(self, X: Iterable[str]) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class SafeguardingDetector:
    """Rules first; then the learned model fires when P(any vulnerability) reaches ``threshold``."""

    def __init__(self, *, classifier: SafeguardingClassifier | None = None, threshold: float = 0.5) -> None:
        self.classifier = classifier
        self.threshold = threshold

    def vulnerability_scores(self, texts: Sequence[str]) -> np.ndarray:
        """P(any vulnerability category) per text from the learned model (zeros without one)."""
        if self.classifier is None or not len(texts):
            return np.zeros(len(texts))
        proba = self.classifier.predict_proba(list(texts))
        classes = list(self.classifier.classes_)
        return 1.0 - proba[:, classes.index(NONE)] if NONE in classes else proba.max(axis=1)

    def detect(self, texts: Sequence[str]) -> list[SafeguardingSignal | None]:
        signals: list[SafeguardingSignal | None] = [match_rules(t) for t in texts]
        if self.classifier is None:
            return signals
        proba = self.classifier.predict_proba(list(texts))
        classes = np.asarray(self.classifier.classes_)
        vulnerable = self.vulnerability_scores(texts)
        categories = [c for c in classes if c != NONE]
        category_index = [list(classes).index(c) for c in categories]
        for i, signal in enumerate(signals):
            if signal is None and vulnerable[i] >= self.threshold and categories:
                best = categories[int(np.argmax(proba[i, category_index]))]
                signals[i] = SafeguardingSignal(
                    category=str(best),
                    reason=(
                        f"The wording suggests {best.replace('_', ' ')} (safeguarding model score {vulnerable[i]:.2f}, "
                        f"threshold {self.threshold:.2f})."
                    ),
                    source="model",
                    score=float(vulnerable[i]),
                )
        return signals
