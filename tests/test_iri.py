"""IRIs minted from any key are deterministic and always valid for the engine."""

from __future__ import annotations

import unicodedata

import pyoxigraph
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.errors import ParleyError
from graph.iri import mint, slug


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_every_key_gives_a_valid_iri_or_a_clear_error(key: str) -> None:
    try:
        iri = mint("actor", key, base_iri="https://parley.example/id/")
    except ParleyError as e:
        assert "has no letters or digits" in str(e)
        return
    pyoxigraph.NamedNode(str(iri))  # raises if the engine would refuse it
    assert iri == mint("actor", key, base_iri="https://parley.example/id/")


def test_nfc_and_nfd_are_one_identity_and_lookalikes_are_not() -> None:
    assert slug(unicodedata.normalize("NFD", "Élise")) == slug("Élise") == "élise"
    assert slug("\u0410lice") != slug("Alice")  # a Cyrillic А
    assert slug("Ali\u200bce") != slug("Alice")  # a zero-width space


@pytest.mark.parametrize("name, expected", [
    ('Steve "Whitkoff" <x> {y} \\ z\nw', "steve-whitkoff-x-y-z-w"),
    ("Уиткофф", "уиткофф"),
    ("دونالد ترامب", "دونالد-ترامب"),
])
def test_slugs_of_awkward_names(name: str, expected: str) -> None:
    assert slug(name) == expected
