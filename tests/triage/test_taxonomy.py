from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from triage.errors import TaxonomyError, UnknownTaxonomyLabelWarning
from triage.taxonomy import load_taxonomy


def test_default_taxonomy_is_a_council_contact_centre() -> None:
    taxonomy = load_taxonomy()
    routes = {intent.route for intent in taxonomy.intents}
    assert len(taxonomy.intents) >= 30
    assert routes == {"self_service", "human"}
    bins = taxonomy.get("missed_bin_collection")
    assert bins is not None and bins.route == "self_service" and bins.answer is not None
    assert bins.answer.url.startswith("https://")
    assert taxonomy.fallback_queue.name == "general_enquiries"
    assert taxonomy.safeguarding_queue.priority == "urgent"


def test_unknown_labels_get_a_queue_of_their_own_name_with_a_warning() -> None:
    taxonomy = load_taxonomy()
    with pytest.warns(UnknownTaxonomyLabelWarning, match="card_arrival"):
        covered = taxonomy.covering(["missed_bin_collection", "card_arrival"])
    added = covered.get("card_arrival")
    assert added is not None and added.route == "human" and added.queue is not None
    assert added.queue.name == "card_arrival"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert taxonomy.covering(["missed_bin_collection"]) is taxonomy


def test_fingerprint_changes_with_content() -> None:
    taxonomy = load_taxonomy()
    with pytest.warns(UnknownTaxonomyLabelWarning):
        changed = taxonomy.covering(["something_new"])
    assert taxonomy.fingerprint != changed.fingerprint


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("name: x\nversion: '1'\nfallback_queue: {name: q}\nintents: []\n", "intents"),
        (
            "name: x\nversion: '1'\nfallback_queue: {name: q}\nintents:\n"
            "  - {name: a, route: self_service, queue: {name: q}}\n",
            "needs an `answer`",
        ),
        (
            "name: x\nversion: '1'\nfallback_queue: {name: q}\nintents:\n"
            "  - {name: a, route: human, queue: {name: q}}\n  - {name: a, route: human, queue: {name: q}}\n",
            "repeated: a",
        ),
        ("name: [unclosed\n", "not valid YAML"),
        ("- just a list\n", "must be a YAML mapping"),
    ],
)
def test_invalid_taxonomies_name_the_problem(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(content)
    with pytest.raises(TaxonomyError, match=problem):
        load_taxonomy(path)


def test_missing_taxonomy_file(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="Cannot read taxonomy"):
        load_taxonomy(tmp_path / "nope.yaml")
