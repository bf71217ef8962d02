"""Find regexes that can backtrack catastrophically, before a pack is ever run.

A backtracking engine (the ``regex`` module is one) tries every way a pattern
can match a text before it gives up, so a pattern that can match the same text
in many ways turns one hostile log line into minutes of CPU. ``find_redos``
reads a pattern's structure and reports the classic shapes:

- a repeated group whose inner quantifier can take characters of the next
  repetition, such as ``(a+)+``, ``(a*)*``, ``(\\w+\\s?)+`` or ``(.*a){12}``:
  exponentially many splits (``quantified-dot-star`` when the inner one is ``.*``);
- a repeated alternation whose branches can read the same text in two ways,
  such as ``(a|a)+``, ``(\\w|\\d)+`` or ``(\\r\\n|\\n|\\r)+`` (``\\r\\n`` is one
  branch or two): exponentially many combinations. ``(a|ab)*`` is not reported:
  a ``b`` never starts a repetition, so each text reads one way;
- adjacent quantifiers over the same characters followed by something that can
  fail, such as ``\\s*\\s*$`` or ``.*.*=.*``: polynomial of degree three or more
  (a search that may start anywhere adds one degree).

Quadratic shapes (``.*=``, ``\\s+$``) are common, harmless on log lines and not
reported; possessive quantifiers and atomic groups never backtrack and are
safe. Subjects are taken to be single lines: ``.`` absorbs every character of
one, so ``(.*?)\\s*$`` cannot be forced to fail. It is still quadratic on a long
run of spaces (each lazy step reads the run again), which ``find_quadratic``
reports apart, for ``lint`` to warn about (``lazy-overlap``): the load accepts it.

``sre_parse`` is not used for the structure: it folds one-character
alternatives into a set (``(\\w|\\d)`` becomes ``[\\w\\d]``), factors common
prefixes out of alternatives (``(a|a)`` becomes ``a(?:|)``) and keeps no
positions, which erases the very shapes looked for and the place to report.
The small parser here keeps both; the characters a class or escape matches
are asked of the ``regex`` module itself, so ``\\p{..}``, POSIX classes and
flags mean what they mean at run time. A construct it does not model
(backreferences, recursion, conditionals, fuzzy matching, version-1 sets)
makes it report nothing rather than guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import regex

Shape = Literal[
    "nested-quantifier",
    "quantified-dot-star",
    "overlapping-alternation",
    "overlapping-adjacent",
    "lazy-overlap",
]

#: What each shape is called in messages.
SHAPE_NAMES: dict[str, str] = {
    "nested-quantifier": "nested quantifier",
    "quantified-dot-star": "quantified group containing .*",
    "overlapping-alternation": "quantified overlapping alternation",
    "overlapping-adjacent": "overlapping adjacent quantifiers",
    "lazy-overlap": "lazy quantifier before an overlapping one",
}


@dataclass(frozen=True, slots=True)
class RedosIssue:
    """One place where a pattern can backtrack catastrophically.

    ``position`` is the offset in the pattern where ``subpattern`` starts.
    """

    position: int
    subpattern: str
    shape: Shape
    explanation: str

    def __str__(self) -> str:
        return (
            f"at position {self.position}: {SHAPE_NAMES[self.shape]} `{self.subpattern}`:"
            f" {self.explanation}"
        )


#: Repetitions counted as "many": a bounded repeat of an ambiguous body costs about
#: n to the power of its count, so from three on it is at least cubic.
MANY = 3
#: A bounded quantifier whose length may vary this much counts as unbounded.
WIDE = 32
_MAX_DEPTH = 200

# Characters each class is tried on: Latin-1, and stand-ins for the rest of Unicode
# (letters, digits, spaces, format characters, case-folding oddities, an emoji).
_BASE = [chr(c) for c in range(256)] + list(
    "\u0100\u0130\u017f\u212a\u0660\u0966\u1680\u2000\u2028\u3000"
    "\u200b\u200c\u4e2d\u03b1\u0416\ufeff\ufffd\U0001f600"
)


class _Unsupported(Exception):
    """A construct the analysis does not model: report nothing for the pattern."""


_I, _S, _A, _U, _F, _X, _M = (
    regex.IGNORECASE,
    regex.DOTALL,
    regex.ASCII,
    regex.UNICODE,
    regex.FULLCASE,
    regex.VERBOSE,
    regex.MULTILINE,
)
#: Inline flags the analysis understands; others (reverse, fuzzy, version 1, POSIX
#: matching, recursion such as ``(?R)``) make it report nothing.
_FLAG_LETTERS = {"i": _I, "s": _S, "a": _A, "u": _U, "f": _F, "x": _X, "m": _M, "L": 0, "w": 0}


@dataclass(eq=False)
class _Node:
    """A parsed piece of the pattern with the facts the checks need.

    ``kind``: ``char`` (one character of ``mask``), ``seq``, ``alt``, ``repeat``,
    ``group`` (a plain or capturing group), ``atomic``, ``look`` (a lookaround)
    or ``assert`` (zero-width: ``anchor`` is ``start``, ``end`` or ``other``).
    Masks are bit sets over the sample alphabet.
    """

    kind: str
    start: int
    end: int
    items: tuple[_Node, ...] = ()
    mask: int = 0
    lo: int = 1
    hi: int | None = 1
    possessive: bool = False
    anchor: str = ""
    empty_ok: bool = False
    first: int = 0
    last: int = 0
    chars: int = 0
    minlen: int = 0
    maxlen: int | None = 0
    lazy: bool = False


def _seq_facts(node: _Node) -> None:
    items = node.items
    node.empty_ok = all(i.empty_ok for i in items)
    node.chars = _union(i.chars for i in items)
    node.minlen = sum(i.minlen for i in items)
    lengths = [i.maxlen for i in items]
    node.maxlen = None if None in lengths else sum(n or 0 for n in lengths)
    node.first = _edge(items, "first")
    node.last = _edge(tuple(reversed(items)), "last")


def _edge(items: tuple[_Node, ...], side: str) -> int:
    """Characters that can begin (or end) a match of ``items`` in this order."""
    out = 0
    for item in items:
        out |= getattr(item, side)
        if item.minlen > 0:
            break
    return out


def _union(masks: Iterable[int]) -> int:
    out = 0
    for m in masks:
        out |= m
    return out


def _make(
    kind: str,
    start: int,
    end: int,
    items: tuple[_Node, ...] = (),
    *,
    mask: int = 0,
    lo: int = 1,
    hi: int | None = 1,
    possessive: bool = False,
    anchor: str = "",
) -> _Node:
    """A node with its facts computed from its children (zero-width ones keep the defaults)."""
    node = _Node(kind, start, end, items, mask, lo, hi, possessive, anchor)
    if kind == "char":
        node.first = node.last = node.chars = node.mask
        node.minlen = node.maxlen = 1
    elif kind == "seq":
        _seq_facts(node)
    elif kind == "alt":
        node.empty_ok = any(i.empty_ok for i in items)
        node.first = _union(i.first for i in items)
        node.last = _union(i.last for i in items)
        node.chars = _union(i.chars for i in items)
        node.minlen = min(i.minlen for i in items)
        lengths = [i.maxlen for i in items]
        node.maxlen = None if None in lengths else max(n or 0 for n in lengths)
    elif kind in ("group", "atomic"):
        (child,) = items
        node.empty_ok, node.first, node.last = child.empty_ok, child.first, child.last
        node.chars, node.minlen, node.maxlen = child.chars, child.minlen, child.maxlen
    elif kind == "repeat":
        (body,) = items
        hi = node.hi
        node.empty_ok = node.lo == 0 or body.empty_ok
        if hi != 0:
            node.first, node.last, node.chars = body.first, body.last, body.chars
        node.minlen = node.lo * body.minlen
        if body.maxlen == 0 or hi == 0:
            node.maxlen = 0
        elif hi is None or body.maxlen is None:
            node.maxlen = None
        else:
            node.maxlen = hi * body.maxlen
    return node


@lru_cache(maxsize=4096)
def _class_mask(text: str, flags: int, alphabet: tuple[str, ...]) -> int:
    """The sample characters one class, escape or literal matches, as the engine sees it."""
    compiled = regex.compile(text, flags & ~_X)
    mask = 0
    for bit, ch in enumerate(alphabet):
        if compiled.fullmatch(ch):
            mask |= 1 << bit
    return mask


_QUANT = regex.compile(r"\{(\d*)(?:(,)(\d*))?\}")
_FUZZY = regex.compile(r"\{[\d\s<=+,]*[eisdc][\deisdc\s<=+,]*\}")
_GROUP_NAME = regex.compile(r"\?P?<(?![=!])[^>]*>|\?'[^']*'")
_FLAGS = regex.compile(r"\?([a-zA-Z]*)(?:-([a-zA-Z]+))?([:)])")


class _Parser:
    """A recursive-descent parser of the ``regex`` module's (version 0) syntax, with spans."""

    def __init__(self, pattern: str, flags: int, alphabet: tuple[str, ...]) -> None:
        self.p = pattern
        self.i = 0
        self.global_flags = flags
        self.alphabet = alphabet
        self.index = {ch: bit for bit, ch in enumerate(alphabet)}
        self.depth = 0

    def parse(self) -> _Node:
        node = self._alternation(self.global_flags)
        if self.i != len(self.p):
            raise _Unsupported(f"unexpected {self.p[self.i]!r} at {self.i}")
        return node

    def _peek(self) -> str:
        return self.p[self.i] if self.i < len(self.p) else ""

    def _alternation(self, flags: int) -> _Node:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _Unsupported("nested too deeply")
        start = self.i
        branches = [self._sequence(flags)]
        while self._peek() == "|":
            self.i += 1
            branches.append(self._sequence(flags))
        self.depth -= 1
        if len(branches) == 1:
            return branches[0]
        return _make("alt", start, self.i, tuple(branches))

    def _sequence(self, flags: int) -> _Node:
        start = self.i
        items: list[_Node] = []
        while True:
            self._skip_verbose(flags)
            ch = self._peek()
            if ch in ("", "|", ")"):
                break
            atom = self._atom(flags)
            if atom is not None:
                items.append(self._quantified(atom, flags))
        return _make("seq", start, self.i, tuple(items))

    def _skip_verbose(self, flags: int) -> None:
        if not flags & _X:
            return
        p = self.p
        while self.i < len(p):
            if p[self.i].isspace():
                self.i += 1
            elif p[self.i] == "#":
                end = p.find("\n", self.i)
                self.i = len(p) if end < 0 else end + 1
            else:
                return

    def _quantified(self, atom: _Node, flags: int) -> _Node:
        while True:
            self._skip_verbose(flags)
            ch = self._peek()
            if ch in ("*", "+", "?"):
                lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
                self.i += 1
            elif ch == "{":
                m = _QUANT.match(self.p, self.i)
                if _FUZZY.match(self.p, self.i):
                    raise _Unsupported("fuzzy matching")
                if m is None or (not m[1] and not m[2]):
                    return atom
                lo = int(m[1] or 0)
                hi = lo if not m[2] else (int(m[3]) if m[3] else None)
                self.i = m.end()
            else:
                return atom
            possessive, lazy = self._peek() == "+", self._peek() == "?"
            if self._peek() in ("?", "+"):  # lazy backtracks like greedy; possessive never
                self.i += 1
            atom = _make("repeat", atom.start, self.i, (atom,), lo=lo, hi=hi, possessive=possessive)
            atom.lazy = lazy

    def _char(self, start: int, text: str, flags: int, *, literal: bool = False) -> _Node:
        if literal and not flags & _I and text in self.index:
            mask = 1 << self.index[text]
        else:
            text = regex.escape(text) if literal else text
            mask = _class_mask(text, flags & (_I | _S | _A | _U | _F), self.alphabet)
        return _make("char", start, self.i, mask=mask)

    def _atom(self, flags: int) -> _Node | None:
        p, start = self.p, self.i
        ch = p[start]
        if ch == "(":
            return self._group(flags)
        if ch == "[":
            self.i = self._class_end(start)
            return self._char(start, p[start : self.i], flags)
        if ch == "\\":
            return self._escape(flags)
        self.i += 1
        if ch == ".":
            return self._char(start, ".", flags)
        if ch == "^":
            return _make("assert", start, self.i, anchor="start")
        if ch == "$":
            return _make("assert", start, self.i, anchor="end")
        if ch in "*+?":
            raise _Unsupported(f"quantifier without a target at {start}")
        return self._char(start, ch, flags, literal=True)

    def _class_end(self, start: int) -> int:
        p, i = self.p, start + 1
        if i < len(p) and p[i] == "^":
            i += 1
        if i < len(p) and p[i] == "]":
            i += 1
        while i < len(p):
            c = p[i]
            if c == "\\":
                i += 2
            elif c == "[" and p.startswith("[:", i):
                end = p.find(":]", i + 2)
                if end < 0:
                    raise _Unsupported("unclosed POSIX class")
                i = end + 2
            elif c == "[":
                raise _Unsupported("nested set (version 1 syntax)")
            elif c == "]":
                return i + 1
            else:
                i += 1
        raise _Unsupported("unclosed class")

    def _escape(self, flags: int) -> _Node:
        p, start = self.p, self.i
        if start + 1 >= len(p):
            raise _Unsupported("trailing backslash")
        c = p[start + 1]
        self.i = start + 2
        if c in "AG":
            return _make("assert", start, self.i, anchor="start")
        if c == "Z":
            return _make("assert", start, self.i, anchor="end")
        if c in "bBmM":
            return _make("assert", start, self.i, anchor="other")
        if c in "gKXLkR" or (c.isdigit() and c != "0" and not _octal3(p, start + 1)):
            raise _Unsupported(f"\\{c} (a backreference or a construct not modelled)")
        if c in "pPN" and self._peek() == "{":
            end = p.find("}", self.i)
            if end < 0:
                raise _Unsupported("unclosed \\p{")
            self.i = end + 1
        elif c in "pP":
            self.i += 1
        elif c == "x" and self._peek() == "{":
            end = p.find("}", self.i)
            if end < 0:
                raise _Unsupported("unclosed \\x{")
            self.i = end + 1
        elif c == "x":
            self.i += 2
        elif c in "uU":
            self.i += 4 if c == "u" else 8
        elif c in "01234567":
            while self.i < min(start + 4, len(p)) and p[self.i] in "01234567":
                self.i += 1
        return self._char(start, p[start : self.i], flags)

    def _group(self, flags: int) -> _Node | None:
        p, start = self.p, self.i
        self.i += 1
        kind, inner = "group", flags
        if self._peek() == "?":
            rest = p[self.i : self.i + 3]
            if rest.startswith("?#"):
                end = p.find(")", self.i)
                if end < 0:
                    raise _Unsupported("unclosed comment")
                self.i = end + 1
                return None
            if rest.startswith("?:"):
                self.i += 2
            elif rest.startswith(("?=", "?!")):
                kind, self.i = "look", self.i + 2
            elif rest.startswith(("?<=", "?<!")):
                kind, self.i = "look", self.i + 3
            elif rest.startswith("?>"):
                kind, self.i = "atomic", self.i + 2
            elif (m := _GROUP_NAME.match(p, self.i)) is not None:
                self.i = m.end()
            elif (m := _FLAGS.match(p, self.i)) is not None:
                inner = self._flags(m[1], m[2], flags)
                self.i = m.end()
                if m[3] == ")":
                    if inner & ~self.global_flags:
                        # version 0: an inline flag applies to the whole pattern
                        raise _Restart(self.global_flags | inner)
                    return None
            else:
                raise _Unsupported(f"group construct {p[start : start + 4]!r} not modelled")
        child = self._alternation(inner)
        if self._peek() != ")":
            raise _Unsupported("unclosed group")
        self.i += 1
        return _make(kind, start, self.i, (child,))

    @staticmethod
    def _flags(on: str, off: str | None, flags: int) -> int:
        for letter in on + (off or ""):
            if letter not in _FLAG_LETTERS:
                raise _Unsupported(f"flag or construct {letter!r} not modelled")
        for letter in on:
            flags |= _FLAG_LETTERS.get(letter, 0)
        for letter in off or "":
            flags &= ~_FLAG_LETTERS.get(letter, 0)
        return flags


class _Restart(Exception):
    """A global inline flag appeared after text it applies to: parse again with it."""

    def __init__(self, flags: int) -> None:
        super().__init__(flags)
        self.flags = flags


def _octal3(p: str, at: int) -> bool:
    """Whether ``\\ddd`` at ``at`` is a three-digit octal escape rather than a backreference."""
    return len(p) >= at + 3 and all(c in "01234567" for c in p[at : at + 3])


# -- the checks -------------------------------------------------------------------


def _flat(node: _Node) -> list[_Node]:
    """A node as a sequence of items, plain groups opened up."""
    if node.kind == "seq":
        return [x for item in node.items for x in _flat(item)]
    if node.kind == "group":
        return _flat(node.items[0])
    return [node]


def _many(node: _Node) -> bool:
    """A backtracking repeat that may run often enough for ambiguity to multiply."""
    return node.kind == "repeat" and not node.possessive and (node.hi is None or node.hi >= MANY)


def _variable(node: _Node) -> bool:
    """A quantifier that can backtrack over text of more than one length."""
    if node.kind != "repeat" or node.possessive:
        return False
    return node.maxlen is None or node.maxlen > node.minlen


def _unbounded(node: _Node) -> bool:
    """A backtracking item whose length can vary over a whole run of characters."""
    if node.kind not in ("repeat", "group", "alt") or node.possessive:
        return False
    return node.maxlen is None or node.maxlen - node.minlen >= WIDE


def _consumes(node: _Node) -> bool:
    """Whether ``node`` must take at least one character."""
    return not node.empty_ok and node.kind not in ("assert", "look")


def _pure(node: _Node) -> int:
    """Characters c such that ``node`` can match a non-empty run of c alone."""
    if node.kind == "char":
        return node.mask
    if node.kind in ("assert", "look") or node.hi == 0:
        return 0
    if node.kind == "seq":
        needed = [_pure(i) for i in node.items if _consumes(i)]
        if not needed:
            return _union([_pure(i) for i in node.items])
        out = needed[0]
        for m in needed[1:]:
            out &= m
        return out
    if node.kind == "alt":
        return _union([_pure(i) for i in node.items])
    return _pure(node.items[0])


def _loop(node: _Node) -> int:
    """Characters c such that ``node`` can match runs of c of any length, backtracking."""
    if node.kind in ("char", "assert", "look", "atomic") or node.possessive or node.hi == 0:
        return 0
    if node.kind == "repeat":
        body = node.items[0]
        wide = node.hi is None or node.hi - node.lo >= WIDE
        return (_pure(body) if wide else 0) | _loop(body)
    if node.kind == "alt":
        return _union([_loop(i) for i in node.items])
    if node.kind == "group":
        return _loop(node.items[0])
    out = 0
    for k, item in enumerate(node.items):
        run = _loop(item)
        for j, other in enumerate(node.items):
            if j != k and _consumes(other):
                run &= _pure(other)
        out |= run
    return out


def _fits(node: _Node, mask: int) -> bool:
    """Whether ``node`` can match some text made only of characters in ``mask``."""
    if node.kind == "char":
        return bool(node.mask & mask)
    if node.kind in ("assert", "look"):
        return True
    if node.kind == "seq":
        return all(_fits(i, mask) for i in node.items)
    if node.kind == "alt":
        return any(_fits(i, mask) for i in node.items)
    if node.kind == "repeat":
        return node.lo == 0 or _fits(node.items[0], mask)
    return _fits(node.items[0], mask)


def _contexts(
    items: list[_Node], before: list[_Node], after: list[_Node]
) -> Iterator[tuple[_Node, list[_Node], list[_Node]]]:
    """Every variable quantifier reachable without entering a many-times repeat, with
    what surrounds it in one pass through the repeated body."""
    for i, item in enumerate(items):
        b, a = before + items[:i], items[i + 1 :] + after
        if item.kind in ("atomic", "look") or item.possessive:
            continue
        if _variable(item):
            yield item, b, a
        if item.kind == "alt":
            for branch in item.items:
                yield from _contexts(_flat(branch), b, a)
        elif item.kind == "repeat" and not _many(item):
            yield from _contexts(_flat(item.items[0]), b, a)


def _alternations(
    items: list[_Node], after: list[_Node]
) -> Iterator[tuple[_Node, list[_Node]]]:
    """Alternations inside one repeated body (not inside a nested many-times repeat),
    each with what follows it in the body."""
    for k, item in enumerate(items):
        rest = items[k + 1 :] + after
        if item.kind in ("atomic", "look") or item.possessive or _many(item):
            continue
        if item.kind == "alt":
            yield item, rest
            for branch in item.items:
                yield from _alternations(_flat(branch), rest)
        elif item.kind in ("repeat", "group"):
            yield from _alternations(_flat(item.items[0]), rest)


def _may_share(a: list[_Node], b: list[_Node], follow: int, depth: int = 0) -> bool:
    """Whether two alternatives can read the same text in two ways.

    Either both match it, or one matches a prefix of what the other does and the
    rest can be read by what follows (``follow``: the characters that can come
    next, the next repetition included). ``(a|ab)*`` is unambiguous (a ``b``
    never starts a repetition); ``(\\r\\n|\\n|\\r)+`` is not.
    """
    a = [x for x in a if x.kind not in ("assert", "look")]
    b = [x for x in b if x.kind not in ("assert", "look")]
    if not a and not b:
        return True
    if not a or not b:
        rest = _make("seq", 0, 0, tuple(a or b))
        return rest.minlen == 0 or bool(rest.first & follow)
    if depth > 16:
        return True
    x, y = a[0], b[0]
    if x.kind == "char" and y.kind == "char":
        return bool(x.mask & y.mask) and _may_share(a[1:], b[1:], follow, depth + 1)
    seq_a = _make("seq", 0, 0, tuple(a))
    seq_b = _make("seq", 0, 0, tuple(b))
    return seq_a.minlen == 0 or seq_b.minlen == 0 or bool(seq_a.first & seq_b.first)


def _order(issue: RedosIssue) -> tuple[int, str]:
    return issue.position, issue.shape


class _Checker:
    """Runs the checks over one parsed pattern and collects the issues, one per place and shape."""

    def __init__(self, pattern: str, root: _Node, alphabet: tuple[str, ...]) -> None:
        self.p = pattern
        self.root = root
        self.alphabet = alphabet
        self.issues: list[RedosIssue] = []
        self.quadratic: list[RedosIssue] = []
        self.dot = _class_mask(".", 0, alphabet)
        self._chained: set[int] = set()

    def text(self, node: _Node) -> str:
        return self.p[node.start : node.end]

    def add(self, node: _Node, shape: Shape, explanation: str, end: int | None = None) -> None:
        sub = self.p[node.start : node.end if end is None else end]
        if any(i.position == node.start and i.shape == shape for i in self.issues):
            return
        self.issues.append(RedosIssue(node.start, sub, shape, explanation))

    def sample(self, mask: int) -> str:
        """A readable character of ``mask`` for messages."""
        for ch in " a0_-.:/=,\t\"'":
            bit = self.alphabet.index(ch)
            if mask >> bit & 1:
                return repr(ch)
        low = (mask & -mask).bit_length() - 1
        return repr(self.alphabet[low])

    def run(self) -> list[RedosIssue]:
        self.walk(self.root)
        self.lines([], _flat(self.root), [])
        return sorted(self.issues, key=_order)

    def walk(self, node: _Node) -> None:
        if node.kind == "atomic" or node.possessive:
            return  # never backtracks into: safe
        if _many(node):
            self.repeated(node)
        for child in node.items:
            self.walk(child)

    def repeated(self, rep: _Node) -> None:
        body = rep.items[0]
        items = _flat(body)
        count = "repeats without bound" if rep.hi is None else f"repeats up to {rep.hi} times"
        cost = "exponentially many" if rep.hi is None else f"about n^{rep.hi}"
        for alt, rest in _alternations(items, []):
            follow = _edge(tuple(rest + items), "first")
            branches = [_flat(b) for b in alt.items]
            pairs = (
                (alt.items[i], alt.items[j])
                for i in range(len(branches))
                for j in range(i + 1, len(branches))
                if _may_share(branches[i], branches[j], follow)
            )
            pair = next(pairs, None)
            if pair is not None:
                self.add(
                    rep,
                    "overlapping-alternation",
                    f"alternatives `{self.text(pair[0])}` and `{self.text(pair[1])}` can read"
                    f" the same text in two ways and the group {count}, so a failing match"
                    f" tries {cost} combinations; make the alternatives disjoint",
                )
        for y, before, after in _contexts(items, [], []):
            swallow = y.chars
            tail = all(_fits(x, swallow) for x in after) and bool(swallow & body.first)
            head = all(_fits(x, swallow) for x in before) and bool(swallow & body.last)
            if not (tail or head):
                continue
            dot = y.chars & self.dot == self.dot
            shape: Shape = "quantified-dot-star" if dot else "nested-quantifier"
            self.add(
                rep,
                shape,
                f"`{self.text(y)}` can take characters of the next repetition and the group"
                f" {count}, so one text splits into repetitions in {cost} ways and a failing"
                " match tries them all; make the repeated part unambiguous (disjoint"
                " characters at its ends) or possessive",
            )
            return

    def lines(self, items: list[_Node], inner: list[_Node], after: list[_Node]) -> None:
        """Look for chains in ``items + inner + after``, then inside ``inner``'s parts."""
        line = items + inner + after
        for i in range(len(items), len(items) + len(inner)):
            self.chain(line, i)
        for k, item in enumerate(inner):
            if item.kind == "atomic" or item.possessive:
                continue
            b, a = items + inner[:k], inner[k + 1 :] + after
            if item.kind == "alt":
                for branch in item.items:
                    self.lines(b, _flat(branch), a)
            elif item.kind == "repeat":
                self.lines(b, _flat(item.items[0]), a)
            elif item.kind == "look":
                self.lines([], _flat(item.items[0]), [])

    def chain(self, line: list[_Node], i: int) -> None:
        first = line[i]
        common, members = _loop(first), [first]
        if not common or id(first) in self._chained:
            return
        # (members, their common characters, index just past them) each time one joins
        steps: list[tuple[list[_Node], int, int]] = []
        for j in range(i + 1, len(line)):
            x = line[j]
            if _loop(x) & common:
                common &= _loop(x)
                members.append(x)
                steps.append((list(members), common, j + 1))
            elif x.kind == "char" and x.mask & common:
                common &= x.mask
            elif not (x.empty_ok or x.kind in ("assert", "look")):
                break
        self._chained.update(id(m) for m in members)
        self.lazy_pair(line, steps)
        free = self._free_start(line[:i])
        found = next(
            (
                (m, c, len(m) + free)
                for m, c, end in reversed(steps)
                if len(m) + free >= 3 and self._can_fail(line[end:], m)
            ),
            None,
        )
        if found is None:
            return
        members, common, degree = found
        self.add(
            first,
            "overlapping-adjacent",
            f"{len(members)} adjacent quantifiers can share a run of the same characters"
            f" (such as {self.sample(common)}) and what follows can fail, so a failing match"
            f" tries every way to split the run: about n^{degree} steps for n of them;"
            " merge them into one or make their characters disjoint",
            end=members[-1].end,
        )

    def lazy_pair(self, line: list[_Node], steps: list[tuple[list[_Node], int, int]]) -> None:
        """A lazy quantifier followed by a greedy one over some of the same characters,
        then more to match: each lazy step lets the greedy one re-read the run before
        what follows fails, so a long run costs its length squared (``.*?\\s*$``)."""
        if not steps:
            return
        members, common, end = steps[-1]
        rest = [x for x in line[end:] if not x.empty_ok or x.kind == "assert"]
        if not rest:
            return
        for lazy, greedy in itertools.pairwise(members):
            if lazy.lazy and _unbounded(lazy) and _unbounded(greedy) and not greedy.lazy:
                self.quadratic.append(
                    RedosIssue(
                        lazy.start,
                        self.p[lazy.start : greedy.end],
                        "lazy-overlap",
                        f"the lazy `{self.text(lazy)}` and `{self.text(greedy)}` after it can"
                        f" both take a run of the same characters (such as"
                        f" {self.sample(common)}): at each lazy step the run is read again"
                        " before what follows fails, about n^2 steps for a run of n (seconds"
                        " on a padded line); end the lazy part on a character the second one"
                        " cannot take, as in `(?:.*\\S)?\\s*$`",
                    )
                )
                return

    def _free_start(self, prefix: list[_Node]) -> int:
        """1 when a search can reach the chain from many start positions."""
        if prefix and prefix[0].kind == "assert" and prefix[0].anchor == "start":
            return 0
        if all(x.empty_ok or x.kind in ("assert", "look") for x in prefix):
            return 1
        return 1 if any(_unbounded(x) for x in prefix) else 0

    def _can_fail(self, tail: list[_Node], members: list[_Node]) -> bool:
        rest = [x for x in tail if not x.empty_ok]
        if not rest:
            return False  # the match may end right after the chain
        if all(x.kind == "assert" and x.anchor == "end" for x in rest):
            # a line end: fails only if the chain cannot take every character up to it
            for k, m in enumerate(members):
                if m.chars & self.dot == self.dot and all(x.empty_ok for x in members[k + 1 :]):
                    return False
        return True


def _alphabet(pattern: str) -> tuple[str, ...]:
    extra = sorted({c for c in pattern if ord(c) > 255} - set(_BASE))
    return tuple(_BASE + extra)


@lru_cache(maxsize=2048)
def _checked(pattern: str) -> _Checker | None:
    """The checks run over ``pattern``; None when it does not compile or is not modelled."""
    try:
        regex.compile(pattern)
        alphabet = _alphabet(pattern)
        flags = 0
        for _ in range(4):
            try:
                root = _Parser(pattern, flags, alphabet).parse()
            except _Restart as again:
                flags = again.flags
                continue
            checker = _Checker(pattern, root, alphabet)
            checker.run()
            return checker
    except (_Unsupported, regex.error, RecursionError):
        pass
    return None


def _analyse(pattern: str) -> tuple[RedosIssue, ...] | None:
    """The issues of ``pattern``; None when it does not compile or is not modelled."""
    checker = _checked(pattern)
    return None if checker is None else tuple(sorted(checker.issues, key=_order))


def find_quadratic(pattern: str) -> list[RedosIssue]:
    """Places where ``pattern`` is quadratic on a long run of one character: no hang
    (the load does not refuse them), but worth a lint warning, since the time limit
    may end such a search and lose its match."""
    checker = _checked(pattern)
    return [] if checker is None else list(checker.quadratic)


def find_redos(pattern: str) -> list[RedosIssue]:
    """The places where ``pattern`` can backtrack catastrophically; empty when none is known.

    A pattern that does not compile, or uses a construct the analysis does not
    model, gives no issue: compiling is checked elsewhere, and a guess here
    would refuse a good pack (``analysed_safe`` tells the two apart).
    """
    return list(_analyse(pattern) or ())


def analysed_safe(pattern: str) -> bool:
    """Whether the analysis read every construct of ``pattern`` and found no issue."""
    return _analyse(pattern) == ()
