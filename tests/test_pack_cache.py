"""The pack cache holds only data: whatever is in the cache directory, a load never runs it.

A valid cache file saves reading the YAML; anything else there (a pickle, garbage, another
shape, an older format, a cut write, a regex the load would refuse) is ignored and rebuilt.
"""

from __future__ import annotations

import ast
import builtins
import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from test_loader import COMPONENT, SIGNATURE, write_pack

from amr_logpatterns import load_packs
from amr_logpatterns.packs import cache
from amr_logpatterns.packs.loader import Pack
from amr_logpatterns.packs.marked_yaml import YamlReader

PACKAGE = ROOT / "amr_logpatterns"


class _Exploit:
    """Unpickling this runs ``code``: what an attacker would leave in a pickle cache."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[str]]:
        return builtins.exec, (self.code,)


@pytest.fixture
def yaml_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pack files read as YAML from now on."""
    reads: list[str] = []
    original = YamlReader.read

    def spy(self: YamlReader) -> Any:
        reads.append(self.path)
        return original(self)

    monkeypatch.setattr(YamlReader, "read", spy)
    return reads


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "p", {"components/demo.yaml": COMPONENT, "demo/demo.thing-broke.yaml": SIGNATURE})


def only_cache_file(cache_dir: Path) -> Path:
    (found,) = cache_dir.iterdir()  # the one file, no temporary left behind
    assert found.name.startswith("pack-") and found.suffix == ".json"
    return found


def test_the_builtin_pack_comes_back_from_the_cache_equal_to_a_fresh_load(
    tmp_path: Path, yaml_reads: list[str]
) -> None:
    fresh = load_packs()
    assert load_packs(cache_dir=tmp_path) == fresh
    only_cache_file(tmp_path)
    yaml_reads.clear()
    cached = load_packs(cache_dir=tmp_path)
    assert yaml_reads == []
    assert cached == fresh
    # fields a report leaves out (model_dump drops them) survive the round trip
    steps = [step for sig in cached.signatures for step in sig.remediation]
    assert any(step.if_known for step in steps) and any(step.if_unknown for step in steps)


def test_a_cache_file_is_plain_json_naming_its_format_and_key(tmp_path: Path, demo: Path) -> None:
    pack = load_packs(demo, builtin=False, cache_dir=tmp_path / "cache")
    path = only_cache_file(tmp_path / "cache")
    data = json.loads(path.read_text())
    assert sorted(data) == ["format", "key", "value"]
    assert data["format"] == cache.CACHE_FORMAT
    assert path.name == f"pack-{data['key']}.json"
    assert Pack.model_validate(data["value"]) == pack
    assert path.stat().st_mode & 0o077 == 0


def test_a_pickle_in_the_cache_is_never_run_and_is_rebuilt(
    tmp_path: Path, demo: Path, yaml_reads: list[str]
) -> None:
    cache_dir = tmp_path / "cache"
    fresh = load_packs(demo, builtin=False, cache_dir=cache_dir)
    path = only_cache_file(cache_dir)
    ran = tmp_path / "ran"
    payload = pickle.dumps(_Exploit(f"open({str(ran)!r}, 'w').write('owned')"))
    # the payload is live: unpickling it runs the code
    proof = tmp_path / "proof"
    pickle.loads(pickle.dumps(_Exploit(f"open({str(proof)!r}, 'w').write('owned')")))
    assert proof.read_text() == "owned"
    path.write_bytes(payload)
    yaml_reads.clear()
    assert load_packs(demo, builtin=False, cache_dir=cache_dir) == fresh
    assert not ran.exists()
    assert yaml_reads, "the cache was not rebuilt"
    yaml_reads.clear()
    assert load_packs(demo, builtin=False, cache_dir=cache_dir) == fresh
    assert yaml_reads == [] and not ran.exists()


def _wrong_shape(entry: dict[str, Any]) -> bytes:
    entry["value"]["signatures"] = "not a list"
    return json.dumps(entry).encode()


def _old_format(entry: dict[str, Any]) -> bytes:
    entry["format"] -= 1
    return json.dumps(entry).encode()


def _other_key(entry: dict[str, Any]) -> bytes:
    entry["key"] = "0" * 32
    return json.dumps(entry).encode()


def _bare_pack(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry["value"]).encode()


def _unknown_field(entry: dict[str, Any]) -> bytes:
    entry["value"]["signatures"][0]["run"] = "os.system"
    return json.dumps(entry).encode()


def _unsafe_regex(entry: dict[str, Any]) -> bytes:
    entry["value"]["signatures"][0]["match"]["message"] = "(a+)+$"
    return json.dumps(entry).encode()


def _bad_regex(entry: dict[str, Any]) -> bytes:
    entry["value"]["signatures"][0]["match"]["message"] = "(unclosed"
    return json.dumps(entry).encode()


SPOILERS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "garbage": lambda _: b"\x00\xffnot json at all",
    "empty": lambda _: b"",
    "truncated": lambda entry: json.dumps(entry).encode()[:200],
    "not an object": lambda _: b"[1, 2, 3]",
    "wrong shape": _wrong_shape,
    "old format": _old_format,
    "another key": _other_key,
    "a pack without its envelope": _bare_pack,
    "an unknown field": _unknown_field,
    "a regex the load refuses": _unsafe_regex,
    "a regex that does not compile": _bad_regex,
}


@pytest.mark.parametrize("spoil", SPOILERS.values(), ids=SPOILERS.keys())
def test_a_cache_file_that_does_not_validate_is_ignored_and_rebuilt(
    tmp_path: Path, demo: Path, yaml_reads: list[str], spoil: Callable[[dict[str, Any]], bytes]
) -> None:
    cache_dir = tmp_path / "cache"
    fresh = load_packs(demo, builtin=False, cache_dir=cache_dir)
    path = only_cache_file(cache_dir)
    path.write_bytes(spoil(json.loads(path.read_text())))
    yaml_reads.clear()
    assert load_packs(demo, builtin=False, cache_dir=cache_dir) == fresh
    assert yaml_reads, "the spoilt cache was used"
    assert Pack.model_validate(json.loads(only_cache_file(cache_dir).read_text())["value"]) == fresh
    yaml_reads.clear()
    load_packs(demo, builtin=False, cache_dir=cache_dir)
    assert yaml_reads == []


def test_nothing_is_written_without_a_cache_dir(
    tmp_path: Path, demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMR_LOGPATTERNS_CACHE", str(tmp_path / "env-cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    load_packs(demo, builtin=False)
    assert sorted(tmp_path.rglob("*")) == before


def test_a_cache_dir_that_cannot_be_written_only_costs_the_cache(tmp_path: Path, demo: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    assert load_packs(demo, builtin=False, cache_dir=blocked) == load_packs(demo, builtin=False)
    assert blocked.read_text() == "not a directory"


def test_the_package_never_unpickles() -> None:
    unsafe = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{path.relative_to(ROOT)}:{node.lineno}: {n}" for n in names if n.split(".")[0] in unsafe]
    assert found == []
