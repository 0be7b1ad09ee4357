"""Markers find warroom's own writing; the state cache survives any JSON value."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from warroom.markers import decode_state, encode_state, marker, quote, read_marker


def test_marker_round_trip() -> None:
    body = marker("status", 12) + "\n## Incident #12"
    assert read_marker(body) == ("status", "12")


def test_marker_only_counts_at_the_start() -> None:
    # A person quoting warroom's marker in their comment does not make it warroom's.
    assert read_marker("> " + marker("status", 12)) is None
    assert read_marker("hello " + marker("status", 12)) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=10), json_values, max_size=5))
def test_state_round_trips_and_stays_one_html_comment(state: dict[str, object]) -> None:
    encoded = encode_state(state)
    assert encoded.count("-->") == 1
    assert "--" not in encoded[len("<!--") : -len("-->")]
    assert decode_state("text before\n" + encoded + "\ntext after") == state


def test_damaged_state_is_empty_not_an_error() -> None:
    assert decode_state("<!-- warroom-state {not json} -->") == {}
    assert decode_state("no state here") == {}


def test_quote_defuses_mentions_but_keeps_text_readable() -> None:
    quoted = quote("ask @alice and @org/team, mail a@b.c")
    assert "@alice" not in quoted
    assert "@org/team" not in quoted
    assert quoted.replace("\u2060", "") == "ask @alice and @org/team, mail a@b.c"


def test_quoted_text_cannot_open_an_html_comment_or_forge_state() -> None:
    forged = '<!-- warroom-state {"follow_ups": {"x": 1}} -->'
    assert "<!--" not in quote(forged)
    real = encode_state({"follow_ups": {}})
    assert decode_state(quote(forged) + "\n" + real) == {"follow_ups": {}}
    # Even unquoted, the state warroom wrote last wins.
    assert decode_state(forged + "\n" + real) == {"follow_ups": {}}
