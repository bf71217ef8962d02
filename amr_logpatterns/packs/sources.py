"""Where packs come from: the built-in ones, installed distributions' and the given paths.

Packs load in that order, so a later pack can override an earlier one. A
distribution registers pack directories under the ``amr_logpatterns.packs``
entry-point group; a broken registration is a problem to report, never a crash.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from amr_logpatterns.errors import Problem

#: The entry-point group through which installed distributions register pack directories.
ENTRY_POINT_GROUP = "amr_logpatterns.packs"


def builtin_patterns_dir() -> Path:
    """Where the built-in packs are: inside the installed package, or the source tree."""
    here = Path(__file__).resolve().parent.parent  # the package, above packs/
    for candidate in (here / "patterns", here.parent / "patterns"):
        if (candidate / "components").is_dir():
            return candidate
    raise FileNotFoundError(f"built-in patterns not found next to {here}")


def pack_files(root: Path) -> tuple[list[Path], Path] | None:
    """A pack root's YAML files and the directory that decides their kinds; None when missing."""
    if root.is_file():
        return [root], root.parent
    if root.is_dir():
        return sorted(p for p in root.rglob("*.yaml") if p.is_file()), root
    return None


def _entry_point_dir(target: object) -> Path:
    """The directory an entry point stands for: a module's own, or the path a callable returns."""
    if isinstance(target, ModuleType):
        file = getattr(target, "__file__", None)
        if file:
            return Path(file).resolve().parent
        locations = list(getattr(target, "__path__", ()))
        if locations:
            return Path(locations[0]).resolve()
        raise ValueError(f"module {target.__name__} has no directory")
    value = target() if callable(target) else target
    if isinstance(value, (str, os.PathLike)):
        return Path(value).resolve()
    raise TypeError(
        "expected a module, a directory path or a function returning one;"
        f" got {type(value).__name__}"
    )


def may_register(group: str) -> bool:
    """Whether any distribution on ``sys.path`` can register an entry point in ``group``.

    ``importlib.metadata`` reads every distribution's metadata to answer (a tenth of
    a start-up in a large environment); this looks only for ``entry_points.txt``
    files naming the group, and says yes whenever it cannot tell (a zip on the path).
    """
    header = f"[{group}]"
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as listing:
                names = [e.name for e in listing if e.name.endswith((".dist-info", ".egg-info"))]
        except NotADirectoryError:
            return True
        except OSError:
            continue
        for name in names:
            try:
                with open(os.path.join(entry or ".", name, "entry_points.txt"), "rb") as f:
                    if header.encode() in f.read():
                        return True
            except OSError:
                continue
    return False


def entry_point_packs() -> tuple[list[Path], list[Problem]]:
    """Pack directories that installed distributions register under ``amr_logpatterns.packs``.

    Each entry point is a module (its directory holds the YAML), a path, or a
    function returning one. A broken entry point is a problem, not a crash: a
    third-party package must not take the command down.
    """
    dirs: list[Path] = []
    problems: list[Problem] = []
    if not may_register(ENTRY_POINT_GROUP):
        return dirs, problems
    import importlib.metadata  # only when some distribution may register a pack

    found = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    for ep in sorted(found, key=lambda e: (e.name, e.value)):
        dist = getattr(ep, "dist", None)
        origin = f"entry point {ep.name} = {ep.value}" + (f" ({dist.name})" if dist else "")
        try:
            where = _entry_point_dir(ep.load())
        except Exception as exc:
            message = f"cannot load: {type(exc).__name__}: {exc}"
            problems.append(
                Problem(path=origin, line=0, column=0, message=message, code="entry-point")
            )
            continue
        if not where.is_dir():
            message = f"{where} is not a directory"
            problems.append(
                Problem(path=origin, line=0, column=0, message=message, code="entry-point")
            )
        elif where not in dirs:
            dirs.append(where)
    return dirs, problems


def pack_roots(
    paths: Iterable[str | Path], *, builtin: bool = True, entry_points: bool = False
) -> tuple[list[Path], list[Problem]]:
    """The pack roots in load order (built-in, entry points, ``paths``) and entry-point problems."""
    roots = [builtin_patterns_dir()] if builtin else []
    problems: list[Problem] = []
    if entry_points:
        found, problems = entry_point_packs()
        resolved = {r.resolve() for r in roots}
        roots += [d for d in found if d not in resolved]
    roots += [Path(p) for p in paths]
    return roots, problems
