"""Draft signatures for unknown templates load as a pack and pass their own examples."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES
from test_templates import unknown_heavy_log

from amr_logpatterns import Classifier, Seen, UnknownTemplate, load_packs
from amr_logpatterns.authoring.selftest import check_examples
from amr_logpatterns.authoring.suggest import draft_signatures, suggest_signatures, write_drafts

MIXED = FIXTURES / "unknown" / "mixed.log"
TS = "2024-05-01T10:00:00Z"
METACHARACTERS = "\n".join(
    [
        f"{TS}\tERROR\tcache\tcache (stale) [entries] for {{key}} 'k{i}' at C:\\temp\\x.* matched? $1 ^ | + done"
        for i in range(3)
    ]
    + [
        f'{{"level":"warn","ts":"{TS}","msg":"quoted \\"inner \\\\\\"deep\\\\\\" {i}\\" and regex a.b*c? (x|y) [0-9]{{2}}"}}'
        for i in range(2)
    ]
    + [f"W0501 10:00:00.000000       1 x.go:1] tab\there\tand a literal <num> with {i} items" for i in range(2)]
)


def _drafted_pack(tmp_path: Path, text: str, name: str = "input.log") -> tuple[Classifier, list[str], Path]:
    """Classify ``text``, write the drafts of its unknown templates, load them as a pack."""
    classifier = Classifier()
    report = classifier.classify(text, source_name=name)
    assert report.unknown
    drafts = suggest_signatures(report.unknown, classifier.pack)
    assert len(drafts) == len(report.unknown)
    out = tmp_path / "drafts"
    paths = write_drafts(drafts, out)
    assert sorted(p.name for p in paths) == sorted(drafts) == sorted(p.name for p in out.iterdir())
    pack = load_packs(out)
    ids = [Path(name).stem for name in drafts]
    return Classifier(pack), ids, out


def _own_results(classifier: Classifier, ids: list[str]) -> None:
    results = [r for r in check_examples(classifier) if r.signature_id in ids]
    assert {r.signature_id for r in results} == set(ids)
    failed = [r for r in results if not r.passed]
    assert not failed, failed
    for sig_id in ids:
        sig = classifier.pack.signature(sig_id)
        assert sig is not None
        assert len(sig.examples.match) >= 2 and len(sig.examples.no_match) >= 2
        assert sig.category == "unknown" and sig.title.startswith("TODO")
        assert sig.examples.match[0].line != sig.examples.match[1].line


def test_drafts_of_the_fixture_load_and_pass_their_examples(tmp_path: Path) -> None:
    drafted, ids, _ = _drafted_pack(tmp_path, MIXED.read_text(), name=str(MIXED))
    _own_results(drafted, ids)
    # with the drafts in the pack, the same log has no unknown records left
    again = drafted.classify_file(MIXED)
    assert again.unknown == [] and again.stats.unknown_records == 0
    assert {f.id for f in again.findings} >= set(ids)


def test_a_draft_reads_as_its_template(tmp_path: Path) -> None:
    drafted, ids, out = _drafted_pack(tmp_path, MIXED.read_text())
    sig = drafted.pack.signature("custom.unknown-failed-to-sync-object-after-retries-took-get")
    assert sig is not None and sig.id in ids
    assert sig.severity == "error" and sig.component == "observer"
    # whichever AMR pod logged it: every component a pod or namespace identifies
    owners = [c.id for c in load_packs().components if c.namespaces or c.workloads]
    assert sig.attribution == ["observer", *(o for o in owners if o != "observer")]
    assert set(sig.match.keywords) <= {"connection", "retries", "connect", "failed", "object"}
    assert sig.match.message is not None and sig.match.message.startswith("^failed to sync object (?P<uuid1>")
    assert sig.match.fields is not None and sig.match.fields["error"].startswith('^Get "(?P<str1>')
    assert sig.types == {"num1": "int", "num2": "int"}
    first = sig.examples.match[0]
    assert first.line == MIXED.read_text().splitlines()[16]
    assert first.fields["num1"] == 9 and first.fields["ip1"] == "10.0.8.15"
    warning = drafted.pack.signature("custom.unknown-cache-for-key-is-older-than-refreshing")
    assert warning is not None and warning.severity == "warning"
    raw = yaml.safe_load((out / "custom.unknown-cache-for-key-is-older-than-refreshing.yaml").read_text())
    assert raw["explanation"].startswith("TODO") and raw["category"] == "unknown"


def test_regex_metacharacters_and_quotes_are_literal(tmp_path: Path) -> None:
    drafted, ids, _ = _drafted_pack(tmp_path, METACHARACTERS)
    _own_results(drafted, ids)
    assert len(ids) == 3
    messages = [drafted.pack.signature(i).match.message for i in ids]  # type: ignore[union-attr]
    assert any(m and r"\(stale\) \[entries\] for \{key\}" in m and r"C:\\temp\\x" in m for m in messages)
    assert any(m and r"a\.b\*c\? \(x\|y\) \[(?P<num1>" in m for m in messages)
    assert any(m and r"^tab\there\tand a literal <num> with (?P<num1>" in m for m in messages)
    for sig_id in ids:  # the record as it was seen is the first example, whatever it holds
        sig = drafted.pack.signature(sig_id)
        assert sig is not None and sig.examples.match[0].line in METACHARACTERS.splitlines()


def test_drafts_never_match_a_changed_literal_word(tmp_path: Path) -> None:
    drafted, ids, _ = _drafted_pack(tmp_path, MIXED.read_text())
    for sig_id in ids:
        sig = drafted.pack.signature(sig_id)
        assert sig is not None
        example = sig.examples.match[0].line
        for word in sig.match.keywords:
            changed = example.replace(word, word.swapcase())
            assert not [m for m in drafted.scan(changed) if m.id == sig_id], (sig_id, word)


def test_writing_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    classifier = Classifier()
    report = classifier.classify(METACHARACTERS)
    drafts = suggest_signatures(report.unknown, classifier.pack, prefix="team-a")
    assert all(name.startswith("team-a.unknown-") for name in drafts)
    first = next(iter(drafts))
    (tmp_path / first).write_text("edited by hand\n")
    with pytest.raises(FileExistsError, match=first):
        write_drafts(drafts, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [first]
    assert (tmp_path / first).read_text() == "edited by hand\n"
    write_drafts(drafts, tmp_path, overwrite=True)
    assert (tmp_path / first).read_text() == drafts[first]
    with pytest.raises(ValueError, match="prefix"):
        suggest_signatures(report.unknown, classifier.pack, prefix="Bad Prefix")


def _template(template: str, example: str, level: str = "error", source: str = "x.log") -> UnknownTemplate:
    return UnknownTemplate(template=template, level=level, count=4, first_seen=Seen(source=source, line=3), example=example)


def test_templates_without_words_get_no_draft_and_say_why() -> None:
    classifier = Classifier()
    report = classifier.classify(f"{TS}\tERROR\tx\t42\n{TS}\tERROR\tx\t43")
    (t,) = report.unknown
    assert t.template == "<num>"
    (draft,) = draft_signatures(report.unknown, classifier.pack)
    assert draft.text is None and "literal" in draft.reason
    assert suggest_signatures(report.unknown, classifier.pack) == {}


def test_a_template_whose_example_does_not_decode_still_gets_a_draft(tmp_path: Path) -> None:
    classifier = Classifier()
    clipped = _template('lost "<str>" after <num> tries  error=dial tcp <ip>:<num>: i/o timeout', "… not the record")
    drafts = suggest_signatures([clipped], classifier.pack)
    write_drafts(drafts, tmp_path)
    drafted = Classifier(load_packs(tmp_path))
    (sig_id,) = [Path(n).stem for n in drafts]
    _own_results(drafted, [sig_id])
    sig = drafted.pack.signature(sig_id)
    assert sig is not None and sig.match.fields is not None and "error" in sig.match.fields


def test_a_clipped_template_matches_as_a_prefix(tmp_path: Path) -> None:
    classifier = Classifier()
    clipped = _template("lost contact with <ip> after <num> tries and then […]", "not a record", level="warn")
    drafts = suggest_signatures([clipped], classifier.pack)
    write_drafts(drafts, tmp_path)
    drafted = Classifier(load_packs(tmp_path))
    (sig_id,) = [Path(n).stem for n in drafts]
    _own_results(drafted, [sig_id])
    sig = drafted.pack.signature(sig_id)
    assert sig is not None and sig.match.message is not None and not sig.match.message.endswith("$")
    long = f"{TS}\tWARN\tx\tlost contact with 10.9.8.7 after 3 tries and then " + "more " * 300
    assert [m.fields for m in drafted.scan(long) if m.id == sig_id] == [{"ip1": "10.9.8.7", "num1": 3}]


def test_component_comes_from_the_path_or_the_names_in_the_record(tmp_path: Path) -> None:
    classifier = Classifier()
    line = f"{TS}\tERROR\tstore\tcould not flush batch 7 to the queue"
    cases = {
        f"{TS}\tERROR\tstore\tcould not flush batch 7 to amr-persister.metadata-store.svc": "handler",
        f"{TS}\tERROR\tstore\tcould not flush batch 7 to amr-observer-controller-manager": "observer",
        line: "observer",  # no hint: the component with the most signatures
    }
    for text, component in cases.items():
        report = classifier.classify(text)
        (draft,) = draft_signatures(report.unknown, classifier.pack)
        assert draft.text is not None
        assert yaml.safe_load(draft.text)["component"] == component, text
    by_path = classifier.classify(line, source_name="/var/log/pods/metadata-store_amr-persister-6b9c8d7f4-p5wzt_0c1d2e3f-1111-2222-3333-444455556666/handler/0.log")
    (draft,) = draft_signatures(by_path.unknown, classifier.pack)
    assert draft.text is not None and yaml.safe_load(draft.text)["component"] == "handler"


def test_ids_stay_unique(tmp_path: Path) -> None:
    classifier = Classifier()
    text = f"{TS}\tERROR\tx\tqueue full 1\n{TS}\tWARN\tx\tqueue full 2"
    report = classifier.classify(text)
    assert len(report.unknown) == 2
    drafts = suggest_signatures(report.unknown, classifier.pack)
    assert sorted(drafts) == ["custom.unknown-queue-full-2.yaml", "custom.unknown-queue-full.yaml"]
    write_drafts(drafts, tmp_path)
    _own_results(Classifier(load_packs(tmp_path)), [Path(n).stem for n in drafts])


@pytest.mark.parametrize("seed", range(3))
def test_drafts_explain_every_record_of_their_templates(tmp_path: Path, seed: int) -> None:
    data = unknown_heavy_log(seed, 150)
    classifier = Classifier()
    report = classifier.classify(data, source_name="gen")
    drafts = draft_signatures(report.unknown, classifier.pack)
    assert all(d.text for d in drafts), [d.reason for d in drafts if not d.text]
    write_drafts({d.file_name: d.text for d in drafts if d.text}, tmp_path)
    drafted = Classifier(load_packs(tmp_path))
    _own_results(drafted, [d.signature_id for d in drafts])
    again = drafted.classify(data, source_name="gen")
    assert again.unknown == [] and again.stats.unknown_records == 0
