"""Parse a regex of the ``regex`` module's syntax (version 0) into nodes with spans.

``sre_parse`` is not used for the structure: it folds one-character
alternatives into a set (``(\\w|\\d)`` becomes ``[\\w\\d]``), factors common
prefixes out of alternatives (``(a|a)`` becomes ``a(?:|)``) and keeps no
positions, which erases the very shapes looked for and the place to report.
The small parser here keeps both; the characters a class or escape matches
are asked of the ``regex`` module itself, so ``\\p{..}``, POSIX classes and
flags mean what they mean at run time. A construct it does not model
(backreferences, recursion, conditionals, fuzzy matching, version-1 sets)
raises ``Unsupported``, so that the analysis reports nothing rather than guess.
"""

from __future__ import annotations

import regex

from amr_logpatterns.packs.regex_nodes import Node, class_mask, make_node

_MAX_DEPTH = 200


class Unsupported(Exception):
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

    def parse(self) -> Node:
        node = self._alternation(self.global_flags)
        if self.i != len(self.p):
            raise Unsupported(f"unexpected {self.p[self.i]!r} at {self.i}")
        return node

    def _peek(self) -> str:
        return self.p[self.i] if self.i < len(self.p) else ""

    def _alternation(self, flags: int) -> Node:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise Unsupported("nested too deeply")
        start = self.i
        branches = [self._sequence(flags)]
        while self._peek() == "|":
            self.i += 1
            branches.append(self._sequence(flags))
        self.depth -= 1
        if len(branches) == 1:
            return branches[0]
        return make_node("alt", start, self.i, tuple(branches))

    def _sequence(self, flags: int) -> Node:
        start = self.i
        items: list[Node] = []
        while True:
            self._skip_verbose(flags)
            ch = self._peek()
            if ch in ("", "|", ")"):
                break
            atom = self._atom(flags)
            if atom is not None:
                items.append(self._quantified(atom, flags))
        return make_node("seq", start, self.i, tuple(items))

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

    def _quantified(self, atom: Node, flags: int) -> Node:
        while True:
            self._skip_verbose(flags)
            ch = self._peek()
            if ch in ("*", "+", "?"):
                lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
                self.i += 1
            elif ch == "{":
                m = _QUANT.match(self.p, self.i)
                if _FUZZY.match(self.p, self.i):
                    raise Unsupported("fuzzy matching")
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
            atom = make_node(
                "repeat", atom.start, self.i, (atom,), lo=lo, hi=hi, possessive=possessive
            )
            atom.lazy = lazy

    def _char(self, start: int, text: str, flags: int, *, literal: bool = False) -> Node:
        if literal and not flags & _I and text in self.index:
            mask = 1 << self.index[text]
        else:
            text = regex.escape(text) if literal else text
            mask = class_mask(text, flags & (_I | _S | _A | _U | _F), self.alphabet)
        return make_node("char", start, self.i, mask=mask)

    def _atom(self, flags: int) -> Node | None:
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
            return make_node("assert", start, self.i, anchor="start")
        if ch == "$":
            return make_node("assert", start, self.i, anchor="end")
        if ch in "*+?":
            raise Unsupported(f"quantifier without a target at {start}")
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
                    raise Unsupported("unclosed POSIX class")
                i = end + 2
            elif c == "[":
                raise Unsupported("nested set (version 1 syntax)")
            elif c == "]":
                return i + 1
            else:
                i += 1
        raise Unsupported("unclosed class")

    def _escape(self, flags: int) -> Node:
        p, start = self.p, self.i
        if start + 1 >= len(p):
            raise Unsupported("trailing backslash")
        c = p[start + 1]
        self.i = start + 2
        if c in "AG":
            return make_node("assert", start, self.i, anchor="start")
        if c == "Z":
            return make_node("assert", start, self.i, anchor="end")
        if c in "bBmM":
            return make_node("assert", start, self.i, anchor="other")
        if c in "gKXLkR" or (c.isdigit() and c != "0" and not _octal3(p, start + 1)):
            raise Unsupported(f"\\{c} (a backreference or a construct not modelled)")
        if c in "pPN" and self._peek() == "{":
            end = p.find("}", self.i)
            if end < 0:
                raise Unsupported("unclosed \\p{")
            self.i = end + 1
        elif c in "pP":
            self.i += 1
        elif c == "x" and self._peek() == "{":
            end = p.find("}", self.i)
            if end < 0:
                raise Unsupported("unclosed \\x{")
            self.i = end + 1
        elif c == "x":
            self.i += 2
        elif c in "uU":
            self.i += 4 if c == "u" else 8
        elif c in "01234567":
            while self.i < min(start + 4, len(p)) and p[self.i] in "01234567":
                self.i += 1
        return self._char(start, p[start : self.i], flags)

    def _group(self, flags: int) -> Node | None:
        p, start = self.p, self.i
        self.i += 1
        kind, inner = "group", flags
        if self._peek() == "?":
            rest = p[self.i : self.i + 3]
            if rest.startswith("?#"):
                end = p.find(")", self.i)
                if end < 0:
                    raise Unsupported("unclosed comment")
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
                raise Unsupported(f"group construct {p[start : start + 4]!r} not modelled")
        child = self._alternation(inner)
        if self._peek() != ")":
            raise Unsupported("unclosed group")
        self.i += 1
        return make_node(kind, start, self.i, (child,))

    @staticmethod
    def _flags(on: str, off: str | None, flags: int) -> int:
        for letter in on + (off or ""):
            if letter not in _FLAG_LETTERS:
                raise Unsupported(f"flag or construct {letter!r} not modelled")
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


def parse(pattern: str, alphabet: tuple[str, ...]) -> Node:
    """``pattern`` as a tree of nodes over ``alphabet``; ``Unsupported`` when not modelled."""
    flags = 0
    for _ in range(4):
        try:
            return _Parser(pattern, flags, alphabet).parse()
        except _Restart as again:
            flags = again.flags
    raise Unsupported("inline flags that keep changing the whole pattern")
