from __future__ import annotations

import pytest

from triage.language import is_welsh


@pytest.mark.parametrize(
    "text",
    [
        "Mae fy min heb ei gasglu ddydd Mawrth",
        "Sut ydw i'n talu fy nhreth gyngor?",
        "Helo, hoffwn i wybod pryd mae casgliad biniau",
        "Diolch yn fawr am eich help",
        "dw i isio siarad efo rhywun am y dreth",
    ],
)
def test_welsh_contacts_are_recognised(text: str) -> None:
    assert is_welsh(text)


@pytest.mark.parametrize(
    "text",
    [
        "my bin was not collected",
        "I live in Llanelli and my bin was missed",
        "how do i pay council tax in Ynys Mon",
        "pothole on Heol y Frenhines near the school",
    ],
)
def test_english_contacts_with_welsh_place_names_are_not_welsh(text: str) -> None:
    assert not is_welsh(text)


def test_a_declared_language_wins() -> None:
    assert is_welsh("bin", declared="cy")
