"""Pack authoring: `test` tables, JSON Schemas, overrides, disabling and entry-point packs."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from amr_logpatterns import PackError, classify, load_packs
from amr_logpatterns.authoring.json_schemas import (
    DESCRIPTIONS,
    SCHEMA_KINDS,
    config_json_schema,
    schema_text,
    signature_json_schema,
)
from amr_logpatterns.authoring.lint import lint_packs
from amr_logpatterns.authoring.selftest import (
    format_test_table,
    pack_tests_exit_code,
    run_pack_tests,
)
from amr_logpatterns.errors import ConfigError
from amr_logpatterns.packs.merge import Disable
from amr_logpatterns.packs.sources import builtin_patterns_dir
from amr_logpatterns.policy.config import check_against_pack, load_config

ROOT = Path(__file__).resolve().parent.parent
PACKS = Path(__file__).parent / "fixtures" / "packs"
DEMO = PACKS / "demo"
OVERRIDE = PACKS / "override"
BUILTIN = builtin_patterns_dir()


def errors_of(pack_root: Path | None = None, **kwargs: Any) -> list[str]:
    roots = [] if pack_root is None else [pack_root]
    with pytest.raises(PackError) as info:
        load_packs(*roots, **kwargs)
    return [str(p) for p in info.value.problems]


# --- amr-logpatterns test ---------------------------------------------------------------


def test_the_table_of_a_passing_pack() -> None:
    results = run_pack_tests([DEMO], builtin=True)
    assert {r.signature_id for r in results} == {"demo.thing-broke", "demo.thing-ok"}
    assert format_test_table(results) == textwrap.dedent(
        """\
        signature         match  no_match  status
        demo.thing-broke    2/2       2/2  ok
        demo.thing-ok       2/2       2/2  ok

        2 signature(s), 8 example(s): 8 passed, 0 failed
        """
    )
    assert pack_tests_exit_code(results) == 0


def test_failures_are_shown_in_detail_with_their_position(tmp_path: Path) -> None:
    pack = Path(shutil.copytree(DEMO, tmp_path / "demo"))
    sig = pack / "demo" / "demo.thing-broke.yaml"
    sig.write_text(
        sig.read_text()
        .replace('fields: {url: "http://b"}', 'fields: {url: "http://B"}')
        .replace('    - "thing broke"\n', '    - "thing broke at http://no"\n')
    )
    results = run_pack_tests([pack], builtin=False)
    table = format_test_table(results)
    assert "demo.thing-broke    1/2       1/2  FAIL" in table
    assert f"  demo.thing-broke match[1]  ({sig}:20:7)\n    line: 2024/01/01 00:00:00 thing broke at http://b\n" in table
    assert "    url: expected 'http://B' (str), got 'http://b' (str)\n" in table
    assert f"  demo.thing-broke no_match[1]  ({sig}:24:7)" in table
    assert "    matched, with fields {'url': 'http://no'}" in table
    assert table.endswith("8 example(s): 6 passed, 2 failed in 1 signature(s)\n")
    assert pack_tests_exit_code(results) == 1


def test_a_broken_pack_raises_instead_of_testing(tmp_path: Path) -> None:
    pack = Path(shutil.copytree(DEMO, tmp_path / "demo"))
    (pack / "demo" / "bad.yaml").write_text("id: [oops\n")
    with pytest.raises(PackError):
        run_pack_tests([pack], builtin=False)


def test_a_missed_example_says_why() -> None:
    pack = PACKS / "lint-errors"
    with pytest.raises(PackError):
        run_pack_tests([pack], builtin=False)
    (result,) = [
        e for e in lint_packs([pack], builtin=False).entries if e.field == "examples.match.3"
    ]
    assert result.message == "did not match: none of its keywords is in the line: 'broke at'"


# --- JSON Schema ----------------------------------------------------------------------


def as_json(data: Any) -> Any:
    """YAML data as a JSON document holds it (dates become strings, as editors read them)."""
    return json.loads(json.dumps(data, default=str))


def schema_errors(schema: dict[str, Any], data: Any) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [e.message for e in validator.iter_errors(as_json(data))]


@pytest.mark.parametrize("kind", ["pack", "signature", "diagnosis", "component"])
def test_the_schemas_are_valid_json_schema(kind: Any) -> None:
    schema = signature_json_schema(kind)
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    json.dumps(schema)


def test_every_builtin_file_validates_against_the_pack_schema_and_its_kind() -> None:
    pack_schema = signature_json_schema()
    kinds = {"components": "component", "diagnoses": "diagnosis"}
    files = sorted(BUILTIN.rglob("*.yaml"))
    assert len(files) > 30
    for path in files:
        data = yaml.safe_load(path.read_text())
        assert schema_errors(pack_schema, data) == [], path
        kind = kinds.get(path.parent.name, "signature")
        assert schema_errors(signature_json_schema(kind), data) == [], path  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "typo", "kind"),
    [
        ("observer/observer.health-check-failed.yaml", ("severity:", "severty:"), "signature"),
        ("observer/observer.health-check-failed.yaml", ("  keywords:", "  keyword:"), "signature"),
        ("diagnoses/diagnosis.amr-graphql-down.yaml", ("summary:", "sumary:"), "diagnosis"),
        ("components/observer.yaml", ("namespaces:", "namespace:"), "component"),
    ],
)
def test_a_typo_d_key_fails(name: str, typo: tuple[str, str], kind: Any) -> None:
    text = (BUILTIN / name).read_text()
    assert typo[0] in text
    data = yaml.safe_load(text.replace(typo[0], typo[1], 1))
    wrong = typo[1].strip().rstrip(":")
    for schema in (signature_json_schema(), signature_json_schema(kind)):
        found = schema_errors(schema, data)
        assert any(f"'{wrong}' was unexpected" in m for m in found), found


def test_the_schema_carries_titles_and_descriptions() -> None:
    schema = signature_json_schema()
    signature = schema["$defs"]["Signature"]
    assert signature["description"].startswith("A known log line")
    assert signature["properties"]["id"]["description"].startswith("component.name")
    assert "any" in schema["$defs"]["Condition"]["properties"]
    assert signature["properties"]["overrides"]["description"]
    config = config_json_schema()["$defs"]["Config"]
    assert config["properties"]["disabled"]["description"]


def test_every_description_names_a_real_property() -> None:
    defs = {**signature_json_schema()["$defs"], **config_json_schema()["$defs"]}
    for model, props in DESCRIPTIONS.items():
        assert model in defs, model
        assert set(props) <= set(defs[model]["properties"]), model


def test_the_config_schema() -> None:
    schema = config_json_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    example = yaml.safe_load((ROOT / "examples" / "ci" / "amr-logpatterns.yaml").read_text())
    assert schema_errors(schema, example) == []
    assert schema_errors(schema, {"disabled": ["observer.ivs-crd-missing"]}) == []
    assert any("'disable' was unexpected" in m for m in schema_errors(schema, {"disable": []}))


def test_schema_text_is_what_the_command_prints(tmp_path: Path) -> None:
    for kind in SCHEMA_KINDS:
        text = schema_text(kind)
        assert text.endswith("}\n")
        schema = json.loads(text)
        expected = config_json_schema() if kind == "config" else signature_json_schema(kind)  # type: ignore[arg-type]
        assert schema == expected
    with pytest.raises(ValueError, match="unknown schema 'signatures'"):
        schema_text("signatures")
    written = tmp_path / "amr-signature.schema.json"
    written.write_text(schema_text())
    data = yaml.safe_load((OVERRIDE / "observer" / "observer.health-check-failed.yaml").read_text())
    assert schema_errors(json.loads(written.read_text()), data) == []


# --- overrides ------------------------------------------------------------------------


def test_an_override_replaces_the_builtin_in_place() -> None:
    builtin = load_packs()
    pack = load_packs(OVERRIDE)
    sig = pack.signature("observer.health-check-failed")
    assert sig is not None and sig.title.startswith("Our staging handler")
    assert [s.id for s in pack.signatures] == [s.id for s in builtin.signatures]
    assert pack.origins["observer.health-check-failed"] == str(
        OVERRIDE / "observer" / "observer.health-check-failed.yaml"
    )
    assert pack.overridden == {
        "observer.health-check-failed": str(BUILTIN / "observer" / "observer.health-check-failed.yaml")
    }
    line = '2023-06-20T19:01:58Z  ERROR  httpclient    {"error": "request failed with status 503"}'
    (finding,) = [f for f in classify(line, packs=pack).findings if f.id == "observer.health-check-failed"]
    assert finding.title == sig.title


def copy_override(tmp_path: Path, old: str, new: str) -> Path:
    src = OVERRIDE / "observer" / "observer.health-check-failed.yaml"
    dst = tmp_path / "p" / "observer" / src.name
    dst.parent.mkdir(parents=True)
    dst.write_text(src.read_text().replace(old, new, 1))
    return tmp_path / "p"


def test_overrides_must_repeat_the_files_own_id(tmp_path: Path) -> None:
    root = copy_override(tmp_path, "overrides: observer.health-check-failed", "overrides: observer.health-check-ok")
    (found,) = errors_of(root)
    assert found.startswith(f"{root}/observer/observer.health-check-failed.yaml:2:1: [observer.health-check-failed] overrides: overrides must repeat this file's id")
    assert "disable it and add yours" in found


def test_overrides_of_an_id_nobody_defines_is_an_error(tmp_path: Path) -> None:
    root = copy_override(tmp_path, "id: observer.health-check-failed\noverrides: observer.health-check-failed", "id: custom.check-failed\noverrides: custom.check-failed")
    found = errors_of(root)
    assert f"{root}/observer/observer.health-check-failed.yaml:2:1: [custom.check-failed] overrides: overrides 'custom.check-failed', but no pack loaded before this one defines it" in found


def test_an_override_within_one_pack_is_refused(tmp_path: Path) -> None:
    root = copy_override(tmp_path, "title: Our", "title: Still our")
    plain = (BUILTIN / "observer" / "observer.health-check-failed.yaml").read_text()
    (root / "observer" / "a-first.yaml").write_text(plain)
    (found,) = [p for p in errors_of(root, builtin=False) if "overrides:" in p]
    assert found == (
        f"{root}/observer/observer.health-check-failed.yaml:2:1: [observer.health-check-failed]"
        " overrides: overrides 'observer.health-check-failed' of the same pack"
        f" ({root}/observer/a-first.yaml); edit that file instead"
    )


def test_a_diagnosis_may_override_but_not_change_kind(tmp_path: Path) -> None:
    src = (BUILTIN / "diagnoses" / "diagnosis.benign-noise.yaml").read_text()
    (tmp_path / "diagnoses").mkdir()
    (tmp_path / "diagnoses" / "diagnosis.benign-noise.yaml").write_text(
        "overrides: diagnosis.benign-noise\n" + src.replace("title: ", "title: Ours - ", 1)
    )
    pack = load_packs(tmp_path)
    diag = next(d for d in pack.diagnoses if d.id == "diagnosis.benign-noise")
    assert diag.title.startswith("Ours - ")
    other = tmp_path / "other"
    (other / "diagnoses").mkdir(parents=True)
    (other / "diagnoses" / "x.yaml").write_text(
        src.replace("id: diagnosis.benign-noise", "id: observer.health-check-ok\noverrides: observer.health-check-ok")
    )
    (found,) = errors_of(other)
    assert "a diagnosis cannot override the signature 'observer.health-check-ok'" in found


# --- disabled -------------------------------------------------------------------------


def test_disabling_removes_and_drops_soft_references() -> None:
    pack = load_packs(disabled=["observer.circuit-breaker-half-open", "handler.location-event"])
    ids = {s.id for s in pack.signatures}
    assert "observer.circuit-breaker-half-open" not in ids and "handler.location-event" not in ids
    assert pack.disabled == ("observer.circuit-breaker-half-open", "handler.location-event")
    for diag in pack.diagnoses:
        assert "observer.circuit-breaker-half-open" not in diag.symptoms
        assert "handler.location-event" not in diag.verify
    amr = pack.signature("handler.amr-unavailable")
    assert amr is not None and amr.verify == []
    half_open = (BUILTIN / "observer" / "observer.circuit-breaker-half-open.yaml").read_text()
    line = yaml.safe_load(half_open)["examples"]["match"][0]["line"]
    assert "observer.circuit-breaker-half-open" in {f.id for f in classify(line).findings}
    assert "observer.circuit-breaker-half-open" not in {f.id for f in classify(line, packs=pack).findings}


def test_disabling_what_a_diagnosis_rests_on_is_an_error_until_it_is_disabled_too() -> None:
    entry = Disable(id="handler.amr-unavailable", path="ci.yaml", line=3, column=5, field="disabled.0")
    found = errors_of(disabled=[entry])
    assert found == [
        "ci.yaml:3:5: [handler.amr-unavailable] disabled.0: diagnosis 'diagnosis.amr-graphql-down'"
        f" ({BUILTIN / 'diagnoses' / 'diagnosis.amr-graphql-down.yaml'}) rests on"
        " 'handler.amr-unavailable'; disable 'diagnosis.amr-graphql-down' too",
        "ci.yaml:3:5: [handler.amr-unavailable] disabled.0: diagnosis 'diagnosis.handler-unhealthy'"
        f" ({BUILTIN / 'diagnoses' / 'diagnosis.handler-unhealthy.yaml'}) rests on"
        " 'handler.amr-unavailable'; disable 'diagnosis.handler-unhealthy' too",
    ]
    pack = load_packs(
        disabled=["handler.amr-unavailable", "diagnosis.amr-graphql-down", "diagnosis.handler-unhealthy"]
    )
    gone = {"diagnosis.amr-graphql-down", "diagnosis.handler-unhealthy"}
    assert {d.id for d in pack.diagnoses} == {d.id for d in load_packs().diagnoses} - gone
    assert "diagnosis.observer-out-of-memory" in {d.id for d in pack.diagnoses}
    exists = pack.signature("handler.report-already-exists")
    assert exists is not None and exists.benign is not None
    assert "handler.amr-unavailable" not in exists.benign.unless_before


def test_unknown_and_component_ids_cannot_be_disabled() -> None:
    assert errors_of(disabled=["observer.no-such-thing", "observer"]) == [
        "<disabled>:0:0: [observer.no-such-thing] disabled: cannot disable 'observer.no-such-thing':"
        " it is not the id of any signature or diagnosis",
        "<disabled>:0:0: [observer] disabled: cannot disable 'observer': it is a component;"
        " only signatures and diagnoses can be disabled",
    ]


def test_the_config_file_disables_with_positions(tmp_path: Path) -> None:
    path = tmp_path / ".amr-logpatterns.yaml"
    path.write_text(
        "fail_on: error\ndisabled:\n  - observer.circuit-breaker-half-open\n  - observer.no-such-thing\n"
        "ignore:\n  - id: observer.circuit-breaker-half-open\n    reason: we said so\n"
    )
    loaded = load_config(path)
    assert loaded.config.disabled == ["observer.circuit-breaker-half-open", "observer.no-such-thing"]
    found = errors_of(disabled=loaded.disabled_entries())
    assert found == [
        f"{path}:4:5: [observer.no-such-thing] disabled.1: cannot disable 'observer.no-such-thing':"
        " it is not the id of any signature or diagnosis"
    ]
    path.write_text(path.read_text().replace("  - observer.no-such-thing\n", ""))
    loaded = load_config(path)
    pack = load_packs(disabled=loaded.disabled_entries())
    with pytest.raises(ConfigError) as info:
        check_against_pack(loaded, pack)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:5:1: ignore.id: 'observer.circuit-breaker-half-open' is disabled, so it never"
        " fires; remove this entry"
    ]


def test_the_pack_cache_key_follows_disabled_and_overrides(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    plain = load_packs(cache_dir=cache)
    fewer = load_packs(cache_dir=cache, disabled=["observer.ivs-crd-missing"])
    assert len(list(cache.glob("pack-*.json"))) == 2
    assert len(fewer.signatures) == len(plain.signatures) - 1
    assert load_packs(cache_dir=cache, disabled=["observer.ivs-crd-missing"]) == fewer
    overridden = load_packs(OVERRIDE, cache_dir=cache)
    assert len(list(cache.glob("pack-*.json"))) == 3
    assert load_packs(OVERRIDE, cache_dir=cache) == overridden
    assert overridden.overridden and not plain.overridden


# --- entry points ---------------------------------------------------------------------


def make_dist(site: Path, name: str, entry_points: dict[str, str]) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = "".join(f"{k} = {v}\n" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(f"[amr_logpatterns.packs]\n{lines}")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on ``sys.path`` to install fake distributions into; their modules are forgotten after."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    yield root
    for name in [m for m in sys.modules if m.startswith("acme_")]:
        del sys.modules[name]


def install_demo(site: Path) -> Path:
    """A package whose module directory is a pack, plus a function naming a second pack."""
    module = site / "acme_amr_pack"
    shutil.copytree(DEMO, module)
    (module / "__init__.py").write_text("")
    (module / "where.py").write_text(
        "from pathlib import Path\n\n\ndef extra() -> str:\n    return str(Path(__file__).parent.parent / 'acme_extra')\n"
    )
    extra = site / "acme_extra" / "demo"
    extra.mkdir(parents=True)
    text = (DEMO / "demo" / "demo.thing-ok.yaml").read_text()
    (extra / "demo.thing-fine.yaml").write_text(text.replace("demo.thing-ok", "demo.thing-fine"))
    make_dist(site, "acme_amr_pack", {"acme": "acme_amr_pack", "acme-extra": "acme_amr_pack.where:extra"})
    return module


def test_entry_point_packs_load_only_when_asked(site: Path) -> None:
    install_demo(site)
    builtin = load_packs()
    assert builtin.signature("demo.thing-broke") is None
    pack = load_packs(entry_points=True)
    ids = [s.id for s in pack.signatures]
    assert ids[: len(builtin.signatures)] == [s.id for s in builtin.signatures]
    assert ids[len(builtin.signatures) :] == ["demo.thing-broke", "demo.thing-ok", "demo.thing-fine"]
    assert pack.origins["demo.thing-fine"] == str(site / "acme_extra" / "demo" / "demo.thing-fine.yaml")
    assert lint_packs(None, builtin=True, entry_points=True).signatures == len(ids)


def test_a_broken_entry_point_is_a_problem_not_a_crash(site: Path) -> None:
    make_dist(site, "acme_broken", {"gone": "acme_no_such_module", "weird": "json:loads"})
    found = errors_of(entry_points=True)
    assert found[0].startswith("entry point gone = acme_no_such_module (acme_broken):0:0: cannot load: ModuleNotFoundError")
    assert found[1].startswith("entry point weird = json:loads (acme_broken):0:0: cannot load: TypeError")
    assert len(found) == 2
    report = lint_packs(None, builtin=True, entry_points=True)
    assert {e.code for e in report.entries if e.level == "error"} == {"entry-point"}


def test_the_cache_key_follows_entry_point_packs(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = load_packs(cache_dir=cache, entry_points=True)
    module = install_demo(site)
    after = load_packs(cache_dir=cache, entry_points=True)
    assert len(after.signatures) == len(before.signatures) + 3
    sig = module / "demo" / "demo.thing-broke.yaml"
    sig.write_text(sig.read_text().replace("title: A thing broke", "title: A thing broke again"))
    changed = load_packs(cache_dir=cache, entry_points=True).signature("demo.thing-broke")
    assert changed is not None and changed.title == "A thing broke again"
    assert len(list(cache.glob("pack-*.json"))) == 3
