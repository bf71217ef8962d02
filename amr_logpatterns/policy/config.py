"""The project config file (``.amr-logpatterns.yaml``): defaults for the gate, and ignore entries.

It is validated like a pack: unknown keys, bad values and ignore entries that
name no known signature are errors with file, line and field, never skipped.
Relative paths in it are relative to the file, so a pipeline can run from anywhere.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from amr_logpatterns.errors import ConfigError, Problem
from amr_logpatterns.models.results import FailOn
from amr_logpatterns.packs.loader import Pack
from amr_logpatterns.packs.marked_yaml import MAX_PACK_FILE_BYTES, YamlReader, validate_marked
from amr_logpatterns.packs.merge import Disable
from amr_logpatterns.packs.schema import Scalar, Severity
from amr_logpatterns.policy.selectors import names_any
from amr_logpatterns.wording import did_you_mean

#: The name looked up in the working directory when ``--config`` is not given.
DEFAULT_NAME = ".amr-logpatterns.yaml"

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class IgnoreEntry(_Strict):
    """A problem the team accepted: which findings it covers, why, and until when."""

    id: str | None = None
    fingerprint: str | None = None
    fields: dict[str, Scalar] = Field(default_factory=dict)
    reason: Reason
    expires: date | None = None

    @model_validator(mode="after")
    def _names_something(self) -> IgnoreEntry:
        if self.id is None and self.fingerprint is None:
            raise ValueError("an ignore entry needs an id or a fingerprint")
        return self


class Config(_Strict):
    """Everything the config file may set; the command line overrides each of them.

    ``disabled`` removes signatures and diagnoses by exact id before anything
    runs (unlike ``exclude``, which still checks and counts them); see
    ``load_packs(disabled=...)``.
    """

    patterns: list[str] = Field(default_factory=list)
    format: str | None = None
    verbose: bool = False
    fail_on: FailOn | None = None
    min_severity: Severity | None = None
    only: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    baseline: str | None = None
    ignore_recovered: bool = False
    guide_url: str | None = None
    ignore: list[IgnoreEntry] = Field(default_factory=list)
    disabled: list[str] = Field(default_factory=list)
    expect: list[str] = Field(default_factory=list)


class LoadedConfig(BaseModel):
    """A validated config, where it came from, and where each ignore entry stands."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    config: Config = Field(default_factory=Config)
    path: str | None = None
    ignore_origins: list[str] = Field(default_factory=list)
    disabled_at: list[tuple[int, int]] = Field(default_factory=list)
    expect_at: list[tuple[int, int]] = Field(default_factory=list)
    only_at: list[tuple[int, int]] = Field(default_factory=list)
    exclude_at: list[tuple[int, int]] = Field(default_factory=list)

    def resolve(self, relative: str) -> str:
        """A path written in the config, made relative to the config file's directory."""
        if self.path is None or Path(relative).is_absolute():
            return relative
        return str(Path(self.path).parent / relative)

    def disabled_entries(self) -> list[Disable]:
        """The ``disabled`` ids for ``load_packs``, each with its position in this file."""
        positions = self.disabled_at or [(0, 0)] * len(self.config.disabled)
        return [
            Disable(
                id=item_id,
                path=self.path or "<config>",
                line=line,
                column=column,
                field=f"disabled.{i}",
            )
            for i, (item_id, (line, column)) in enumerate(
                zip(self.config.disabled, positions, strict=True)
            )
        ]


def load_config(path: str | Path) -> LoadedConfig:
    """Read and validate a config file; raise ``ConfigError`` naming every problem."""
    name = str(path)
    p = Path(path)
    try:
        if p.exists() and not p.is_file():
            raise ConfigError(
                [Problem(path=name, line=1, column=1, message="not a regular file")]
            )
        size = p.stat().st_size
        if size > MAX_PACK_FILE_BYTES:
            raise ConfigError(
                [Problem(path=name, line=1, column=1, message=f"file is {size} bytes, too large")]
            )
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError([Problem(path=name, line=0, column=0, message="no such file")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            [Problem(path=name, line=1, column=1, message=f"cannot read: {exc}")]
        ) from exc
    reader = YamlReader(name, text)
    data = reader.read()
    if data is None and [p.message for p in reader.problems] == ["the file is empty"]:
        return LoadedConfig(path=name)
    if reader.problems:
        raise ConfigError(reader.problems)
    config = validate_marked(Config, data, reader)
    if config is None or reader.problems:
        raise ConfigError(reader.problems)
    assert isinstance(config, Config)
    origins = []
    for i in range(len(config.ignore)):
        line, _ = reader.marks.get(("ignore", i), (0, 0))
        origins.append(f"{name}:{line}")
    def at(key: str) -> list[tuple[int, int]]:
        return [reader.marks.get((key, i), (0, 0)) for i in range(len(getattr(config, key)))]

    return LoadedConfig(
        config=config,
        path=name,
        ignore_origins=origins,
        disabled_at=at("disabled"),
        expect_at=at("expect"),
        only_at=at("only"),
        exclude_at=at("exclude"),
    )


def find_config(explicit: str | None) -> LoadedConfig:
    """The ``--config`` file, else ``.amr-logpatterns.yaml`` in the working directory, else none."""
    if explicit is not None:
        return load_config(explicit)
    if Path(DEFAULT_NAME).is_file():
        return load_config(DEFAULT_NAME)
    return LoadedConfig()


def check_against_pack(loaded: LoadedConfig, pack: Pack) -> None:
    """Refuse ignore entries and selectors that name nothing known: a typo would gate nothing."""
    problems = config_problems(loaded, pack)
    if problems:
        raise ConfigError(problems)


def config_problems(loaded: LoadedConfig, pack: Pack) -> list[Problem]:
    """Each ignore entry, ``expect``, ``only`` and ``exclude`` value that names nothing in
    ``pack``, with where it is written and the id it was probably meant to be."""
    known = {s.id for s in pack.signatures} | {d.id for d in pack.diagnoses}
    components = {c.id for c in pack.components} | {"diagnosis"}
    problems = []
    for entry, origin in zip(loaded.config.ignore, loaded.ignore_origins, strict=True):
        if entry.id is not None and not names_any(entry.id, known):
            _, _, line = origin.rpartition(":")
            message = f"no signature or diagnosis {entry.id!r}{did_you_mean(entry.id, known)}"
            if names_any(entry.id, set(pack.disabled)):
                message = f"{entry.id!r} is disabled, so it never fires; remove this entry"
            problems.append(
                Problem(
                    path=loaded.path or "",
                    line=int(line or 0),
                    column=1,
                    field="ignore.id",
                    message=message,
                )
            )
    expectable = expectable_components(pack)
    for i, value in enumerate(loaded.config.expect):
        if value not in expectable:
            at, col = loaded.expect_at[i] if i < len(loaded.expect_at) else (0, 0)
            problems.append(
                Problem(
                    path=loaded.path or "",
                    line=at,
                    column=col,
                    field=f"expect.{i}",
                    message=f"{value!r} is not an AMR component{did_you_mean(value, expectable)}"
                    f" (choose from {', '.join(expectable)})",
                )
            )
    for key in ("only", "exclude"):
        positions = getattr(loaded, f"{key}_at")
        for i, value in enumerate(getattr(loaded.config, key)):
            if not names_any(value, known) and value not in components:
                message = f"{value!r} names no signature, diagnosis or component"
                message += did_you_mean(value, [*known, *components])
                if names_any(value, set(pack.disabled)):
                    message = f"{value!r} names only disabled ids; remove it"
                row, col = positions[i] if i < len(positions) else (0, 0)
                problems.append(
                    Problem(
                        path=loaded.path or "",
                        line=row,
                        column=col,
                        field=f"{key}.{i}",
                        message=message,
                    )
                )
    return problems


def expectable_components(pack: Pack) -> list[str]:
    """What ``expect`` may name: the components a pod or namespace identifies, and ``any``."""
    return [c.id for c in pack.components if c.namespaces or c.workloads] + ["any"]


