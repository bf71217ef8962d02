"""What parts of a parsed regex can do when the engine backtracks through them.

Which parts repeat often enough for ambiguity to multiply, which can vary in
length over a whole run, which characters a part can repeat over, and whether
two alternatives can read the same text in two ways: the facts the checks of
``regex_checker`` are made of.
"""

from __future__ import annotations

from collections.abc import Iterator

from amr_logpatterns.packs.regex_nodes import Node, make_node, union

#: Repetitions counted as "many": a bounded repeat of an ambiguous body costs about
#: n to the power of its count, so from three on it is at least cubic.
MANY = 3
#: A bounded quantifier whose length may vary this much counts as unbounded.
WIDE = 32


def flat(node: Node) -> list[Node]:
    """A node as a sequence of items, plain groups opened up."""
    if node.kind == "seq":
        return [x for item in node.items for x in flat(item)]
    if node.kind == "group":
        return flat(node.items[0])
    return [node]


def many(node: Node) -> bool:
    """A backtracking repeat that may run often enough for ambiguity to multiply."""
    return node.kind == "repeat" and not node.possessive and (node.hi is None or node.hi >= MANY)


def _variable(node: Node) -> bool:
    """A quantifier that can backtrack over text of more than one length."""
    if node.kind != "repeat" or node.possessive:
        return False
    return node.maxlen is None or node.maxlen > node.minlen


def unbounded(node: Node) -> bool:
    """A backtracking item whose length can vary over a whole run of characters."""
    if node.kind not in ("repeat", "group", "alt") or node.possessive:
        return False
    return node.maxlen is None or node.maxlen - node.minlen >= WIDE


def _consumes(node: Node) -> bool:
    """Whether ``node`` must take at least one character."""
    return not node.empty_ok and node.kind not in ("assert", "look")


def _pure(node: Node) -> int:
    """Characters c such that ``node`` can match a non-empty run of c alone."""
    if node.kind == "char":
        return node.mask
    if node.kind in ("assert", "look") or node.hi == 0:
        return 0
    if node.kind == "seq":
        needed = [_pure(i) for i in node.items if _consumes(i)]
        if not needed:
            return union([_pure(i) for i in node.items])
        out = needed[0]
        for m in needed[1:]:
            out &= m
        return out
    if node.kind == "alt":
        return union([_pure(i) for i in node.items])
    return _pure(node.items[0])


def loop(node: Node) -> int:
    """Characters c such that ``node`` can match runs of c of any length, backtracking."""
    if node.kind in ("char", "assert", "look", "atomic") or node.possessive or node.hi == 0:
        return 0
    if node.kind == "repeat":
        body = node.items[0]
        wide = node.hi is None or node.hi - node.lo >= WIDE
        return (_pure(body) if wide else 0) | loop(body)
    if node.kind == "alt":
        return union([loop(i) for i in node.items])
    if node.kind == "group":
        return loop(node.items[0])
    out = 0
    for k, item in enumerate(node.items):
        run = loop(item)
        for j, other in enumerate(node.items):
            if j != k and _consumes(other):
                run &= _pure(other)
        out |= run
    return out


def fits(node: Node, mask: int) -> bool:
    """Whether ``node`` can match some text made only of characters in ``mask``."""
    if node.kind == "char":
        return bool(node.mask & mask)
    if node.kind in ("assert", "look"):
        return True
    if node.kind == "seq":
        return all(fits(i, mask) for i in node.items)
    if node.kind == "alt":
        return any(fits(i, mask) for i in node.items)
    if node.kind == "repeat":
        return node.lo == 0 or fits(node.items[0], mask)
    return fits(node.items[0], mask)


def contexts(
    items: list[Node], before: list[Node], after: list[Node]
) -> Iterator[tuple[Node, list[Node], list[Node]]]:
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
                yield from contexts(flat(branch), b, a)
        elif item.kind == "repeat" and not many(item):
            yield from contexts(flat(item.items[0]), b, a)


def alternations(
    items: list[Node], after: list[Node]
) -> Iterator[tuple[Node, list[Node]]]:
    """Alternations inside one repeated body (not inside a nested many-times repeat),
    each with what follows it in the body."""
    for k, item in enumerate(items):
        rest = items[k + 1 :] + after
        if item.kind in ("atomic", "look") or item.possessive or many(item):
            continue
        if item.kind == "alt":
            yield item, rest
            for branch in item.items:
                yield from alternations(flat(branch), rest)
        elif item.kind in ("repeat", "group"):
            yield from alternations(flat(item.items[0]), rest)


def may_share(a: list[Node], b: list[Node], follow: int, depth: int = 0) -> bool:
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
        rest = make_node("seq", 0, 0, tuple(a or b))
        return rest.minlen == 0 or bool(rest.first & follow)
    if depth > 16:
        return True
    x, y = a[0], b[0]
    if x.kind == "char" and y.kind == "char":
        return bool(x.mask & y.mask) and may_share(a[1:], b[1:], follow, depth + 1)
    seq_a = make_node("seq", 0, 0, tuple(a))
    seq_b = make_node("seq", 0, 0, tuple(b))
    return seq_a.minlen == 0 or seq_b.minlen == 0 or bool(seq_a.first & seq_b.first)
