"""Read YAML into plain data that remembers where each key stood, within limits.

Packs and the config file are written by hand, so a problem must point at its
line and column; and they may come from anyone, so only plain data is built
(no tags, no objects) and a file or an alias bomb cannot grow without bound.
``validate_marked`` turns a model's validation errors into problems at those
positions.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from amr_logpatterns.errors import Problem

#: The largest YAML file read (packs and the config file), in bytes.
MAX_PACK_FILE_BYTES = 1 << 20
MAX_YAML_NODES = 20_000

_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)

Marks = dict[tuple[Any, ...], tuple[int, int]]

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
        """The document as plain data; None (and a problem) when it cannot be read."""
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
    """Where ``loc`` (or its nearest marked parent) stands; line 1, column 1 when nothing does."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in marks:
            return marks[loc[:end]]
    return (1, 1)


def problem_at(
    path: str, marks: Marks, loc: tuple[Any, ...], item_id: str, message: str, code: str
) -> Problem:
    """A problem with ``item_id`` of ``path``, pointing at where ``loc`` stands."""
    line, col = position(marks, loc)
    return Problem(
        path=path,
        line=line,
        column=col,
        field=".".join(map(str, loc)),
        item_id=item_id,
        message=message,
        code=code,
    )


def validate_marked(model: type[BaseModel], data: Any, reader: YamlReader) -> BaseModel | None:
    """``data`` as a ``model``; None when invalid, each error a problem at its position."""
    item_id = str(data.get("id", "")) if isinstance(data, dict) else ""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            code = "regex" if "regex does not compile" in err["msg"] else "schema"
            reader.problems.append(
                problem_at(reader.path, reader.marks, tuple(err["loc"]), item_id, err["msg"], code)
            )
        return None
