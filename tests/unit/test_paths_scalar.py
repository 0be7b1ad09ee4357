"""Globs keep their stars: a value like ``services/*`` is a glob, not emphasis to peel."""

from __future__ import annotations

import pytest

from warroom.records.reading import _paths_scalar


@pytest.mark.parametrize(
    ("written", "read"),
    [
        pytest.param("services/*", "services/*", id="trailing-star-is-a-glob"),
        pytest.param("a*", "a*", id="word-star"),
        pytest.param("services/auth/**", "services/auth/**", id="double-star-directory"),
        pytest.param("**/*.md", "**/*.md", id="leading-double-star"),
        pytest.param("*.md", "*.md", id="leading-star"),
        pytest.param("`services/*`", "services/*", id="code-span-peeled"),
        pytest.param("**services/auth.py**", "services/auth.py", id="bold-peeled"),
        pytest.param("- services/a.py,  b.py", "services/a.py, b.py", id="bullet-and-blanks"),
        pytest.param("****", "****", id="only-stars"),
        pytest.param("**a**", "a", id="bold-one-letter"),
        pytest.param("***a***", "***a***", id="three-stars-are-no-emphasis"),
        pytest.param("*dir/*", "*dir/*", id="a-directory-glob-is-no-emphasis"),
        pytest.param("_a.py_", "a.py", id="underscores-peeled"),
        pytest.param("__a.py__", "a.py", id="double-underscores-peeled"),
        pytest.param("* a.py", "a.py", id="a-star-bullet-is-a-bullet"),
        pytest.param(" `a/*` \t", "a/*", id="blanks-and-backticks-around"),
    ],
)
def test_paths_keep_their_globs(written: str, read: str) -> None:
    assert _paths_scalar(written) == read
