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

The pattern is read by ``regex_parser``, which keeps the shapes and positions
``sre_parse`` would erase; ``regex_checker`` finds the shapes. A construct the
parser does not model makes the analysis report nothing rather than guess.
"""

from __future__ import annotations

from functools import lru_cache

import regex

from amr_logpatterns.packs.regex_checker import Checker, RedosIssue, issue_order
from amr_logpatterns.packs.regex_parser import Unsupported, parse

# Characters each class is tried on: Latin-1, and stand-ins for the rest of Unicode
# (letters, digits, spaces, format characters, case-folding oddities, an emoji).
_BASE = [chr(c) for c in range(256)] + list(
    "\u0100\u0130\u017f\u212a\u0660\u0966\u1680\u2000\u2028\u3000"
    "\u200b\u200c\u4e2d\u03b1\u0416\ufeff\ufffd\U0001f600"
)


def _alphabet(pattern: str) -> tuple[str, ...]:
    """The sample alphabet, plus the characters beyond Latin-1 that ``pattern`` names."""
    extra = sorted({c for c in pattern if ord(c) > 255} - set(_BASE))
    return tuple(_BASE + extra)


@lru_cache(maxsize=2048)
def _checked(pattern: str) -> Checker | None:
    """The checks run over ``pattern``; None when it does not compile or is not modelled."""
    try:
        regex.compile(pattern)
        alphabet = _alphabet(pattern)
        checker = Checker(pattern, parse(pattern, alphabet), alphabet)
        checker.run()
        return checker
    except (Unsupported, regex.error, RecursionError):
        return None


def _analyse(pattern: str) -> tuple[RedosIssue, ...] | None:
    """The issues of ``pattern``; None when it does not compile or is not modelled."""
    checker = _checked(pattern)
    return None if checker is None else tuple(sorted(checker.issues, key=issue_order))


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
