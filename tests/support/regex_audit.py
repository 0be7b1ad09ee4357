"""A static check that a regular expression cannot backtrack super-linearly on runs of a character.

warroom reads untrusted comment and issue bodies of up to 65,536 characters,
so the house rule is that every parser path is linear: no two unbounded
quantifiers that can match the same characters may be adjacent or nested.
Timing a pattern cannot prove that (the bad input may not be the one tried),
so this module reads the pattern's parse tree (``re._parser``) and reports
each place where a run of one character could be split between two unbounded
repeats in more than one way. That is the shape of the classic ReDoS
(``\\s*\\s*x``, ``(a+)+``, ``a[ \\t]*(b)?[ \\t]*:``), and the shape of the three
start-line patterns that took 5 s on ``"Status" + 2000 spaces``.

What it models:

* a repeat is *unbounded* when its maximum is unlimited (``*``, ``+``, ``{n,}``);
* two unbounded repeats are *adjacent* when a run of some character ``c`` can
  reach from the first to the second through items that may match nothing or
  that match ``c``; a literal, a bounded repeat or a lookbehind that rules
  ``c`` out separates them;
* a repeat is *nested* when its body, read twice in a row the way the loop
  reads it, holds such a pair (``(a+)+``); and a branch under an unbounded
  repeat must not offer two alternatives that start with the same character
  (``(a|ab)*``);
* a possessive repeat (``*+``) or an atomic group (``(?>...)``) gives nothing
  back, so what it matched never pairs with what follows (what came before it
  still pairs with it);
* ``search`` (and ``findall``, ``finditer``, ``sub``, ``split``) restarts at
  every position, which acts like an unbounded repeat over every character in
  front of the pattern: a searched ``\\s*`` followed by something that can fail
  is quadratic on a run of spaces. ``\\A``, ``^`` (which under ``re.M`` allows
  restarts only after ``\\n``) and a negative lookbehind such as ``(?<!\\s)``
  rule restarts out;
* a pair whose second repeat is followed only by things that cannot fail (the
  end of a pattern that is not full-matched) never backtracks, so it is not
  reported; ``fullmatch`` ends with an ``\\Z`` that can fail;
* a searched pattern must not hold an unbounded repeat that can run over the
  places where the same pattern would start again (``<!--(.*?)-->`` on many
  unclosed ``<!--``): each start would rescan the rest of the text. A place
  counts when the repeat can take both the character a match starts with and
  the one before it (``^`` under ``re.M`` needs a ``\\n`` there, a negative
  lookbehind rules its characters out).

Character sets are compared over a sample alphabet (ASCII and Latin, the
Unicode spaces and general punctuation, fullwidth forms), computed by the
``re`` engine itself so flags such as ``re.I`` are honoured. Periods longer
than one character (``(ab)*(ab)*``) and overlaps only outside the sample are
not seen: the check is a floor, not a proof, which is why ``make bench`` also
times the hostile bodies.
"""

from __future__ import annotations

import re
import re._compiler as sre_compile
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

Mode = Literal["match", "fullmatch", "search"]
MODES: tuple[Mode, ...] = ("match", "fullmatch", "search")
SEARCHING = frozenset({"search", "findall", "finditer", "sub", "subn", "split"})
"""``Pattern`` methods (and ``re`` functions) that try the pattern at every position."""

Item = tuple[Any, Any]
Kind = Literal["adjacent", "nested", "branch", "restart"]

_ALPHABET: tuple[str, ...] = tuple(
    chr(c)
    for c in (
        *range(0x0000, 0x0250),
        *range(0x0660, 0x066A),
        0x1680,
        *range(0x2000, 0x2070),
        0x212A,
        0x3000,
        0xFEFF,
        *range(0xFF01, 0xFF5F),
    )
)
_ALL = frozenset(_ALPHABET)
_NEWLINE = frozenset("\n")
_SINGLE = {sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}


@dataclass(frozen=True)
class Problem:
    """One ambiguous place in a pattern, in words."""

    kind: Kind
    message: str


@dataclass(eq=False)
class _Repeat:
    """One unbounded repeat met during a walk (compared by identity: a body is walked twice)."""

    name: str
    restart: bool = field(default=False)


Live = dict[_Repeat, frozenset[str]]
"""Unbounded repeats that a run of characters can still extend from, with those characters."""


def _describe(chars: frozenset[str]) -> str:
    if chars == _ALL:
        return "any character"
    shown = "".join(sorted(chars)[:8])
    return repr(shown) + (f" and {len(chars) - 8} more" if len(chars) > 8 else "")


@cache
def _single(op: Any, av: Any, flags: int) -> frozenset[str]:
    """The characters one single-character item matches, as the engine decides it."""
    data = [(op, list(av) if op is sre.IN else av)]
    one = sre_compile.compile(sre_parse.SubPattern(sre_parse.State(), data), flags & ~re.VERBOSE)
    return frozenset(c for c in _ALPHABET if one.fullmatch(c))


def _chars(item: Item, flags: int) -> frozenset[str]:
    op, av = item
    return _single(op, tuple(av) if op is sre.IN else av, flags)


def _narrow(live: Live, chars: frozenset[str]) -> Live:
    return {repeat: shared & chars for repeat, shared in live.items() if shared & chars}


def _merge(*lives: Live) -> Live:
    merged: Live = {}
    for live in lives:
        for repeat, chars in live.items():
            merged[repeat] = merged.get(repeat, frozenset()) | chars
    return merged


class _Auditor:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.groups: dict[int, tuple[frozenset[str], bool]] = {}
        self.kind: Kind = "adjacent"

    def report(self, kind: Kind, message: str) -> None:
        problem = Problem(kind, message)
        if problem not in self.problems:
            self.problems.append(problem)

    # -- what a piece of pattern can match ----------------------------------------------------

    def runs(self, items: Sequence[Item], flags: int) -> tuple[frozenset[str], bool]:
        """(characters ``c`` the items can match a run of, whether they can match nothing)."""
        required: frozenset[str] | None = None
        optional: frozenset[str] = frozenset()
        for item in items:
            chars, nullable = self.item_runs(item, flags)
            if nullable:
                optional |= chars
            else:
                required = chars if required is None else required & chars
        return (optional, True) if required is None else (required, False)

    def item_runs(self, item: Item, flags: int) -> tuple[frozenset[str], bool]:
        op, av = item
        if op in _SINGLE:
            return _chars(item, flags), False
        if op in _REPEATS:
            chars, nullable = self.runs(av[2], flags)
            return chars, nullable or av[0] == 0
        if op is sre.SUBPATTERN:
            return self.runs(av[3], (flags | av[1]) & ~av[2])
        if op is sre.ATOMIC_GROUP:
            return self.runs(av, flags)
        if op is sre.BRANCH:
            results = [self.runs(alt, flags) for alt in av[1]]
            return frozenset().union(*(r[0] for r in results)), any(r[1] for r in results)
        if op is sre.GROUPREF:
            return self.groups.get(av, (_ALL, True))
        if op is sre.GROUPREF_EXISTS:
            yes, no = self.runs(av[1], flags), self.runs(av[2] or [], flags)
            return yes[0] | no[0], yes[1] or no[1]
        return frozenset(), True  # zero width

    def firsts(self, items: Sequence[Item], flags: int) -> frozenset[str]:
        """The characters a match of ``items`` can start with."""
        first: frozenset[str] = frozenset()
        for item in items:
            op, av = item
            if op in _SINGLE:
                return first | _chars(item, flags)
            if op in _ZERO_WIDTH:
                continue
            if op in _REPEATS:
                first |= self.firsts(av[2], flags)
            elif op is sre.SUBPATTERN:
                first |= self.firsts(av[3], (flags | av[1]) & ~av[2])
            elif op is sre.ATOMIC_GROUP:
                first |= self.firsts(av, flags)
            elif op is sre.BRANCH:
                first = first.union(*(self.firsts(alt, flags) for alt in av[1]))
            else:
                return _ALL  # a back-reference: anything
            if not self.item_runs(item, flags)[1]:
                return first
        return first

    def elastic(self, items: Sequence[Item], flags: int) -> frozenset[str]:
        """Characters ``c`` such that ``items`` can match runs of ``c`` of two different lengths.

        A loop over such a body can cut one run into iterations in many ways
        (``(a+)+``, ``(?:aa?)*``): exponential, whatever follows.
        """
        found: frozenset[str] = frozenset()
        for item in items:
            op, av = item
            if op in _REPEATS:
                if op is not sre.POSSESSIVE_REPEAT:
                    found |= self.elastic(av[2], flags)
                    if av[0] != av[1]:
                        found |= self.runs(av[2], flags)[0]
            elif op is sre.SUBPATTERN:
                found |= self.elastic(av[3], (flags | av[1]) & ~av[2])
            elif op is sre.BRANCH:
                results = [self.runs(alt, flags) for alt in av[1]]
                for index, (chars, nullable) in enumerate(results):
                    found |= self.elastic(av[1][index], flags)
                    for other, other_nullable in results[index + 1 :]:
                        found |= chars & other
                        found |= (chars if other_nullable else frozenset()) | (
                            other if nullable else frozenset()
                        )
            elif op is sre.GROUPREF_EXISTS:
                found |= self.elastic(av[1], flags) | self.elastic(av[2] or [], flags)
                found |= self.runs(av[1], flags)[0] ^ self.runs(av[2] or [], flags)[0]
        return found & self.runs(items, flags)[0]

    def fail_free(self, item: Item) -> bool:
        """Whether ``item`` always matches (at worst the empty string), whatever the text."""
        op, av = item
        if op in _REPEATS:
            return av[0] == 0 or all(self.fail_free(i) for i in av[2])
        if op is sre.SUBPATTERN:
            return all(self.fail_free(i) for i in av[3])
        if op is sre.ATOMIC_GROUP:
            return all(self.fail_free(i) for i in av)
        if op is sre.BRANCH:
            return any(all(self.fail_free(i) for i in alt) for alt in av[1])
        return False

    # -- the walk -------------------------------------------------------------------------------

    def walk(
        self, items: Sequence[Item], live: Live, flags: int, *, tail: bool, looping: bool
    ) -> Live:
        """Carry ``live`` through ``items``, reporting each pair; return what is still live.

        ``tail`` says nothing after ``items`` can fail; ``looping`` that they are the
        body of an unbounded repeat.
        """
        safe = [tail] * len(items)
        for index in range(len(items) - 2, -1, -1):
            safe[index] = safe[index + 1] and self.fail_free(items[index + 1])
        for index, item in enumerate(items):
            live = self.step(item, live, flags, tail=safe[index], looping=looping)
        return live

    def step(self, item: Item, live: Live, flags: int, *, tail: bool, looping: bool) -> Live:
        op, av = item
        if op in _SINGLE:
            return _narrow(live, _chars(item, flags))
        if op is sre.AT:
            if av is sre.AT_BEGINNING_STRING or (av is sre.AT_BEGINNING and not flags & re.M):
                return {}
            return _narrow(live, _NEWLINE) if av is sre.AT_BEGINNING else live
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            direction, body = av
            self.walk(body, {}, flags, tail=False, looping=False)
            if direction < 0 and len(body) == 1 and body[0][0] in _SINGLE:
                chars = _chars(body[0], flags)
                if op is sre.ASSERT:
                    return _narrow(live, chars)
                return {repeat: shared - chars for repeat, shared in live.items() if shared - chars}
            return live
        if op is sre.SUBPATTERN:
            group, add, delete, body = av
            inner = (flags | add) & ~delete
            out = self.walk(body, live, inner, tail=tail, looping=looping)
            if group is not None:
                self.groups[group] = self.runs(body, inner)
            return out
        if op is sre.ATOMIC_GROUP:
            out = self.walk(av, live, flags, tail=tail, looping=looping)
            return {repeat: chars for repeat, chars in out.items() if repeat in live}
        if op is sre.BRANCH:
            if looping:
                self.check_branch(av[1], flags)
            return _merge(
                *(self.walk(alt, live, flags, tail=tail, looping=looping) for alt in av[1])
            )
        if op is sre.GROUPREF:
            chars, nullable = self.groups.get(av, (_ALL, True))
            return live if nullable else _narrow(live, chars)
        if op is sre.GROUPREF_EXISTS:
            _, yes, no = av
            return _merge(
                self.walk(yes, live, flags, tail=tail, looping=looping),
                self.walk(no or [], live, flags, tail=tail, looping=looping),
            )
        if op in _REPEATS:
            return self.repeat(op, av, live, flags, tail=tail, looping=looping)
        raise ValueError(f"unexpected regex node {op}")

    def repeat(
        self, op: Any, av: Any, live: Live, flags: int, *, tail: bool, looping: bool
    ) -> Live:
        low, high, body = av
        if high != sre.MAXREPEAT:
            if len(body) == 1 and body[0][0] in _SINGLE:
                # [ \t]{0,3}: passes a run of its own characters; may also match nothing.
                return live if low == 0 else _narrow(live, _chars(body[0], flags))
            out = self.walk(body, live, flags, tail=False, looping=looping)
            if high > 1:
                out = _merge(out, self.walk(body, out, flags, tail=False, looping=looping))
            return _merge(out, live) if low == 0 else out
        chars, _ = self.runs(body, flags)
        quantifier = "*" if low == 0 else "+" if low == 1 else f"{{{low},}}"
        me = _Repeat(f"({_describe(chars)}){quantifier}")
        if not tail:
            for other, shared in live.items():
                if shared & chars:
                    where = "the search's restarts" if other.restart else other.name
                    self.report(
                        self.kind,
                        f"{me.name} can take over a run of {_describe(shared & chars)} from "
                        f"{where}: the run can be split between them in many ways",
                    )
        stretchy = self.elastic(body, flags) if op is not sre.POSSESSIVE_REPEAT else frozenset()
        if stretchy:
            self.report(
                "nested",
                f"{me.name} repeats a body that can match runs of {_describe(stretchy)} of "
                "different lengths: a run can be cut into iterations in many ways",
            )
        # The body read twice, as the loop reads it: pairs across iterations are nesting.
        outer_kind, self.kind = self.kind, "nested"
        self.walk(
            body,
            self.walk(body, {}, flags, tail=False, looping=True),
            flags,
            tail=False,
            looping=True,
        )
        self.kind = outer_kind
        through = self.walk(body, live, flags, tail=False, looping=True)
        out = _merge(through, live) if low == 0 else through
        if op is sre.POSSESSIVE_REPEAT:
            return {repeat: shared for repeat, shared in out.items() if repeat in live}
        out[me] = chars
        return out

    def consumable(self, items: Sequence[Item], flags: int) -> frozenset[str]:
        """Every character ``items`` can take, wherever in them (lookarounds take none)."""
        found: frozenset[str] = frozenset()
        for item in items:
            op, av = item
            if op in _SINGLE:
                found |= _chars(item, flags)
            elif op in _REPEATS:
                found |= self.consumable(av[2], flags)
            elif op is sre.SUBPATTERN:
                found |= self.consumable(av[3], (flags | av[1]) & ~av[2])
            elif op is sre.ATOMIC_GROUP:
                found |= self.consumable(av, flags)
            elif op is sre.BRANCH:
                found = found.union(*(self.consumable(alt, flags) for alt in av[1]))
            elif op is sre.GROUPREF_EXISTS:
                found |= self.consumable(av[1], flags) | self.consumable(av[2] or [], flags)
            elif op is sre.GROUPREF:
                found |= self.groups.get(av, (_ALL, True))[0]
        return found

    def restart_guard(self, items: Sequence[Item], flags: int) -> frozenset[str]:
        """The characters that may stand just before a place where ``items`` start a match."""
        allowed = _ALL
        for item in items:
            op, av = item
            if op is sre.AT:
                if av is sre.AT_BEGINNING_STRING or (av is sre.AT_BEGINNING and not flags & re.M):
                    return frozenset()
                if av is sre.AT_BEGINNING:
                    allowed &= _NEWLINE
                continue
            if op in (sre.ASSERT, sre.ASSERT_NOT):
                direction, body = av
                if direction < 0 and len(body) == 1 and body[0][0] in _SINGLE:
                    chars = _chars(body[0], flags)
                    allowed = allowed - chars if op is sre.ASSERT_NOT else allowed & chars
                continue
            break
        return allowed

    def unbounded(
        self,
        items: Sequence[Item],
        flags: int,
        required: frozenset[str],
        tail: bool,
        found: list[tuple[str, frozenset[str], frozenset[str], bool]],
    ) -> frozenset[str]:
        """Collect (name, what it takes, characters required before it, at the tail) per
        unbounded repeat in ``items``; return the characters required once past them."""
        safe = [tail] * len(items)
        for index in range(len(items) - 2, -1, -1):
            safe[index] = safe[index + 1] and self.fail_free(items[index + 1])
        for index, item in enumerate(items):
            op, av = item
            if op in _SINGLE:
                required = required | _chars(item, flags)
            elif op in _REPEATS:
                low, high, body = av
                if high == sre.MAXREPEAT:
                    chars, _ = self.runs(body, flags)
                    takes = self.consumable(body, flags)
                    found.append((f"({_describe(chars)})*", takes, required, safe[index]))
                inner = self.unbounded(body, flags, required, False, found)
                required = inner if low > 0 else required
            elif op is sre.SUBPATTERN:
                inner_flags = (flags | av[1]) & ~av[2]
                required = self.unbounded(av[3], inner_flags, required, safe[index], found)
            elif op is sre.ATOMIC_GROUP:
                required = self.unbounded(av, flags, required, safe[index], found)
            elif op is sre.BRANCH:
                paths = [self.unbounded(alt, flags, required, safe[index], found) for alt in av[1]]
                required = frozenset.intersection(*paths)
        return required

    def check_restarts(self, items: Sequence[Item], flags: int) -> None:
        """A searched pattern: no repeat may run over the places the same pattern restarts.

        Only a restart that can reach the same repeat again costs a rescan, so the
        characters required before the repeat must be ones it takes, as must the
        character before the restart and the one a match starts with.
        """
        alternatives = items[0][1][1] if len(items) == 1 and items[0][0] is sre.BRANCH else [items]
        for alternative in alternatives:
            before = self.restart_guard(alternative, flags)
            first = self.firsts(alternative, flags)
            found: list[tuple[str, frozenset[str], frozenset[str], bool]] = []
            self.unbounded(alternative, flags, frozenset(), True, found)
            for name, takes, required, tail in found:
                if not tail and required <= takes and takes & before and takes & first:
                    self.report(
                        "restart",
                        f"{name} can run over a place where the search starts the pattern "
                        f"again (it takes {_describe(takes & first)}, which a match starts "
                        "with): each start rescans the rest of the text",
                    )

    def check_branch(self, alternatives: Sequence[Any], flags: int) -> None:
        firsts = [self.firsts(alt, flags) for alt in alternatives]
        for index, first in enumerate(firsts):
            for later in firsts[index + 1 :]:
                if first & later:
                    self.report(
                        "branch",
                        "two alternatives under an unbounded repeat can both start with "
                        f"{_describe(first & later)}: each iteration may be tried both ways",
                    )


def audit(pattern: str | re.Pattern[str], mode: Mode = "search", flags: int = 0) -> list[Problem]:
    """Every ambiguous place in ``pattern`` used with ``mode``; an empty list means linear."""
    if isinstance(pattern, re.Pattern):
        flags |= pattern.flags
        pattern = pattern.pattern
    parsed = sre_parse.parse(pattern, flags)
    auditor = _Auditor()
    live: Live = {_Repeat("restart", restart=True): _ALL} if mode == "search" else {}
    auditor.walk(list(parsed), live, parsed.state.flags, tail=mode != "fullmatch", looping=False)
    if mode == "search":
        auditor.check_restarts(list(parsed), parsed.state.flags)
    return auditor.problems


# -- finding every pattern a module uses ------------------------------------------------------

_RE_FUNCTIONS = {
    "compile",
    "match",
    "fullmatch",
    "search",
    "findall",
    "finditer",
    "sub",
    "subn",
    "split",
}
_FLAGS_AT = {"compile": 1, "sub": 4, "subn": 4, "split": 3}
"""Positional index of ``flags`` in each ``re`` function (2 for the rest)."""


@dataclass(frozen=True)
class Site:
    """One pattern in a module's source, with the ways the module uses it."""

    where: str
    """``module:NAME`` for a module-level pattern, ``module:LINE (function)`` for one inline."""
    pattern: re.Pattern[str] | None
    """``None`` when the source builds it from a function's arguments (see ``dynamic``)."""
    modes: tuple[Mode, ...]


def _mode(method: str) -> Mode | None:
    if method in SEARCHING:
        return "search"
    return method if method in ("match", "fullmatch") else None  # type: ignore[return-value]


def pattern_sites(module: Any) -> list[Site]:
    """Every regular expression ``module`` compiles or passes to ``re``, found in its source.

    Module-level patterns are audited in the modes the module calls them with
    (all modes when the name is public or used any other way); an inline
    ``re.search(r"...", text)`` in the mode of its function. A pattern built
    from a function's arguments cannot be read statically: its site comes back
    with ``pattern=None`` so the caller supplies samples.
    """
    import ast
    from pathlib import Path

    source = Path(module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    name = module.__name__
    namespace = vars(module)
    top_level = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    globals_ = {
        key: value
        for key, value in namespace.items()
        if isinstance(value, re.Pattern) and key in top_level
    }
    uses: dict[str, set[Mode]] = {key: set() for key in globals_}
    sites: list[Site] = []
    enclosing: dict[ast.AST, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                enclosing.setdefault(inner, node.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in uses and isinstance(node.ctx, ast.Load):
            parent = getattr(node, "_parent", None)
            mode = _mode(parent.attr) if isinstance(parent, ast.Attribute) else None
            if mode is None:
                uses[node.id].update(MODES)
            else:
                uses[node.id].add(mode)
        for child in ast.iter_child_nodes(node):
            child._parent = node  # type: ignore[attr-defined]
    for key, pattern in globals_.items():
        modes = set(MODES) if not key.startswith("_") else uses[key]
        sites.append(Site(f"{name}:{key}", pattern, tuple(m for m in MODES if m in modes)))
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in _RE_FUNCTIONS
            and node.args
        ):
            continue
        function = node.func.attr
        parent = getattr(node, "_parent", None)
        if function == "compile" and node not in enclosing:
            continue  # a module-level pattern, audited above by its name
        where = f"{name}:{node.lineno} ({enclosing.get(node, 'module')})"
        flag_node = next((k.value for k in node.keywords if k.arg == "flags"), None)
        index = _FLAGS_AT.get(function, 2)
        if flag_node is None and len(node.args) > index:
            flag_node = node.args[index]
        try:
            text = eval(compile(ast.Expression(node.args[0]), where, "eval"), dict(namespace))
            flags = (
                eval(compile(ast.Expression(flag_node), where, "eval"), dict(namespace))
                if flag_node is not None
                else 0
            )
        except NameError:  # built from a function's arguments
            sites.append(Site(where, None, MODES))
            continue
        mode = _mode(function)
        if function == "compile":
            modes: tuple[Mode, ...] = MODES
            if isinstance(parent, ast.Attribute) and _mode(parent.attr):
                modes = (_mode(parent.attr),)  # type: ignore[assignment]
        else:
            modes = (mode,) if mode else MODES
        sites.append(Site(where, re.compile(text, flags), modes))
    return sites
