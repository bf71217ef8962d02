"""Load signature packs from YAML, reporting every problem with file, line and column.

A pack is a directory tree: ``components/*.yaml`` and ``diagnoses/*.yaml`` hold
components and diagnoses, every other ``*.yaml`` file holds one signature. All
problems of a load are collected before ``PackError`` is raised.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .schema import Component, DiagnosisSpec, Signature
from .verdicts import benign_reference_problems

MAX_PACK_FILE_BYTES = 1 << 20
CACHE_FORMAT = 2
MAX_YAML_NODES = 20_000

_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)

Marks = dict[tuple[Any, ...], tuple[int, int]]


class Problem(BaseModel):
    """One thing wrong in a pack, and exactly where."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    path: str
    line: int
    column: int
    message: str
    field: str = ""
    item_id: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        what = f" [{self.item_id}]" if self.item_id else ""
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{what}{field} {self.message}"


class ProblemsError(ValueError):
    """A YAML file could not be used; ``problems`` lists every reason with its position."""

    #: What was being read, for the message's first line.
    subject = "YAML files"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in {self.subject}:\n{lines}")


class PackError(ProblemsError):
    """A pack could not be loaded; ``problems`` lists every reason."""

    subject = "signature packs"


class Pack(BaseModel):
    """Signatures, diagnoses and components, ready to compile into a classifier."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    signatures: tuple[Signature, ...] = ()
    diagnoses: tuple[DiagnosisSpec, ...] = ()
    components: tuple[Component, ...] = ()
    origins: dict[str, str] = {}

    def signature(self, signature_id: str) -> Signature | None:
        """The signature with this id, or None."""
        return next((s for s in self.signatures if s.id == signature_id), None)


def builtin_patterns_dir() -> Path:
    """Where the built-in packs are: inside the installed package, or the source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "patterns", here.parent / "patterns"):
        if (candidate / "components").is_dir():
            return candidate
    raise FileNotFoundError(f"built-in patterns not found next to {here}")


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
            Problem(path=self.path, line=line, column=col, message=message, field=field)
        )

    def read(self) -> Any:
        loader = yaml.SafeLoader(self.text)
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


def _read_file(path: Path, root: Path) -> tuple[BaseModel | None, list[Problem], Marks]:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_PACK_FILE_BYTES:
            msg = f"file is {size} bytes, over the {MAX_PACK_FILE_BYTES} byte limit"
            return None, [Problem(path=name, line=1, column=1, message=msg)], {}
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path=name, line=1, column=1, message=f"cannot read: {exc}")], {}
    reader = YamlReader(name, text)
    data = reader.read()
    if reader.problems:
        item_id = str(data.get("id", "")) if isinstance(data, dict) else ""
        problems = [p.model_copy(update={"item_id": item_id}) for p in reader.problems]
        return None, problems, reader.marks
    item = validate_marked(_kind(path, root), data, reader)
    return item, reader.problems, reader.marks


def _cross_check(pack: Pack, marks: dict[str, Marks]) -> list[Problem]:
    problems: list[Problem] = []

    def add(item_id: str, loc: tuple[Any, ...], message: str) -> None:
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
            )
        )

    signature_ids = {s.id for s in pack.signatures}
    component_ids = {c.id for c in pack.components}
    for sig in pack.signatures:
        for i, owner in enumerate(sig.owners):
            if owner not in component_ids:
                loc = ("attribution", i) if sig.attribution is not None else ("component",)
                add(sig.id, loc, f"unknown component {owner!r}; known: {sorted(component_ids)}")
        for i, verify in enumerate(sig.verify):
            if verify not in signature_ids:
                add(sig.id, ("verify", i), f"unknown signature id {verify!r}")
    for item_id, loc, message in benign_reference_problems(pack.signatures):
        add(item_id, loc, message)
    for diag in pack.diagnoses:
        named = [*diag.when.finding_ids(), *diag.symptoms, *diag.verify]
        if diag.stronger_when is not None:
            named += diag.stronger_when.finding_ids()
        for finding_id in named:
            if finding_id not in signature_ids:
                add(diag.id, ("when",), f"names unknown signature id {finding_id!r}")
    return problems


def load_pack_dirs(paths: Iterable[Path]) -> Pack:
    """Load and merge pack directories (or YAML files); raise ``PackError`` on any problem."""
    problems: list[Problem] = []
    items: list[tuple[BaseModel, str]] = []
    marks: dict[str, Marks] = {}
    for given in paths:
        root = Path(given)
        if root.is_file():
            files, base = [root], root.parent
        elif root.is_dir():
            files, base = sorted(p for p in root.rglob("*.yaml") if p.is_file()), root
        else:
            problems.append(
                Problem(path=str(root), line=0, column=0, message="no such file or directory")
            )
            continue
        for file_path in files:
            item, file_problems, file_marks = _read_file(file_path, base)
            problems += file_problems
            marks[str(file_path)] = file_marks
            if item is not None:
                items.append((item, str(file_path)))
    origins: dict[str, str] = {}
    buckets: dict[type[BaseModel], list[Any]] = {Signature: [], DiagnosisSpec: [], Component: []}
    for item, path in items:
        item_id = item.id  # type: ignore[attr-defined]
        if item_id in origins:
            line, col = marks[path].get(("id",), (1, 1))
            problems.append(
                Problem(
                    path=path,
                    line=line,
                    column=col,
                    field="id",
                    item_id=item_id,
                    message=f"duplicate id, already defined in {origins[item_id]}",
                )
            )
            continue
        origins[item_id] = path
        buckets[type(item)].append(item)
    pack = Pack(
        signatures=tuple(buckets[Signature]),
        diagnoses=tuple(buckets[DiagnosisSpec]),
        components=tuple(buckets[Component]),
        origins=origins,
    )
    problems += _cross_check(pack, marks)
    if problems:
        raise PackError(problems)
    return pack


def _pack_key(roots: list[Path]) -> str | None:
    """A digest of every pack file's path and contents (None when a root is missing)."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{sys.version_info[:2]}".encode())
    for root in roots:
        if root.is_file():
            files = [root]
        elif root.is_dir():
            files = sorted(root.rglob("*.yaml"))
        else:
            return None
        for path in files:
            digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def load_packs(
    *paths: str | Path, builtin: bool = True, cache_dir: str | Path | None = None
) -> Pack:
    """Load the built-in packs (unless ``builtin=False``) plus user pack directories.

    With ``cache_dir``, the validated packs are kept there keyed by a digest of
    the files' contents, so a later load of the same files skips parsing.
    """
    roots = [builtin_patterns_dir()] if builtin else []
    roots += [Path(p) for p in paths]
    key = _pack_key(roots) if cache_dir is not None else None
    if key is None or cache_dir is None:
        return load_pack_dirs(roots)
    cached = Path(cache_dir) / f"pack-{key}.pickle"
    try:
        with cached.open("rb") as f:
            pack = pickle.load(f)
        if isinstance(pack, Pack):
            return pack
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    pack = load_pack_dirs(roots)
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
