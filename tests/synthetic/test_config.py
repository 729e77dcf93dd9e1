"""Generator settings are validated with messages that say what is allowed."""

from __future__ import annotations

import pytest

from synthetic.config import GeneratorConfig
from triage.errors import DataError


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pii_share": 1.5}, r"between 0 and 1; got pii_share=1.5"),
        ({"typo_rate": -0.1}, r"typo_rate=-0.1"),
        ({"channel_mix": {"fax": 1.0}}, r"Unknown channel\(s\) fax.*allowed: web, email, chat, phone"),
        ({"channel_mix": {"web": 2.0}}, r"channel_mix shares"),
        (
            {"intent_weights": {"parking_fines": 1.0}},
            r"Unknown intent\(s\).*parking_fines.*allowed:.*parking_fine_appeal",
        ),
        ({"intent_weights": {"parking_permit": 0.0}}, r"not all zero"),
        ({"welsh_share": "lots"}, r"Invalid generator config: welsh_share"),
        ({"colour": "blue"}, r"Allowed fields: pii_share"),
    ],
)
def test_invalid_settings_raise_data_error(changes: dict, message: str) -> None:
    with pytest.raises(DataError, match=message):
        GeneratorConfig(**changes)


def test_emerging_intents_are_accepted_as_weights() -> None:
    config = GeneratorConfig(intent_weights={"emerging_energy_grant": 1.0, "parking_permit": 1.0})
    assert config.intent_weights == {"emerging_energy_grant": 1.0, "parking_permit": 1.0}
