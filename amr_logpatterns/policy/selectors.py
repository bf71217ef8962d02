"""What ``--only``, ``--exclude`` and ignore entries name: an id glob, or a component.

One rule for the gate, the config check and the command line: a selector is a
component's name or a glob over signature and diagnosis ids
(``observer.circuit-breaker-*``).
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase


def selects(selector: str, item_id: str, component: str) -> bool:
    """Whether ``selector`` names this item: its component, or a glob matching its id."""
    return selector == component or fnmatchcase(item_id, selector)


def selected(item_id: str, component: str, selectors: Iterable[str]) -> bool:
    """Whether any of ``selectors`` names this item."""
    return any(selects(s, item_id, component) for s in selectors)


def names_any(selector: str, ids: Iterable[str], components: Iterable[str] = ()) -> bool:
    """Whether ``selector`` names at least one of ``ids`` or ``components``: a selector
    that names nothing is a typo that would quietly gate nothing."""
    return selector in set(components) or any(fnmatchcase(i, selector) for i in ids)


def glob_matches(pattern: str, item_id: str) -> bool:
    """Whether an id glob (an ignore entry's ``id``) matches this id."""
    return fnmatchcase(item_id, pattern)
