from __future__ import annotations

import pytest

from triage.human_request import detect_human_request


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Can I speak to someone please", "asked_for_person"),
        ("i need a real person not a bot", "asked_for_person"),
        ("please call me back about my rent", "asked_for_person"),
        ("Human please", "asked_for_person"),
        ("I am deaf and use BSL", "cannot_use_online"),
        ("I don't have internet at home", "cannot_use_online"),
        ("my mum can't use computers, she is 90", "cannot_use_online"),
        ("I struggle to read forms because of my dyslexia", "cannot_use_online"),
    ],
)
def test_requests_for_a_person_are_found(text: str, kind: str) -> None:
    found = detect_human_request(text)
    assert found is not None and found.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "my bin was not collected on tuesday",
        "how do i pay my council tax",
        "the person next door plays loud music",
        "someone dumped a mattress in the lane",
        "can someone tell me when the tip is open",
    ],
)
def test_ordinary_contacts_are_not_requests_for_a_person(text: str) -> None:
    assert detect_human_request(text) is None
