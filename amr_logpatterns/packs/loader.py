"""Load signature packs from YAML, reporting every problem with file, line and column.

A pack is a directory tree: ``components/*.yaml`` and ``diagnoses/*.yaml`` hold
components and diagnoses, every other ``*.yaml`` file holds one signature. All
problems of a load are collected before ``PackError`` is raised.

Packs load in order: the built-in ones, those installed distributions register
under the ``amr_logpatterns.packs`` entry-point group (when asked), then the
given directories (``sources``); ``merge`` says how a later one overrides an
earlier one and how disabled ids go, ``checks`` what the merged items may name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from amr_logpatterns.errors import PackError, Problem
from amr_logpatterns.packs.cache import cache_file, pack_key, read_cached, write_cached
from amr_logpatterns.packs.checks import reference_problems
from amr_logpatterns.packs.marked_yaml import (
    MAX_PACK_FILE_BYTES,
    Marks,
    YamlReader,
    validate_marked,
)
from amr_logpatterns.packs.merge import Disable, Item, Merge, remove_disabled
from amr_logpatterns.packs.schema import Component, DiagnosisSpec, Signature
from amr_logpatterns.packs.sources import pack_files, pack_roots
from amr_logpatterns.packs.verified import proven_digests


class Pack(BaseModel):
    """Signatures, diagnoses and components, ready to compile into a classifier.

    ``origins`` maps each id to its file; ``overridden`` maps each id a later
    pack replaced to the file it replaced; ``disabled`` are the ids left out.
    ``proven_safe`` are the digests (``verified.pattern_digest``) of its regexes
    that the backtracking analysis read whole and passed: a cached copy is
    validated with them, so it is not analysed again, and their searches run
    without the time limit on short subjects.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    signatures: tuple[Signature, ...] = ()
    diagnoses: tuple[DiagnosisSpec, ...] = ()
    components: tuple[Component, ...] = ()
    origins: dict[str, str] = {}
    overridden: dict[str, str] = {}
    disabled: tuple[str, ...] = ()
    proven_safe: frozenset[str] = frozenset()

    def signature(self, signature_id: str) -> Signature | None:
        """The signature with this id, or None."""
        return next((s for s in self.signatures if s.id == signature_id), None)


def _kind(path: Path, root: Path) -> type[BaseModel]:
    """What a pack file holds, by the directory it sits in under ``root``."""
    parts = path.relative_to(root).parts
    if "components" in parts[:-1]:
        return Component
    if "diagnoses" in parts[:-1]:
        return DiagnosisSpec
    return Signature


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
    merge = Merge(marks=marks, problems=list(problems))
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
    gone = remove_disabled(merge, disabled)
    items = list(merge.items.values())
    signatures = tuple(i for i in items if isinstance(i, Signature))
    pack = Pack(
        signatures=signatures,
        diagnoses=tuple(i for i in items if isinstance(i, DiagnosisSpec)),
        components=tuple(i for i in items if isinstance(i, Component)),
        origins={k: v for k, v in merge.origins.items() if k in merge.items},
        overridden={k: v for k, v in merge.overridden.items() if k in merge.items},
        disabled=gone,
        proven_safe=proven_digests(
            p for s in signatures if s.unsafe_regex_ok is None for _, p in s.match.patterns()
        ),
    )
    broken = frozenset(merge.broken - set(merge.items))
    references = reference_problems(
        pack.signatures,
        pack.diagnoses,
        pack.components,
        pack.origins,
        marks,
        broken | set(gone),
    )
    found = [*merge.problems, *references]
    return PackRead(pack, tuple(found), marks, tuple(Path(r) for r in roots), broken)


def load_pack_dirs(paths: Iterable[Path]) -> Pack:
    """Load and merge pack directories (or YAML files); raise ``PackError`` on any problem."""
    return read_packs([Path(p) for p in paths]).checked()


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
    by id. With ``cache_dir``, the validated packs are kept there as JSON keyed
    by a digest of the files' contents and the disabled ids, so a later
    identical load skips the YAML; a cache file is validated again when read
    (see ``cache``). Without it, nothing is written.
    """
    roots, problems = pack_roots(paths, builtin=builtin, entry_points=entry_points)
    entries = [d if isinstance(d, Disable) else Disable(id=d) for d in disabled]
    ids = [e.id for e in entries]
    key = pack_key(roots, ids) if cache_dir is not None and not problems else None
    if key is None or cache_dir is None:
        return read_packs(roots, disabled=entries, problems=problems).checked()
    path = cache_file(cache_dir, key)
    cached = read_cached(path, Pack, key)
    if cached is not None:
        return cached
    pack = read_packs(roots, disabled=entries).checked()
    write_cached(path, pack, key)
    return pack
