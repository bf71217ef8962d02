"""Load signature packs from YAML, reporting every problem with file, line and column.

A pack is a directory tree: ``components/*.yaml`` and ``diagnoses/*.yaml`` hold
components and diagnoses, every other ``*.yaml`` file holds one signature. All
problems of a load are collected before ``PackError`` is raised.

Packs load in order: the built-in ones, those installed distributions register
under the ``amr_logpatterns.packs`` entry-point group (when asked), then the
given directories. A later pack replaces an item only when it says
``overrides: ID``, so an id reused by accident stays an error; ``disabled``
ids are removed last.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pickle
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from amr_logpatterns.errors import PackError, Problem
from amr_logpatterns.packs.checks import benign_reference_problems
from amr_logpatterns.packs.schema import Component, DiagnosisSpec, Signature
from amr_logpatterns.wording import did_you_mean

MAX_PACK_FILE_BYTES = 1 << 20
CACHE_FORMAT = 4
#: The entry-point group through which installed distributions register pack directories.
ENTRY_POINT_GROUP = "amr_logpatterns.packs"
MAX_YAML_NODES = 20_000

_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)

Marks = dict[tuple[Any, ...], tuple[int, int]]
Item = Signature | DiagnosisSpec | Component


class Disable(BaseModel):
    """A signature or diagnosis to leave out, and where that was asked (problems point there)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    path: str = "<disabled>"
    line: int = 0
    column: int = 0
    field: str = "disabled"


class Pack(BaseModel):
    """Signatures, diagnoses and components, ready to compile into a classifier.

    ``origins`` maps each id to its file; ``overridden`` maps each id a later
    pack replaced to the file it replaced; ``disabled`` are the ids left out.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    signatures: tuple[Signature, ...] = ()
    diagnoses: tuple[DiagnosisSpec, ...] = ()
    components: tuple[Component, ...] = ()
    origins: dict[str, str] = {}
    overridden: dict[str, str] = {}
    disabled: tuple[str, ...] = ()

    def signature(self, signature_id: str) -> Signature | None:
        """The signature with this id, or None."""
        return next((s for s in self.signatures if s.id == signature_id), None)


def builtin_patterns_dir() -> Path:
    """Where the built-in packs are: inside the installed package, or the source tree."""
    here = Path(__file__).resolve().parent.parent  # the package, above packs/
    for candidate in (here / "patterns", here.parent / "patterns"):
        if (candidate / "components").is_dir():
            return candidate
    raise FileNotFoundError(f"built-in patterns not found next to {here}")


#: libyaml's safe loader where PyYAML was built with it (five times faster on the packs),
#: else the pure-Python one; both keep every node's position and build only plain data.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlReader:
    """Compose a YAML document into plain data, remembering where each key stood."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.marks: Marks = {}
        self.problems: list[Problem] = []
        self.nodes = 0

    def problem(self, mark: Any, message: str, field: str = "") -> None:
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.problems.append(
            Problem(
                path=self.path, line=line, column=col, message=message, field=field, code="yaml"
            )
        )

    def read(self) -> Any:
        loader = _SAFE_LOADER(self.text)
        try:
            node = loader.get_single_node()
            if node is None:
                self.problem(None, "the file is empty")
                return None
            return self._walk(loader, node, ())
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            self.problem(mark, f"invalid YAML: {problem}")
            return None
        except RecursionError:
            self.problem(None, "the YAML nests too deeply to read")
            return None
        finally:
            loader.dispose()

    def _walk(self, loader: yaml.SafeLoader, node: yaml.Node, path: tuple[Any, ...]) -> Any:
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            raise yaml.YAMLError(f"more than {MAX_YAML_NODES} YAML nodes (an alias bomb?)")
        dotted = ".".join(map(str, path))
        if node.tag not in _ALLOWED_TAGS:
            raise yaml.MarkedYAMLError(
                problem=f"tag {node.tag!r} is not allowed", problem_mark=node.start_mark
            )
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                if not isinstance(key, (str, int)):
                    self.problem(key_node.start_mark, "keys must be plain strings", dotted)
                    continue
                if key in out:
                    self.problem(
                        key_node.start_mark,
                        f"duplicate key {key!r}",
                        ".".join(map(str, (*path, key))),
                    )
                    continue
                key_path = (*path, key)
                self.marks[key_path] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                out[key] = self._walk(loader, value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                item_path = (*path, i)
                self.marks[item_path] = (item.start_mark.line + 1, item.start_mark.column + 1)
                items.append(self._walk(loader, item, (*path, i)))
            return items
        return loader.construct_object(node, deep=True)


def position(marks: Marks, loc: tuple[Any, ...]) -> tuple[int, int]:
    for end in range(len(loc), 0, -1):
        if loc[:end] in marks:
            return marks[loc[:end]]
    return (1, 1)


def validate_marked(model: type[BaseModel], data: Any, reader: YamlReader) -> BaseModel | None:
    item_id = str(data.get("id", "")) if isinstance(data, dict) else ""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            line, col = position(reader.marks, loc)
            reader.problems.append(
                Problem(
                    path=reader.path,
                    line=line,
                    column=col,
                    field=".".join(map(str, loc)),
                    item_id=item_id,
                    message=err["msg"],
                    code="regex" if "regex does not compile" in err["msg"] else "schema",
                )
            )
        return None


def _kind(path: Path, root: Path) -> type[BaseModel]:
    parts = path.relative_to(root).parts
    if "components" in parts[:-1]:
        return Component
    if "diagnoses" in parts[:-1]:
        return DiagnosisSpec
    return Signature


def pack_files(root: Path) -> tuple[list[Path], Path] | None:
    """A pack root's YAML files and the directory that decides their kinds; None when missing."""
    if root.is_file():
        return [root], root.parent
    if root.is_dir():
        return sorted(p for p in root.rglob("*.yaml") if p.is_file()), root
    return None


def _read_file(path: Path, root: Path) -> tuple[Item | None, list[Problem], Marks, str]:
    """The file's item (None when broken), its problems, key positions and the id it declares."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_PACK_FILE_BYTES:
            msg = f"file is {size} bytes, over the {MAX_PACK_FILE_BYTES} byte limit"
            return None, [Problem(path=name, line=1, column=1, message=msg, code="read")], {}, ""
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        message = f"cannot read: {exc}"
        problem = Problem(path=name, line=1, column=1, message=message, code="read")
        return None, [problem], {}, ""
    reader = YamlReader(name, text)
    data = reader.read()
    item_id = str(data.get("id", "")) if isinstance(data, dict) else ""
    if reader.problems:
        problems = [p.model_copy(update={"item_id": item_id}) for p in reader.problems]
        return None, problems, reader.marks, item_id
    item = validate_marked(_kind(path, root), data, reader)
    assert item is None or isinstance(item, (Signature, DiagnosisSpec, Component))
    return item, reader.problems, reader.marks, item_id


def _kind_name(item: Item) -> str:
    return {Signature: "signature", DiagnosisSpec: "diagnosis", Component: "component"}[type(item)]


@dataclass
class _Merge:
    """Items of every root in load order; later roots may replace earlier items they override."""

    marks: Mapping[str, Marks]
    items: dict[str, Item] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    root_of: dict[str, int] = field(default_factory=dict)
    overridden: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)

    def problem(self, path: str, item_id: str, loc: tuple[Any, ...], message: str) -> None:
        line, col = position(self.marks.get(path, {}), loc)
        self.problems.append(
            Problem(
                path=path,
                line=line,
                column=col,
                field=".".join(map(str, loc)),
                item_id=item_id,
                message=message,
                code="duplicate-id" if loc == ("id",) else "override",
            )
        )

    def add(self, item: Item, path: str, root: int) -> None:
        item_id = item.id
        overrides = None if isinstance(item, Component) else item.overrides
        if overrides is not None and overrides != item_id:
            self.problem(
                path,
                item_id,
                ("overrides",),
                f"overrides must repeat this file's id {item_id!r}, not {overrides!r}: a"
                " replacement keeps the public id that diagnoses, baselines and ignore entries"
                f" use; to retire {overrides!r} under another id, disable it and add yours",
            )
            self.broken.add(item_id)
            return
        old = self.origins.get(item_id)
        if old is None:
            if overrides is not None:
                self.problem(
                    path,
                    item_id,
                    ("overrides",),
                    f"overrides {item_id!r}, but no pack loaded before this one defines it",
                )
            self._keep(item, path, root)
            return
        earlier = self.items[item_id]
        if overrides is None:
            hint = ""
            if self.root_of[item_id] < root and not isinstance(item, Component):
                hint = f"; to replace it, add `overrides: {item_id}`"
            self.problem(path, item_id, ("id",), f"duplicate id, already defined in {old}{hint}")
        elif self.root_of[item_id] == root:
            self.problem(
                path,
                item_id,
                ("overrides",),
                f"overrides {item_id!r} of the same pack ({old}); edit that file instead",
            )
        elif type(earlier) is not type(item):
            self.problem(
                path,
                item_id,
                ("overrides",),
                f"a {_kind_name(item)} cannot override the {_kind_name(earlier)} {item_id!r}"
                f" of {old}",
            )
        else:
            self.overridden[item_id] = old
            self._keep(item, path, root)

    def _keep(self, item: Item, path: str, root: int) -> None:
        self.items[item.id] = item
        self.origins[item.id] = path
        self.root_of[item.id] = root


def _soft_references_dropped(item: Item, gone: Collection[str]) -> Item:
    """The item without references that only mean "never seen" once their target is disabled.

    ``verify``, ``symptoms``, ``overlaps`` and ``benign.unless_before`` name
    findings that, when disabled, can never occur; dropping them changes nothing
    at run time and keeps the pack free of dangling ids.
    """
    update: dict[str, Any] = {}
    if isinstance(item, Signature):
        if any(v in gone for v in item.verify):
            update["verify"] = [v for v in item.verify if v not in gone]
        if any(v in gone for v in item.overlaps):
            update["overlaps"] = [v for v in item.overlaps if v not in gone]
        benign = item.benign
        if benign is not None and any(v in gone for v in benign.unless_before):
            left = [v for v in benign.unless_before if v not in gone]
            changes: dict[str, Any] = {"unless_before": left}
            if not left:
                changes |= {"same_fields": [], "unless_reason": None}
            update["benign"] = benign.model_copy(update=changes)
    elif isinstance(item, DiagnosisSpec):
        if any(v in gone for v in item.symptoms):
            update["symptoms"] = [v for v in item.symptoms if v not in gone]
        if any(v in gone for v in item.verify):
            update["verify"] = [v for v in item.verify if v not in gone]
        if any(v in gone for v in item.superseded_by):
            update["superseded_by"] = [v for v in item.superseded_by if v not in gone]
    return item.model_copy(update=update) if update else item


def _disable(merge: _Merge, disabled: Sequence[Disable]) -> tuple[str, ...]:
    """Remove the disabled signatures and diagnoses; the ids removed.

    A diagnosis whose ``when`` or ``stronger_when`` names a disabled signature
    is an error rather than disabled with it: its rule would silently change
    meaning (never hold, or hold more often through ``none``), so the config
    must disable that diagnosis too, in so many words.
    """
    gone: dict[str, Disable] = {}
    for entry in disabled:
        item = merge.items.get(entry.id)
        if item is None and entry.id in merge.broken:
            continue
        if item is None or isinstance(item, Component):
            known = [i for i, v in merge.items.items() if not isinstance(v, Component)]
            why = (
                "is a component; only signatures and diagnoses can be disabled"
                if item is not None
                else "is not the id of any signature or diagnosis" + did_you_mean(entry.id, known)
            )
            merge.problems.append(
                Problem(
                    path=entry.path,
                    line=entry.line,
                    column=entry.column,
                    field=entry.field,
                    item_id=entry.id,
                    message=f"cannot disable {entry.id!r}: it {why}",
                    code="disabled",
                )
            )
            continue
        gone.setdefault(entry.id, entry)
    for item_id in gone:
        del merge.items[item_id]
    for item_id, item in list(merge.items.items()):
        if isinstance(item, DiagnosisSpec):
            needs = item.when.finding_ids()
            if item.stronger_when is not None:
                needs += item.stronger_when.finding_ids()
            for needed in dict.fromkeys(needs):
                if needed in gone:
                    entry = gone[needed]
                    merge.problems.append(
                        Problem(
                            path=entry.path,
                            line=entry.line,
                            column=entry.column,
                            field=entry.field,
                            item_id=needed,
                            message=f"diagnosis {item_id!r} ({merge.origins[item_id]}) rests on"
                            f" {needed!r}; disable {item_id!r} too",
                            code="disabled",
                        )
                    )
        merge.items[item_id] = _soft_references_dropped(item, gone)
    return tuple(gone)


def _cross_check(
    pack: Pack, marks: Mapping[str, Marks], broken: Collection[str] = ()
) -> list[Problem]:
    """References between items: components, verify, overlaps, benign and diagnosis ids.

    Ids in ``broken`` belong to files that did not validate; naming them is not
    reported again.
    """
    problems: list[Problem] = []

    def add(item_id: str, loc: tuple[Any, ...], message: str, code: str = "unknown-id") -> None:
        path = pack.origins.get(item_id, "")
        line, col = position(marks.get(path, {}), loc)
        problems.append(
            Problem(
                path=path,
                line=line,
                column=col,
                field=".".join(map(str, loc)),
                item_id=item_id,
                message=message,
                code=code,
            )
        )

    signature_ids = {s.id for s in pack.signatures}
    known = signature_ids | set(broken)
    component_ids = {c.id for c in pack.components}
    for sig in pack.signatures:
        for i, owner in enumerate(sig.owners):
            if owner not in component_ids:
                loc = ("attribution", i) if sig.attribution is not None else ("component",)
                known_components = sorted(component_ids)
                message = f"unknown component {owner!r}; known: {known_components}"
                add(sig.id, loc, message, "unknown-component")
        for key, ids in (("verify", sig.verify), ("overlaps", sig.overlaps)):
            for i, name in enumerate(ids):
                if name not in known:
                    add(sig.id, (key, i), f"unknown signature id {name!r}")
                elif key == "overlaps" and name == sig.id:
                    add(sig.id, (key, i), "a signature always overlaps itself")
    for item_id, where, message in benign_reference_problems(pack.signatures):
        breaker = pack.signature(item_id)
        named = breaker.benign.unless_before[where[2]] if breaker and breaker.benign else ""
        if named not in broken:
            add(item_id, where, message)
    for diag in pack.diagnoses:
        named_at: list[tuple[tuple[Any, ...], str]] = [
            (("when",), n) for n in diag.when.finding_ids()
        ]
        if diag.stronger_when is not None:
            named_at += [(("stronger_when",), n) for n in diag.stronger_when.finding_ids()]
        named_at += [(("symptoms", i), n) for i, n in enumerate(diag.symptoms)]
        named_at += [(("verify", i), n) for i, n in enumerate(diag.verify)]
        for loc, finding_id in named_at:
            if finding_id not in known:
                add(diag.id, loc, f"names unknown signature id {finding_id!r}")
        diagnosis_ids = {d.id for d in pack.diagnoses}
        for i, other in enumerate(diag.superseded_by):
            if other not in diagnosis_ids:
                add(diag.id, ("superseded_by", i), f"names unknown diagnosis id {other!r}")
            elif other == diag.id:
                add(diag.id, ("superseded_by", i), "a diagnosis cannot supersede itself")
    return problems


@dataclass(frozen=True)
class PackRead:
    """One read of pack files with every problem kept: what ``lint`` and ``test`` build on.

    ``pack`` holds whatever validated, so checks can go on past the first
    broken file; ``broken`` are the ids declared by files that did not validate.
    """

    pack: Pack
    problems: tuple[Problem, ...]
    marks: Mapping[str, Marks]
    roots: tuple[Path, ...]
    broken: frozenset[str]

    def checked(self) -> Pack:
        """The pack, or ``PackError`` naming every problem."""
        if self.problems:
            raise PackError(list(self.problems))
        return self.pack


def read_packs(
    roots: Sequence[Path],
    *,
    disabled: Sequence[Disable] = (),
    problems: Sequence[Problem] = (),
) -> PackRead:
    """Read and merge pack roots in order, never raising: every problem is in the result.

    A later root replaces an item of an earlier one only when it says
    ``overrides: ID``; ``disabled`` items are removed afterwards.
    """
    marks: dict[str, Marks] = {}
    merge = _Merge(marks=marks, problems=list(problems))
    for index, root in enumerate(roots):
        listed = pack_files(Path(root))
        if listed is None:
            merge.problems.append(
                Problem(
                    path=str(root),
                    line=0,
                    column=0,
                    message="no such file or directory",
                    code="missing",
                )
            )
            continue
        files, base = listed
        for file_path in files:
            item, file_problems, file_marks, item_id = _read_file(file_path, base)
            merge.problems += file_problems
            marks[str(file_path)] = file_marks
            if item is not None:
                merge.add(item, str(file_path), index)
            elif item_id:
                merge.broken.add(item_id)
    gone = _disable(merge, disabled)
    items = list(merge.items.values())
    pack = Pack(
        signatures=tuple(i for i in items if isinstance(i, Signature)),
        diagnoses=tuple(i for i in items if isinstance(i, DiagnosisSpec)),
        components=tuple(i for i in items if isinstance(i, Component)),
        origins={k: v for k, v in merge.origins.items() if k in merge.items},
        overridden={k: v for k, v in merge.overridden.items() if k in merge.items},
        disabled=gone,
    )
    broken = frozenset(merge.broken - set(merge.items))
    found = [*merge.problems, *_cross_check(pack, marks, broken | set(gone))]
    return PackRead(pack, tuple(found), marks, tuple(Path(r) for r in roots), broken)


def load_pack_dirs(paths: Iterable[Path]) -> Pack:
    """Load and merge pack directories (or YAML files); raise ``PackError`` on any problem."""
    return read_packs([Path(p) for p in paths]).checked()


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


def entry_point_packs() -> tuple[list[Path], list[Problem]]:
    """Pack directories that installed distributions register under ``amr_logpatterns.packs``.

    Each entry point is a module (its directory holds the YAML), a path, or a
    function returning one. A broken entry point is a problem, not a crash: a
    third-party package must not take the command down.
    """
    dirs: list[Path] = []
    problems: list[Problem] = []
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


def _pack_key(roots: Sequence[Path], disabled: Sequence[Disable]) -> str | None:
    """A digest of the roots, every pack file's path and contents, and the disabled ids.

    None when a root is missing or a file unreadable: such a load fails and is never cached.
    """
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{sys.version_info[:2]}".encode())
    try:
        for root in roots:
            listed = pack_files(root)
            if listed is None:
                return None
            digest.update(b"root\0" + str(root).encode() + b"\0")
            for path in listed[0]:
                size = path.stat().st_size
                # an oversized file is refused by the loader: never read it whole to hash it
                body = path.read_bytes() if size <= MAX_PACK_FILE_BYTES else b"size=%d" % size
                digest.update(str(path).encode() + b"\0" + body + b"\0")
    except OSError:
        return None
    digest.update(b"disabled\0" + "\0".join(sorted({d.id for d in disabled})).encode())
    return digest.hexdigest()[:32]


def load_packs(
    *paths: str | Path,
    builtin: bool = True,
    cache_dir: str | Path | None = None,
    disabled: Iterable[str | Disable] = (),
    entry_points: bool = False,
) -> Pack:
    """Load the built-in packs (unless ``builtin=False``), entry-point packs and ``paths``.

    ``entry_points=True`` adds the packs installed distributions register in
    the ``amr_logpatterns.packs`` group (off by default, so importing the
    library discovers nothing). ``disabled`` removes signatures and diagnoses
    by id. With ``cache_dir``, the validated packs are kept there keyed by a
    digest of the files' contents and the disabled ids, so a later identical
    load skips parsing.
    """
    roots, problems = pack_roots(paths, builtin=builtin, entry_points=entry_points)
    entries = [d if isinstance(d, Disable) else Disable(id=d) for d in disabled]
    key = _pack_key(roots, entries) if cache_dir is not None and not problems else None
    if key is None or cache_dir is None:
        return read_packs(roots, disabled=entries, problems=problems).checked()
    cached = Path(cache_dir) / f"pack-{key}.pickle"
    try:
        with cached.open("rb") as f:
            pack = pickle.load(f)
        if isinstance(pack, Pack):
            return pack
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    pack = read_packs(roots, disabled=entries).checked()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(pack, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o600)
        tmp.replace(cached)
    except OSError:
        pass
    return pack
