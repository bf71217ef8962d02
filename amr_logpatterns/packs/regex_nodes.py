"""A parsed regex as a tree of nodes, each with the facts the backtracking checks need.

A node knows its span in the pattern (for messages), which characters can
begin, end or appear in its matches and how long they can be. Characters are
bit sets over a sample alphabet, and what a class or escape matches is asked of
the ``regex`` module itself, so flags and Unicode classes mean what they mean
at run time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import regex


@dataclass(eq=False)
class Node:
    """A parsed piece of the pattern with the facts the checks need.

    ``kind``: ``char`` (one character of ``mask``), ``seq``, ``alt``, ``repeat``,
    ``group`` (a plain or capturing group), ``atomic``, ``look`` (a lookaround)
    or ``assert`` (zero-width: ``anchor`` is ``start``, ``end`` or ``other``).
    Masks are bit sets over the sample alphabet.
    """

    kind: str
    start: int
    end: int
    items: tuple[Node, ...] = ()
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


def _seq_facts(node: Node) -> None:
    items = node.items
    node.empty_ok = all(i.empty_ok for i in items)
    node.chars = union(i.chars for i in items)
    node.minlen = sum(i.minlen for i in items)
    lengths = [i.maxlen for i in items]
    node.maxlen = None if None in lengths else sum(n or 0 for n in lengths)
    node.first = edge(items, "first")
    node.last = edge(tuple(reversed(items)), "last")


def edge(items: tuple[Node, ...], side: str) -> int:
    """Characters that can begin (or end) a match of ``items`` in this order."""
    out = 0
    for item in items:
        out |= getattr(item, side)
        if item.minlen > 0:
            break
    return out


def union(masks: Iterable[int]) -> int:
    out = 0
    for m in masks:
        out |= m
    return out


def make_node(
    kind: str,
    start: int,
    end: int,
    items: tuple[Node, ...] = (),
    *,
    mask: int = 0,
    lo: int = 1,
    hi: int | None = 1,
    possessive: bool = False,
    anchor: str = "",
) -> Node:
    """A node with its facts computed from its children (zero-width ones keep the defaults)."""
    node = Node(kind, start, end, items, mask, lo, hi, possessive, anchor)
    if kind == "char":
        node.first = node.last = node.chars = node.mask
        node.minlen = node.maxlen = 1
    elif kind == "seq":
        _seq_facts(node)
    elif kind == "alt":
        node.empty_ok = any(i.empty_ok for i in items)
        node.first = union(i.first for i in items)
        node.last = union(i.last for i in items)
        node.chars = union(i.chars for i in items)
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
def class_mask(text: str, flags: int, alphabet: tuple[str, ...]) -> int:
    """The sample characters one class, escape or literal matches, as the engine sees it."""
    compiled = regex.compile(text, flags & ~regex.VERBOSE)
    mask = 0
    for bit, ch in enumerate(alphabet):
        if compiled.fullmatch(ch):
            mask |= 1 << bit
    return mask
