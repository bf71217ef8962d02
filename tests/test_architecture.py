"""The house's rules, checked on the code's own imports: arrows run down the flow, no cycles,
no private names across modules, modules a person can hold in their head.

The stages, lowest first, as the README's architecture page draws them. A module
may import its own stage and the stages below it; the package's face
(``__init__``, ``__main__``) may import any.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "amr_logpatterns"

#: Lowest first: a stage imports only itself and those before it.
STAGES: tuple[tuple[str, ...], ...] = (
    ("about", "errors", "wording"),
    ("packs",),
    ("models",),
    ("ingest",),
    ("peel",),
    ("decode",),
    ("analyse",),
    ("fast",),
    ("pipeline",),
    ("policy",),
    ("explain",),
    ("formatters",),
    ("authoring",),
    ("cli",),
)
FACE = ("__init__", "__main__")
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _stage(module: str) -> int | None:
    """The stage's rank, or None for the package's face."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    if top in FACE:
        return None
    for rank, names in enumerate(STAGES):
        if top in names:
            return rank
    raise AssertionError(f"{module} is in no stage: add it to STAGES or move it")


def _imports(module: str) -> Iterator[tuple[str, list[str], int]]:
    """Every import of the package by ``module`` (wherever it stands in the file): the module
    imported, the names taken from it, and the line."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("amr_logpatterns"):
                    yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if not target.startswith("amr_logpatterns"):
                continue
            names = [a.name for a in node.names]
            # ``from pkg import submodule`` imports the submodule
            subs = [n for n in names if f"{target}.{n}" in MODULES]
            for sub in subs:
                yield f"{target}.{sub}", [], node.lineno
            rest = [n for n in names if n not in subs]
            if rest or not subs:
                yield target, rest, node.lineno


def _graph() -> dict[str, set[str]]:
    return {m: {t for t, _, _ in _imports(m) if t in MODULES and t != m} for m in MODULES}


def test_every_module_is_in_a_stage() -> None:
    for module in MODULES:
        _stage(module)


def test_arrows_run_down_the_flow() -> None:
    upward = []
    for module in MODULES:
        here = _stage(module)
        for target, _, line in _imports(module):
            there = _stage(target) if target in MODULES or "." in target else None
            if here is not None and there is not None and there > here:
                upward.append(f"{MODULES[module].relative_to(ROOT)}:{line}: {module} -> {target}")
    assert not upward, "imports that run back up the flow:\n" + "\n".join(upward)


def test_no_module_imports_another_ones_private_names() -> None:
    private = [
        f"{MODULES[module].relative_to(ROOT)}:{line}: {name} from {target}"
        for module in MODULES
        for target, names, line in _imports(module)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not private, "private names imported across modules:\n" + "\n".join(private)


def test_no_import_cycles() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            # a package's __init__ that hands on its submodules' names is no cycle of logic
            logic = [m for m in component if MODULES[m].name != "__init__.py"]
            if len(logic) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert not cycles, "modules that import each other in a loop:\n" + "\n".join(map(str, cycles))


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small_enough_to_hold_in_the_head(module: str) -> None:
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module}: {lines} lines (split it by what it does)"
