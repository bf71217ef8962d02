"""Bundles read what can matter: in a cluster dump, a must-gather or a support bundle, the logs of
pods no AMR component runs in are left unread, counted by reason in every format, and never
seen by ``--expect``; ``--all-files`` reads them, and a file named on its own is always read."""

from __future__ import annotations

import io
import json
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from jsonschema.validators import validator_for
from test_inputs import tree

import amr_logpatterns
from amr_logpatterns import Classifier, Report, SkippedFiles
from amr_logpatterns.cli import main
from amr_logpatterns.ingest.inputs import expand_inputs
from amr_logpatterns.packs.schema import Component
from amr_logpatterns.pipeline.merge import merge_reports
from amr_logpatterns.pipeline.relevance import OTHER_POD, classify_paths, other_pod, select_inputs

AMR_POD = "amr-observer-controller-manager-5c8d7f6b9d-q2wzj"
SCHEME_LOG = (ROOT / "examples" / "logs" / "observer-missing-scheme.log").read_bytes()
#: A foreign pod's log whose lines AMR's signatures match when no path names its pod.
FOREIGN = (
    FIXTURES
    / "bundles/support-bundle-2025-01-14T09_31_00/cluster-resources/pods/logs/shop"
    / "inventory-7d9f8c6b5-q2w4z/inventory.log"
).read_bytes()
#: A CI job's pod whose own log relays the Observer's (``kubectl logs`` and its output).
RELAY = (
    b"$ kubectl -n amr-observer-system logs deployments/amr-observer-controller-manager\n"
    + SCHEME_LOG
)
AMR_FINDINGS = {
    "diagnosis.endpoint-missing-scheme",
    "observer.unsupported-protocol-scheme",
    "observer.no-certs-appended",
}

# ``kubectl cluster-info dump --output-directory``: NS/POD/logs.txt, NS/events.json, NS/pods.json
AMR_LOG = f"amr-observer-system/{AMR_POD}/logs.txt"
DUMP: dict[str, bytes] = {
    "nodes.json": b'{"kind": "NodeList", "items": []}\n',
    "amr-observer-system/events.json": b'{"kind": "EventList", "items": []}\n',
    "amr-observer-system/pods.json": b'{"kind": "PodList", "items": []}\n',
    AMR_LOG: SCHEME_LOG,
    "ci/runner-6b7f9c8d4-m2n4p/logs.txt": RELAY,
    "kube-system/coredns-5d78c9869d-x7k2p/logs.txt": SCHEME_LOG,
    # AMR's namespace, but no AMR component's pod
    "metadata-store/billing-api-5d9c7b6f8-x8k2p/logs.txt": SCHEME_LOG,
    "shop/events.json": b'{"kind": "EventList", "items": []}\n',
    "shop/pods.json": b'{"kind": "PodList", "items": []}\n',
    "shop/inventory-7d9f8c6b5-q2w4z/logs.txt": FOREIGN,
}
#: The other pods' logs, in the order a walk finds them.
OTHER_LOGS = [
    "ci/runner-6b7f9c8d4-m2n4p/logs.txt",
    "kube-system/coredns-5d78c9869d-x7k2p/logs.txt",
    "metadata-store/billing-api-5d9c7b6f8-x8k2p/logs.txt",
    "shop/inventory-7d9f8c6b5-q2w4z/logs.txt",
]
OTHER_BYTES = sum(len(DUMP[name]) for name in OTHER_LOGS)

# ``oc adm must-gather``: namespaces/NS/pods/POD/CONTAINER/CONTAINER/logs/current.log
MG = "must-gather.local.5/quay-io-openshift-must-gather-sha256-ab12"
MUST_GATHER: dict[str, bytes] = {
    f"{MG}/namespaces/amr-observer-system/pods/{AMR_POD}/manager/manager/logs/current.log": SCHEME_LOG,
    # an AMR pod's sidecar: the pod is AMR's, so it is read
    f"{MG}/namespaces/amr-observer-system/pods/{AMR_POD}/kube-rbac-proxy/kube-rbac-proxy/logs/current.log": (
        b"I0903 14:22:05.000000       1 main.go:218] Starting TCP socket on 0.0.0.0:8443\n"
    ),
    f"{MG}/namespaces/shop/pods/inventory-7d9f8c6b5-q2w4z/inventory/inventory/logs/current.log": FOREIGN,
    f"{MG}/namespaces/shop/pods/inventory-7d9f8c6b5-q2w4z/inventory/inventory/logs/previous.log": FOREIGN,
    f"{MG}/namespaces/kube-system/pods/coredns-5d78c9869d-x7k2p/coredns/coredns/logs/current.log": SCHEME_LOG,
    f"{MG}/namespaces/amr-observer-system/core/events.yaml": b"kind: EventList\nitems: []\n",
}
MG_READ = list(MUST_GATHER)[:2]
MG_OTHER = list(MUST_GATHER)[2:5]


@pytest.fixture()
def dump(tmp_path: Path) -> Path:
    return tree(tmp_path / "dump", DUMP)


@pytest.fixture()
def must_gather(tmp_path: Path) -> Path:
    archive = tmp_path / "must-gather.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in MUST_GATHER.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def sources(report: Report) -> list[str]:
    return [s.source for s in report.stats.sources]


def ids(report: Report) -> set[str]:
    return {f.id for f in report.findings} | {d.id for d in report.diagnoses}


# --- the decision ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "other"),
    [
        (f"dump/{AMR_LOG}", False),
        ("dump/kube-system/coredns-5d78c9869d-x7k2p/logs.txt", True),
        ("dump/metadata-store/billing-api-5d9c7b6f8-x8k2p/logs.txt", True),
        ("dump/metadata-store/amr-persister-5b8d9c7f6-h4k2m/logs.txt", False),
        ("dump/shop/events.json", False),  # namespace-wide: names no pod
        ("dump/shop/pods.json", False),
        ("dump/nodes.json", False),
        (f"mg.tgz:{MG_OTHER[0]}", True),
        (f"mg.tgz:{MG_READ[1]}", False),  # the sidecar of an AMR pod
        ("bundle/cluster-resources/pods/logs/shop/web-0/nginx.log", True),  # troubleshoot.sh
        ("/var/log/pods/shop_web-0_0d1f9c52-8a43-4b0e-9a57-1c2d3e4f5a6b/nginx/0.log", True),
        (f"logs/{AMR_POD}/manager.log", False),  # "logs" is no namespace
        ("logs/inventory-7d9f8c6b5-q2w4z/inventory.log", True),
        ("ticket-4711/observer.log", False),  # names no pod
        ("shop/inventory-7d9f8c6b5-qawep/logs.txt", False),  # not a generated name: no pod
    ],
)
def test_other_pod_is_decided_by_the_pod_the_path_names(
    classifier: Classifier, path: str, other: bool
) -> None:
    assert other_pod(path, classifier.pack.components) is other


def test_without_components_that_name_pods_nothing_is_another_pods() -> None:
    bare = [Component(id="kubectl", title="kubectl")]
    assert not other_pod("dump/kube-system/coredns-5d78c9869d-x7k2p/logs.txt", bare)


def test_only_found_files_are_left_out(classifier: Classifier, dump: Path) -> None:
    foreign = str(dump / OTHER_LOGS[1])
    inputs = expand_inputs([foreign, str(dump)])
    assert [i.found for i in inputs][:2] == [False, True]
    chosen = select_inputs(inputs, classifier.pack.components)
    assert chosen.read[0].name == foreign
    assert chosen.skipped[0].sources == [f"{dump}/{name}" for name in OTHER_LOGS]
    everything = select_inputs(inputs, classifier.pack.components, all_files=True)
    assert everything.read == inputs and everything.skipped == []


# --- a cluster-info dump and a must-gather ----------------------------------------------------


def test_a_cluster_dump_reads_amr_and_counts_the_other_pods(
    classifier: Classifier, dump: Path
) -> None:
    report = classify_paths(classifier, [dump], globs=["*.txt", "*.json"])
    prefix = f"{dump}/"
    # namespace-wide files (events, pods) and nodes.json are read, in the walk's order
    read = sorted((name for name in DUMP if name not in OTHER_LOGS), key=lambda n: n.split("/"))
    assert sources(report) == [prefix + name for name in read]
    (skipped,) = report.skipped_files
    assert skipped == SkippedFiles(
        reason="other-pod",
        files=len(OTHER_LOGS),
        bytes=OTHER_BYTES,
        sources=[prefix + name for name in OTHER_LOGS],
    )
    assert ids(report) >= AMR_FINDINGS
    alone = classifier.classify_files([dump / AMR_LOG])
    assert [(f.id, f.count) for f in report.findings] == [(f.id, f.count) for f in alone.findings]
    assert {f.first_seen.source for f in report.findings} == {prefix + AMR_LOG}


def test_all_files_reads_the_other_pods_logs(classifier: Classifier, dump: Path) -> None:
    report = classify_paths(classifier, [dump], all_files=True)
    assert sources(report) == [f"{dump}/{name}" for name in DUMP if name.endswith(".txt")]
    assert report.skipped_files == []
    # the relaying pod's log names the Observer itself: read, its lines count
    relayed = {source for f in report.findings for source in f.first_seen_in}
    assert f"{dump}/{OTHER_LOGS[0]}" in relayed


def test_a_must_gather_archive_is_read_the_same_way(
    classifier: Classifier, must_gather: Path
) -> None:
    report = classify_paths(classifier, [must_gather])
    prefix = f"{must_gather}:"
    assert sources(report) == [prefix + name for name in MG_READ]
    assert report.skipped_files == [
        SkippedFiles(
            reason=OTHER_POD,
            files=3,
            bytes=sum(len(MUST_GATHER[m]) for m in MG_OTHER),
            sources=[prefix + m for m in MG_OTHER],
        )
    ]
    assert ids(report) >= AMR_FINDINGS
    everything = classify_paths(classifier, [must_gather], all_files=True)
    assert sources(everything) == [prefix + name for name in [*MG_READ, *MG_OTHER]]
    assert everything.skipped_files == []


def test_the_other_pods_lines_would_match_if_nothing_named_their_pod(
    classifier: Classifier,
) -> None:
    for text in (FOREIGN, SCHEME_LOG):
        report = classifier.classify_many([("pasted.log", io.BytesIO(text))])
        assert report.findings, "the skipped logs must hold lines AMR's signatures match"


def test_a_file_named_on_its_own_is_always_read(classifier: Classifier, dump: Path) -> None:
    foreign = dump / "kube-system/coredns-5d78c9869d-x7k2p/logs.txt"
    report = classify_paths(classifier, [foreign])
    assert sources(report) == [str(foreign)] and report.skipped_files == []
    assert classifier.classify_files([foreign]).stats.lines_read == report.stats.lines_read
    _, out, err = run("scan", "--format", "json", str(foreign))
    data = json.loads(out)
    assert [s["source"] for s in data["stats"]["sources"]] == [str(foreign)]
    assert data["skipped_files"] == [] and "not read" not in err


def test_the_top_level_function_and_no_path(dump: Path) -> None:
    report = amr_logpatterns.classify_paths([dump], redact=True)
    assert report.skipped_files[0].files == len(OTHER_LOGS)
    assert ids(report) >= AMR_FINDINGS
    assert amr_logpatterns.classify_paths([]).stats.sources == []


# --- --expect, merging, old reports -----------------------------------------------------------


def test_skipped_files_are_seen_for_no_component(tmp_path: Path) -> None:
    only_others = tree(tmp_path / "dump", {name: DUMP[name] for name in OTHER_LOGS})
    code, out, _ = run("scan", "--format", "json", "--expect", "observer", str(only_others))
    data = json.loads(out)
    assert code == 1 and data["gate"]["missing"] == ["observer"] and data["seen"] == []
    assert data["skipped_files"][0]["files"] == len(OTHER_LOGS)
    # read, the relaying pod's log does hold the Observer's records
    code, out, _ = run(
        "scan", "--format", "json", "--expect", "observer", "--all-files", str(only_others)
    )
    assert json.loads(out)["gate"]["missing"] == []


def test_merging_sums_what_was_left_unread(
    classifier: Classifier, dump: Path, must_gather: Path
) -> None:
    a = classify_paths(classifier, [dump])
    b = classify_paths(classifier, [must_gather])
    for merged in (classifier.merge([a, b]), merge_reports([a, b])):
        (skipped,) = merged.skipped_files
        assert skipped.files == len(OTHER_LOGS) + 3
        assert skipped.bytes == a.skipped_files[0].bytes + b.skipped_files[0].bytes
        assert skipped.sources == a.skipped_files[0].sources + b.skipped_files[0].sources
    assert classifier.merge([a, classifier.classify_files([dump / AMR_LOG])]).skipped_files == (
        a.skipped_files
    )


def test_a_report_written_before_the_field_still_loads(classifier: Classifier, dump: Path) -> None:
    data = json.loads(classify_paths(classifier, [dump]).model_dump_json())
    assert Report.model_validate(data).skipped_files[0].reason == "other-pod"
    del data["skipped_files"]
    assert Report.model_validate_json(json.dumps(data)).skipped_files == []


# --- every format says it ---------------------------------------------------------------------

SENTENCE = f"Not read: other pods' logs, {len(OTHER_LOGS)} files"


def test_text_says_it_in_one_line_with_the_flag(dump: Path) -> None:
    for extra in ((), ("--verbose",)):
        code, out, err = run("scan", *extra, str(dump))
        assert code == 1
        (line,) = [line for line in out.splitlines() if line.startswith("Not read:")]
        assert line.startswith(SENTENCE) and line.endswith("--all-files reads them.")
        assert "not read" not in err  # the report says it; stderr does not repeat it
    code, out, _ = run("scan", "--all-files", str(dump))
    assert "Not read" not in out


def test_compact_json_markdown_github_say_it(dump: Path) -> None:
    _, out, _ = run("scan", "--format", "compact", str(dump))
    assert f"amr-logpatterns: not read: other pods' logs, {len(OTHER_LOGS)} files" in out
    _, out, _ = run("scan", "--format", "json", str(dump))
    (skipped,) = json.loads(out)["skipped_files"]
    assert (skipped["reason"], skipped["files"], skipped["bytes"]) == (
        "other-pod",
        len(OTHER_LOGS),
        OTHER_BYTES,
    )
    _, out, _ = run("scan", "--format", "markdown", str(dump))
    assert f"{SENTENCE} " in out and "`--all-files` reads them." in out
    _, out, _ = run("scan", "--format", "github", str(dump))
    (notice,) = [line for line in out.splitlines() if line.startswith("::notice title=amr-logpatterns::")]
    assert SENTENCE in notice and "--all-files" in notice


def test_sarif_says_it_in_the_invocation(dump: Path) -> None:
    _, out, _ = run("scan", "--format", "sarif", str(dump))
    schema = json.loads((FIXTURES / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    validator_for(schema)(schema).validate(json.loads(out))
    (invocation,) = json.loads(out)["runs"][0]["invocations"]
    notes = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert any(n.startswith(SENTENCE) for n in notes)
    (skipped,) = invocation["properties"]["skippedFiles"]
    assert skipped["reason"] == "other-pod" and len(skipped["sources"]) == len(OTHER_LOGS)


def test_junit_says_it_in_system_out_and_properties(dump: Path, tmp_path: Path) -> None:
    _, out, _ = run("scan", "--format", "junit", str(dump))
    root = ET.fromstring(out)
    suite = root.find("testsuite")
    assert suite is not None
    assert SENTENCE in (suite.findtext("system-out") or "")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["skipped-files.other-pod"] == str(len(OTHER_LOGS))
    assert props["skipped-bytes.other-pod"] == str(OTHER_BYTES)
    # nothing else read: a suite of its own says so
    only_others = tree(tmp_path / "others", {name: DUMP[name] for name in OTHER_LOGS})
    _, out, _ = run("scan", "--format", "junit", str(only_others))
    (suite,) = ET.fromstring(out).findall("testsuite")
    assert suite.get("name") == "not read" and SENTENCE in (suite.findtext("system-out") or "")


def test_commands_without_a_report_say_it_on_stderr(dump: Path) -> None:
    for argv in (
        ("scan", "--format", "jsonl"),
        ("timeline",),
        ("suggest",),
    ):
        _, out, err = run(*argv, str(dump))
        assert f"amr-logpatterns: not read: other pods' logs, {len(OTHER_LOGS)} files" in err, argv
        assert f"{dump}/kube-system" not in out
        _, _, err = run(*argv, "--all-files", str(dump))
        assert "not read" not in err, argv
