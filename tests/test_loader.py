"""Loading packs: every problem is reported with file, line, column, field and id."""

from __future__ import annotations

from pathlib import Path

import pytest

from amr_logpatterns import PackError, load_packs
from amr_logpatterns.packs.sources import builtin_patterns_dir

COMPONENT = "id: demo\ntitle: Demo\nnamespaces: [demo-system]\n"

SIGNATURE = """\
id: demo.thing-broke
title: A thing broke
component: demo
severity: error
category: demo
explanation: It broke at {url}.
remediation:
  - text: Fix {url}.
    command: kubectl -n demo-system rollout restart deployment/demo
match:
  keywords: ["thing broke"]
  message: 'thing broke at (?P<url>\\S+)'
examples:
  match:
    - line: "thing broke at http://a"
      fields: {url: "http://a"}
    - line: "2024/01/01 00:00:00 thing broke at http://b"
  no_match:
    - "thing works"
    - "thing broke"
"""


def write_pack(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(PackError) as info:
        load_packs(root, builtin=False)
    return [str(p) for p in info.value.problems]


def test_a_valid_pack_loads(tmp_path: Path) -> None:
    pack = load_packs(
        write_pack(tmp_path, {"components/demo.yaml": COMPONENT, "demo/demo.thing-broke.yaml": SIGNATURE}),
        builtin=False,
    )
    assert [s.id for s in pack.signatures] == ["demo.thing-broke"]
    assert [c.id for c in pack.components] == ["demo"]


def test_unknown_key_names_file_line_column_field_and_id(tmp_path: Path) -> None:
    bad = SIGNATURE.replace("category: demo\n", "category: demo\nseverty: error\n")
    found = problems(write_pack(tmp_path, {"components/demo.yaml": COMPONENT, "s.yaml": bad}))
    assert found == [f"{tmp_path / 's.yaml'}:6:1: [demo.thing-broke] severty: Extra inputs are not permitted"]


def test_nested_unknown_key_and_bad_regex_are_both_reported(tmp_path: Path) -> None:
    bad = SIGNATURE.replace("  message: 'thing broke at (?P<url>\\S+)'", "  mesage: 'x'\n  text: 'thing (broke'")
    found = problems(write_pack(tmp_path, {"components/demo.yaml": COMPONENT, "s.yaml": bad}))
    path = tmp_path / "s.yaml"
    assert f"{path}:12:3: [demo.thing-broke] match.mesage: Extra inputs are not permitted" in found
    regex_problem = [p for p in found if "match.text" in p]
    assert regex_problem and regex_problem[0].startswith(f"{path}:13:3:")
    assert "regex does not compile at position" in regex_problem[0]


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    bad = SIGNATURE.replace("severity: error\n", "severity: error\nseverity: info\n")
    found = problems(write_pack(tmp_path, {"components/demo.yaml": COMPONENT, "s.yaml": bad}))
    assert found == [f"{tmp_path / 's.yaml'}:5:1: [demo.thing-broke] severity: duplicate key 'severity'"]


def test_duplicate_ids_across_files_and_all_errors_collected(tmp_path: Path) -> None:
    broken = SIGNATURE.replace("id: demo.thing-broke", "id: demo.other").replace("title: A thing broke\n", "")
    found = problems(
        write_pack(
            tmp_path,
            {
                "components/demo.yaml": COMPONENT,
                "a.yaml": SIGNATURE,
                "b.yaml": SIGNATURE,
                "c.yaml": broken,
            },
        )
    )
    assert any("b.yaml:1:1: [demo.thing-broke] id: duplicate id, already defined in" in p for p in found)
    assert any("c.yaml" in p and "title: Field required" in p for p in found)


def test_too_few_examples_and_unknown_component(tmp_path: Path) -> None:
    bad = SIGNATURE.replace('    - "thing works"\n', "").replace("component: demo", "component: nowhere")
    found = problems(write_pack(tmp_path, {"components/demo.yaml": COMPONENT, "s.yaml": bad}))
    assert any("examples.no_match: List should have at least 2 items" in p for p in found)


def test_unknown_component_is_reported(tmp_path: Path) -> None:
    bad = SIGNATURE.replace("component: demo", "component: nowhere")
    found = problems(write_pack(tmp_path, {"components/demo.yaml": COMPONENT, "s.yaml": bad}))
    assert found == [f"{tmp_path / 's.yaml'}:3:1: [demo.thing-broke] component: unknown component 'nowhere'; known: ['demo']"]


def test_yaml_syntax_error_and_tags_are_refused(tmp_path: Path) -> None:
    found = problems(
        write_pack(
            tmp_path,
            {
                "components/demo.yaml": COMPONENT,
                "syntax.yaml": "id: [unclosed\n",
                "tag.yaml": "id: !!python/object/apply:os.system ['true']\n",
            },
        )
    )
    assert any("syntax.yaml:2:1: invalid YAML" in p for p in found)
    assert any("tag.yaml:1:5: invalid YAML" in p for p in found)


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 8):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    found = problems(write_pack(tmp_path, {"components/demo.yaml": COMPONENT, "bomb.yaml": bomb}))
    assert any("alias bomb" in p for p in found)


def test_missing_directory(tmp_path: Path) -> None:
    found = problems(tmp_path / "nope")
    assert found == [f"{tmp_path / 'nope'}:0:0: no such file or directory"]


def test_builtin_pack_has_every_catalogue_id() -> None:
    catalogue = (Path(__file__).parent / "fixtures" / "catalogue_ids.txt").read_text().split()
    pack = load_packs()
    ids = {s.id for s in pack.signatures} | {d.id for d in pack.diagnoses}
    assert sorted(set(catalogue) - ids) == []
    assert builtin_patterns_dir().name == "patterns"


def test_signature_file_is_named_after_its_id() -> None:
    pack = load_packs()
    for item_id, origin in pack.origins.items():
        assert Path(origin).stem == item_id, origin


def test_pack_cache_is_keyed_by_contents(tmp_path: Path) -> None:
    pack_dir = write_pack(tmp_path / "p", {"components/demo.yaml": COMPONENT, "demo/demo.thing-broke.yaml": SIGNATURE})
    cache = tmp_path / "cache"
    first = load_packs(pack_dir, builtin=False, cache_dir=cache)
    assert len(list(cache.glob("pack-*.json"))) == 1
    assert load_packs(pack_dir, builtin=False, cache_dir=cache) == first
    (pack_dir / "demo" / "demo.thing-broke.yaml").write_text(SIGNATURE.replace("A thing broke", "Changed"))
    changed = load_packs(pack_dir, builtin=False, cache_dir=cache)
    assert changed.signatures[0].title == "Changed"
    assert len(list(cache.glob("pack-*.json"))) == 2


def test_a_broken_pack_is_never_cached(tmp_path: Path) -> None:
    pack_dir = write_pack(tmp_path / "p", {"components/demo.yaml": COMPONENT, "s.yaml": "id: [oops\n"})
    with pytest.raises(PackError):
        load_packs(pack_dir, builtin=False, cache_dir=tmp_path / "cache")
    cache = tmp_path / "cache"
    assert not cache.exists() or not any(cache.iterdir())
