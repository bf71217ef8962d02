"""Find the shapes of catastrophic backtracking in one parsed pattern.

``Checker`` walks the tree for repeated groups that can split a text in many
ways and for chains of adjacent quantifiers over the same characters; each
finding is a ``RedosIssue`` at the place it starts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

from amr_logpatterns.packs.regex_backtracking import (
    alternations,
    contexts,
    fits,
    flat,
    loop,
    many,
    may_share,
    unbounded,
)
from amr_logpatterns.packs.regex_nodes import Node, class_mask, edge

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


def issue_order(issue: RedosIssue) -> tuple[int, str]:
    """The order issues are reported in: by position, then by shape."""
    return issue.position, issue.shape


class Checker:
    """Runs the checks over one parsed pattern and collects the issues, one per place and shape."""

    def __init__(self, pattern: str, root: Node, alphabet: tuple[str, ...]) -> None:
        self.p = pattern
        self.root = root
        self.alphabet = alphabet
        self.issues: list[RedosIssue] = []
        self.quadratic: list[RedosIssue] = []
        self.dot = class_mask(".", 0, alphabet)
        self._chained: set[int] = set()

    def text(self, node: Node) -> str:
        return self.p[node.start : node.end]

    def add(self, node: Node, shape: Shape, explanation: str, end: int | None = None) -> None:
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
        self.lines([], flat(self.root), [])
        return sorted(self.issues, key=issue_order)

    def walk(self, node: Node) -> None:
        if node.kind == "atomic" or node.possessive:
            return  # never backtracks into: safe
        if many(node):
            self.repeated(node)
        for child in node.items:
            self.walk(child)

    def repeated(self, rep: Node) -> None:
        body = rep.items[0]
        items = flat(body)
        count = "repeats without bound" if rep.hi is None else f"repeats up to {rep.hi} times"
        cost = "exponentially many" if rep.hi is None else f"about n^{rep.hi}"
        for alt, rest in alternations(items, []):
            follow = edge(tuple(rest + items), "first")
            branches = [flat(b) for b in alt.items]
            pairs = (
                (alt.items[i], alt.items[j])
                for i in range(len(branches))
                for j in range(i + 1, len(branches))
                if may_share(branches[i], branches[j], follow)
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
        for y, before, after in contexts(items, [], []):
            swallow = y.chars
            tail = all(fits(x, swallow) for x in after) and bool(swallow & body.first)
            head = all(fits(x, swallow) for x in before) and bool(swallow & body.last)
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

    def lines(self, items: list[Node], inner: list[Node], after: list[Node]) -> None:
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
                    self.lines(b, flat(branch), a)
            elif item.kind == "repeat":
                self.lines(b, flat(item.items[0]), a)
            elif item.kind == "look":
                self.lines([], flat(item.items[0]), [])

    def chain(self, line: list[Node], i: int) -> None:
        first = line[i]
        common, members = loop(first), [first]
        if not common or id(first) in self._chained:
            return
        # (members, their common characters, index just past them) each time one joins
        steps: list[tuple[list[Node], int, int]] = []
        for j in range(i + 1, len(line)):
            x = line[j]
            if loop(x) & common:
                common &= loop(x)
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

    def lazy_pair(self, line: list[Node], steps: list[tuple[list[Node], int, int]]) -> None:
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
            if lazy.lazy and unbounded(lazy) and unbounded(greedy) and not greedy.lazy:
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

    def _free_start(self, prefix: list[Node]) -> int:
        """1 when a search can reach the chain from many start positions."""
        if prefix and prefix[0].kind == "assert" and prefix[0].anchor == "start":
            return 0
        if all(x.empty_ok or x.kind in ("assert", "look") for x in prefix):
            return 1
        return 1 if any(unbounded(x) for x in prefix) else 0

    def _can_fail(self, tail: list[Node], members: list[Node]) -> bool:
        rest = [x for x in tail if not x.empty_ok]
        if not rest:
            return False  # the match may end right after the chain
        if all(x.kind == "assert" and x.anchor == "end" for x in rest):
            # a line end: fails only if the chain cannot take every character up to it
            for k, m in enumerate(members):
                if m.chars & self.dot == self.dot and all(x.empty_ok for x in members[k + 1 :]):
                    return False
        return True
