"""The sealed state names people by a keyed pseudonym: stable across case, fixed length,
and the plain lower-cased login only when there is no key (nothing is sealed then)."""

from __future__ import annotations

import pytest

from warroom.authority import _digest, pseudonym


@pytest.mark.parametrize(
    ("key", "login", "name"),
    [
        pytest.param("", "Mara-Okafor", "mara-okafor", id="no-key-plain-lower-case-login"),
        pytest.param(
            "k", "Mara-Okafor", _digest("k", "login:mara-okafor")[:16], id="keyed-digest-of-lower"
        ),
    ],
)
def test_pseudonym(key: str, login: str, name: str) -> None:
    assert pseudonym(key, login) == name


def test_pseudonym_is_case_blind_sixteen_characters_and_hides_the_login() -> None:
    assert pseudonym("k", "MARA") == pseudonym("k", "mara")
    assert len(pseudonym("k", "mara")) == 16
    assert "mara" not in pseudonym("k", "mara")
    assert pseudonym("k", "mara") != pseudonym("other", "mara")
