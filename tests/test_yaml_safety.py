"""YAML safety: signature packs and the config file are read with safe loaders, within limits.

Every refusal is a ``Problem`` naming the file (and an exit code 2 from the command), never a
crash, a hang or an object built from a tag.
"""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from test_hostile import run_cli

from amr_logpatterns.cli import main
from amr_logpatterns.errors import ConfigError, PackError, Problem
from amr_logpatterns.packs import marked_yaml
from amr_logpatterns.packs.loader import load_packs
from amr_logpatterns.policy.config import load_config

PACKAGE = ROOT / "amr_logpatterns"
EXAMPLE_CONFIG = ROOT / "examples" / "ci" / "amr-logpatterns.yaml"
LOG = ROOT / "examples" / "logs" / "observer-healthy.log"

#: "Billion laughs": nine levels of nine aliases, 9**9 strings once expanded.
BOMB = "\n".join(
    [
        'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)),
        "",
    ]
)
#: The same bomb expanded through a mapping key.
KEY_BOMB = BOMB + "? *a8\n: 1\n"

UNSAFE_CALLS = {"load", "load_all", "full_load", "full_load_all", "unsafe_load", "unsafe_load_all"}
UNSAFE_CLASSES = {
    "Loader",
    "FullLoader",
    "UnsafeLoader",
    "CLoader",
    "CFullLoader",
    "CUnsafeLoader",
    "Constructor",
    "FullConstructor",
    "UnsafeConstructor",
}
SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}


# --- the loaders that are used ---------------------------------------------------------------


def _unsafe_uses(tree: ast.AST) -> list[str]:
    """Every use of an unsafe PyYAML loading API in a module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("yaml"):
            found += [a.name for a in node.names if a.name in UNSAFE_CALLS | UNSAFE_CLASSES]
        if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
            continue
        if node.value.id != "yaml" or node.attr not in UNSAFE_CALLS | UNSAFE_CLASSES:
            continue
        found.append(f"yaml.{node.attr} (line {node.lineno})")
    for node in ast.walk(tree):
        # yaml.load(text, Loader=yaml.SafeLoader) is safe: take those back out
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            loader_kw = [k.value for k in node.keywords if k.arg == "Loader"]
            if (
                node.func.attr in ("load", "load_all")
                and loader_kw
                and isinstance(loader_kw[0], ast.Attribute)
                and loader_kw[0].attr in SAFE_LOADERS
            ):
                found.remove(f"yaml.{node.func.attr} (line {node.func.lineno})")
    return found


def test_the_package_names_no_unsafe_yaml_loader() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 20
    for path in modules:
        assert _unsafe_uses(ast.parse(path.read_text(), str(path))) == [], path
    bad = ast.parse("import yaml\nyaml.load(t)\nyaml.load(t, Loader=yaml.SafeLoader)\n")
    assert _unsafe_uses(bad) == ["yaml.load (line 2)"]
    assert _unsafe_uses(ast.parse("from yaml import FullLoader")) == ["FullLoader"]


@pytest.fixture()
def only_safe_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every unsafe loading entry point of PyYAML fails the test when called."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unsafe YAML loader was used")

    for name in UNSAFE_CALLS:
        monkeypatch.setattr(yaml, name, refuse)
    for name in UNSAFE_CLASSES:
        cls = getattr(yaml, name, None)
        if cls is not None:
            monkeypatch.setattr(cls, "__init__", refuse)


@pytest.mark.usefixtures("only_safe_loaders")
def test_packs_and_config_load_with_safe_loaders_only(tmp_path: Path) -> None:
    pack = load_packs()
    assert pack.signatures and pack.diagnoses
    assert load_config(EXAMPLE_CONFIG).path == str(EXAMPLE_CONFIG)
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["scan", "--jobs", "1", "--config", str(EXAMPLE_CONFIG), str(LOG)], stdout=out, stderr=err
    )
    assert code == 0, err.getvalue()


# --- what a pack or config file may hold -----------------------------------------------------


def _pack_problems(folder: Path) -> list[Problem]:
    with pytest.raises(PackError) as caught:
        load_packs(folder, builtin=False)
    return caught.value.problems


def _config_problems(path: Path) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.problems


def _bounded(load: Callable[[], list[Problem]]) -> tuple[list[Problem], float, float]:
    """Run ``load``; its problems, seconds and peak Python memory in MiB."""
    tracemalloc.start()
    start = time.monotonic()
    try:
        problems = load()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return problems, time.monotonic() - start, peak / (1 << 20)


@pytest.mark.parametrize("text", [BOMB, KEY_BOMB], ids=["values", "key"])
def test_an_alias_bomb_in_a_pack_is_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "bomb.yaml").write_text(text)
    problems, seconds, peak = _bounded(lambda: _pack_problems(tmp_path))
    assert [p.path for p in problems] == [str(tmp_path / "bomb.yaml")]
    assert f"more than {marked_yaml.MAX_YAML_NODES} YAML nodes" in problems[0].message
    assert seconds < 5 and peak < 64


@pytest.mark.parametrize("text", [BOMB, KEY_BOMB], ids=["values", "key"])
def test_an_alias_bomb_in_the_config_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / ".amr-logpatterns.yaml"
    path.write_text(text)
    problems, seconds, peak = _bounded(lambda: _config_problems(path))
    assert [p.path for p in problems] == [str(path)]
    assert f"more than {marked_yaml.MAX_YAML_NODES} YAML nodes" in problems[0].message
    assert seconds < 5 and peak < 64


def test_the_command_refuses_a_bomb_with_exit_2_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "bomb.yaml").write_text(BOMB)
    (tmp_path / "config.yaml").write_text(BOMB)
    out, err = io.StringIO(), io.StringIO()
    args = ["scan", "--jobs", "1", "--patterns", str(tmp_path / "pack"), str(LOG)]
    assert main(args, stdout=out, stderr=err) == 2
    assert (
        f"{tmp_path / 'pack' / 'bomb.yaml'}:" in err.getvalue() and "YAML nodes" in err.getvalue()
    )
    err = io.StringIO()
    args = ["scan", "--jobs", "1", "--config", str(tmp_path / "config.yaml"), str(LOG)]
    assert main(args, stdout=out, stderr=err) == 2
    assert f"{tmp_path / 'config.yaml'}:" in err.getvalue() and "YAML nodes" in err.getvalue()


def _oversized(path: Path) -> None:
    """A valid YAML file one byte over the limit (a long comment)."""
    head = "id: x\n# "
    path.write_text(head + "x" * (marked_yaml.MAX_PACK_FILE_BYTES + 1 - len(head)))
    assert path.stat().st_size == marked_yaml.MAX_PACK_FILE_BYTES + 1


def test_a_pack_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    _oversized(tmp_path / "big.yaml")
    (problem,) = _pack_problems(tmp_path)
    assert problem.path == str(tmp_path / "big.yaml")
    assert f"{marked_yaml.MAX_PACK_FILE_BYTES + 1} bytes" in problem.message


def test_a_config_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    _oversized(tmp_path / "config.yaml")
    (problem,) = _config_problems(tmp_path / "config.yaml")
    assert problem.path == str(tmp_path / "config.yaml")
    assert f"{marked_yaml.MAX_PACK_FILE_BYTES + 1} bytes" in problem.message


def _tagged(marker: Path) -> dict[str, str]:
    """YAML that would run code or build arbitrary objects under an unsafe loader."""
    return {
        "apply": f"id: !!python/object/apply:os.system ['touch {marker}']\n",
        "new": "id: !!python/object/new:subprocess.Popen [['true']]\n",
        "object": "id: !!python/object:argparse.Namespace {a: 1}\n",
        "name": "id: !!python/name:os.system\n",
        "module": "id: !!python/module:os\n",
        "tagged-key": f"? !!python/object/apply:os.system ['touch {marker}']\n: 1\n",
        "custom": "id: !custom-tag x\n",
        "custom-local": "id: !<tag:example.com,2024:thing> x\n",
        "set": "id: !!set {a, b}\n",
        "binary": "id: !!binary aGVsbG8=\n",
    }


@pytest.mark.parametrize("kind", sorted(_tagged(Path("m"))))
def test_a_tag_in_a_pack_is_refused(tmp_path: Path, kind: str) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "sig.yaml").write_text(_tagged(marker)[kind])
    (problem,) = _pack_problems(tmp_path / "pack")
    assert problem.path == str(tmp_path / "pack" / "sig.yaml")
    assert "tag" in problem.message
    assert not marker.exists()


@pytest.mark.parametrize("kind", sorted(_tagged(Path("m"))))
def test_a_tag_in_the_config_is_refused(tmp_path: Path, kind: str) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "config.yaml"
    path.write_text(_tagged(marker)[kind])
    (problem,) = _config_problems(path)
    assert problem.path == str(path) and "tag" in problem.message
    assert not marker.exists()


def test_special_files_in_a_pack_directory_are_not_read(tmp_path: Path) -> None:
    """A FIFO or a link to ``/dev/zero`` named ``*.yaml`` would block or never end."""
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    (tmp_path / "ok.yaml").write_text("id: [unclosed\n")
    problems, seconds, _ = _bounded(lambda: _pack_problems(tmp_path))
    assert [p.path for p in problems] == [str(tmp_path / "ok.yaml")]
    assert seconds < 5


# --- nesting, special files and oversized files ----------------------------------------------


DEEP = {
    "flow": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "self-alias": "a: &a [*a]\n",
}


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_deep_nesting_in_a_pack_is_refused(tmp_path: Path, kind: str) -> None:
    (tmp_path / "deep.yaml").write_text(DEEP[kind])
    (problem,) = _pack_problems(tmp_path)
    assert problem.path == str(tmp_path / "deep.yaml")


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_deep_nesting_in_the_config_is_refused(tmp_path: Path, kind: str) -> None:
    (tmp_path / "config.yaml").write_text(DEEP[kind])
    (problem,) = _config_problems(tmp_path / "config.yaml")
    assert problem.path == str(tmp_path / "config.yaml")


def _child_load_config(path: str) -> subprocess.CompletedProcess[str] | None:
    """``load_config(path)`` in a child limited to 1 GiB of memory; None after 5 s."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from amr_logpatterns.policy.config import ConfigError, load_config\n"
        "try:\n"
        "    load_config(sys.argv[1])\n"
        "except ConfigError as exc:\n"
        "    print(exc)\n"
    )
    try:
        return subprocess.run(
            [sys.executable, "-c", code, path],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_config_that_is_not_a_regular_file_is_refused(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "config.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    done = _child_load_config(str(path))
    assert done is not None, "load_config did not return"
    assert done.returncode == 0 and str(path) in done.stdout, done.stderr[-2000:]


def test_an_oversized_pack_file_is_never_read_whole(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    with (pack / "huge.yaml").open("wb") as f:
        f.truncate(256 << 20)  # sparse: costs no disk
    run = run_cli("scan", "--jobs", "1", "--patterns", str(pack), str(LOG))
    assert run.returncode == 2 and "byte limit" in run.stderr
    assert run.peak_mb < 150, f"peak RSS {run.peak_mb:.0f} MiB"
