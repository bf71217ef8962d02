"""PATH arguments become inputs: files, stdin, walked directories and bundles read in place;
and a collected log's path names its pod, namespace and container for attribution."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT
from logsynth import messy_log

from amr_logpatterns import Classifier, Report
from amr_logpatterns.cli import main
from amr_logpatterns.errors import InputError
from amr_logpatterns.ingest.archives import ARCHIVE_SEPARATOR
from amr_logpatterns.ingest.globs import DEFAULT_GLOBS, matches
from amr_logpatterns.ingest.inputs import (
    all_plain_files,
    close_inputs,
    expand_inputs,
    open_inputs,
    total_size,
)
from amr_logpatterns.ingest.loginput import LogInput
from amr_logpatterns.peel.paths import path_context
from amr_logpatterns.pipeline import classifier as engine

BUNDLES = FIXTURES / "bundles"
BUNDLE = "support-bundle-2025-01-14T09_31_00"
LOGS = f"{BUNDLE}/cluster-resources/pods/logs"
OBSERVER_POD = "amr-observer-controller-manager-6f9c8d7b5-x2k4p"
MEMBERS = [
    f"{LOGS}/amr-observer-system/{OBSERVER_POD}/kube-rbac-proxy.log",
    f"{LOGS}/amr-observer-system/{OBSERVER_POD}/manager.log",
    f"{LOGS}/shop/inventory-7d9f8c6b5-q2w4z/inventory.log",
]
HEALTHY = b"2023-06-20T15:51:50Z  INFO  httpclient.circuitbreaker  Successfully sent CloudEvent\n"


def tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def names(inputs: list[LogInput], prefix: str = "") -> list[str]:
    return [inp.name.removeprefix(prefix) for inp in inputs]


def read_all(inputs: list[LogInput]) -> dict[str, bytes]:
    out = {}
    for inp in inputs:
        with inp.open() as stream:
            out[inp.name] = stream.read()
    return out


def classify(classifier: Classifier, inputs: list[LogInput]) -> Report:
    """Every input opened at once, as a caller holding them all would."""
    streams = [(inp.name, inp.open()) for inp in inputs]
    try:
        return classifier.classify_many(streams)
    finally:
        for _, stream in streams:
            stream.close()
        close_inputs(inputs)


# --- files, stdin and errors ---------------------------------------------------------


def test_a_file_is_taken_as_given(tmp_path: Path) -> None:
    path = tree(tmp_path, {"notes.json": b"{}\n"}) / "notes.json"
    (inp,) = expand_inputs([str(path)])
    assert (inp.name, inp.path, inp.size) == (str(path), str(path), 3)
    assert read_all([inp]) == {str(path): b"{}\n"}
    assert all_plain_files([inp]) and total_size([inp]) == 3


def test_a_missing_path_is_an_error_naming_it(tmp_path: Path) -> None:
    present = str(tree(tmp_path, {"a.log": b"a"}) / "a.log")
    with pytest.raises(InputError, match=r"^\S+/nope\.log: no such file or directory$"):
        expand_inputs([present, str(tmp_path / "nope.log")])


class _Pipe(io.RawIOBase):
    """A stream that cannot seek, as stdin and ``<(...)`` are."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._data.readinto(buffer)


@pytest.mark.parametrize("cut", [None, 1500], ids=["whole", "truncated"])
def test_gzip_on_stdin_is_read_like_a_gzip_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cut: int | None
) -> None:
    """``... | gzip | amr-logpatterns scan -`` needs no ``zcat``; a truncated stream keeps
    every line before the cut, as a truncated ``.gz`` file does (it lost them all, and
    blamed seeking, when the stream could not be rewound)."""
    log = ROOT / "examples" / "logs" / "observer-missing-scheme.log"
    packed = gzip.compress(log.read_bytes())[:cut]
    (tmp_path / "x.log.gz").write_bytes(packed)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(_Pipe(packed))))
    out, err = io.StringIO(), io.StringIO()
    code = main(["scan", "--format", "json", "-"], stdout=out, stderr=err)
    piped = json.loads(out.getvalue())
    stored = Classifier().classify_file(tmp_path / "x.log.gz")
    assert piped["stats"]["lines_read"] == stored.stats.lines_read > 0
    assert [f["id"] for f in piped["findings"]] == [f.id for f in stored.findings]
    if cut is None:
        assert code == 1 and piped["stats"]["lines_read"] == 90
    else:
        assert code == 2 and "<stdin>: reading stopped after line" in err.getvalue()
        assert "Compressed file ended" in err.getvalue() and "seekable" not in err.getvalue()


def test_stdin_once_and_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"piped\n")))
    (default,) = expand_inputs([])
    dash, log = expand_inputs(["-", str(tree(tmp_path, {"a.log": b"x"}) / "a.log")])
    assert default == dash and dash.is_stdin and dash.name == "<stdin>" and not log.is_stdin
    assert dash.path is None and dash.size is None
    assert dash.open().read() == b"piped\n"
    assert not all_plain_files([dash, log]) and total_size([dash, log]) is None
    with pytest.raises(InputError, match="only once"):
        expand_inputs(["-", "-"])


def test_gzip_files_are_decompressed(tmp_path: Path) -> None:
    path = tmp_path / "0.log.20240301-101010.gz"
    path.write_bytes(gzip.compress(HEALTHY))
    (inp,) = expand_inputs([str(path)])
    assert inp.size == path.stat().st_size
    with inp.open() as stream:
        assert isinstance(stream, gzip.GzipFile) and stream.read() == HEALTHY


def test_a_directory_given_as_a_file_name_fails_on_open(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        LogInput(str(tmp_path), str(tmp_path), 0).open()


# --- directories ---------------------------------------------------------------------


def test_a_directory_is_walked_in_order_keeping_log_like_files(tmp_path: Path) -> None:
    tree(
        tmp_path / "dump",
        {
            "b/z.log": b"1",
            "b/a.txt": b"2",
            "a.log": b"3",
            "a-b.log": b"4",
            "pods/0.log.20240301-101010": b"5",
            "pods/0.log.20240301-090000.gz": gzip.compress(b"6"),
            "events.jsonl": b"7",
            "run.out": b"8",
            "pods.json": b"{}",
            "values.yaml": b"a: 1",
            "README.md": b"# x",
            ".git/HEAD.log": b"9",
            "b/.cache/c.log": b"10",
            ".hidden.log": b"11",
        },
    )
    inputs = expand_inputs([str(tmp_path / "dump")])
    assert names(inputs, str(tmp_path)) == [
        "/dump/.hidden.log",
        "/dump/a-b.log",
        "/dump/a.log",
        "/dump/b/a.txt",
        "/dump/b/z.log",
        "/dump/events.jsonl",
        "/dump/pods/0.log.20240301-090000.gz",
        "/dump/pods/0.log.20240301-101010",
        "/dump/run.out",
    ]
    assert [read_all([i])[i.name] for i in inputs[:3]] == [b"11", b"4", b"3"]
    assert read_all([inputs[6]])[inputs[6].name] == b"6"
    assert all(inp.path == inp.name for inp in inputs) and all_plain_files(inputs)
    assert total_size(inputs) == sum(os.path.getsize(i.name) for i in inputs)


def test_names_join_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree(tmp_path, {"logs/x/a.log": b"1"})
    monkeypatch.chdir(tmp_path)
    assert names(expand_inputs(["logs"])) == ["logs/x/a.log"]
    assert names(expand_inputs(["logs/"])) == ["logs/x/a.log"]
    assert names(expand_inputs(["."])) == ["./logs/x/a.log"]


@pytest.mark.parametrize(
    ("globs", "expected"),
    [
        (["*.log"], ["amr-observer/manager/0.log", "amr-observer/manager/current.log", "shop/inv.log", "top.log"]),
        (["**/amr-*/*.log"], ["amr-observer/manager/0.log", "amr-observer/manager/current.log"]),
        (["amr-*/*/*.log"], ["amr-observer/manager/0.log", "amr-observer/manager/current.log"]),
        (["current.log"], ["amr-observer/manager/current.log"]),
        (["shop/*", "*.yaml"], ["shop/inv.log", "values.yaml"]),
    ],
)
def test_globs_select_by_relative_path(tmp_path: Path, globs: list[str], expected: list[str]) -> None:
    tree(
        tmp_path,
        {
            "amr-observer/manager/current.log": b"1",
            "amr-observer/manager/0.log": b"2",
            "shop/inv.log": b"3",
            "top.log": b"4",
            "values.yaml": b"5",
        },
    )
    assert names(expand_inputs([str(tmp_path)], globs), f"{tmp_path}/") == expected


def test_matches_a_top_level_file_with_a_leading_double_star() -> None:
    assert matches("amr-x/a.log", ["**/amr-*/*.log"])
    assert matches("deep/er/amr-x/a.log", ["**/amr-*/*.log"])
    assert not matches("amr-x/a.txt", ["**/amr-*/*.log"])
    assert matches("a/b/0.log.20240301-101010.gz", DEFAULT_GLOBS)
    assert not matches("a/b/pods.json", DEFAULT_GLOBS)


def test_a_directory_without_a_match_is_an_error_naming_it_and_the_globs(tmp_path: Path) -> None:
    tree(tmp_path, {"cluster/pods.json": b"{}", "cluster/values.yaml": b""})
    with pytest.raises(InputError, match=r"cluster: no file matches \*\.log .*\*\.gz"):
        expand_inputs([str(tmp_path / "cluster")])
    with pytest.raises(InputError, match=r"cluster: no file matches \*\.yml$"):
        expand_inputs([str(tmp_path / "cluster")], ["*.yml"])


def test_symlinks_never_loop_and_a_file_is_read_once(tmp_path: Path) -> None:
    outside = tree(tmp_path / "outside", {"extra.log": b"extra"})
    root = tree(tmp_path / "bundle", {"real/pod/c.log": b"real"})
    (root / "loop").symlink_to(root)
    (root / "real" / "up").symlink_to(root.parent)
    (root / "alias").symlink_to(root / "real")
    (root / "a-link.log").symlink_to(root / "real" / "pod" / "c.log")
    (root / "ext").symlink_to(outside)
    (root / "ext2").symlink_to(outside)
    (root / "dangling.log").symlink_to(root / "gone.log")
    inputs = expand_inputs([str(root)])
    assert names(inputs, f"{root}/") == ["ext/extra.log", "real/pod/c.log"]


def test_a_file_reached_only_through_a_link_is_kept(tmp_path: Path) -> None:
    tree(tmp_path, {"store/blob": b"data"})
    root = tmp_path / "bundle"
    root.mkdir()
    (root / "pod.log").symlink_to(tmp_path / "store" / "blob")
    assert read_all(expand_inputs([str(root)])) == {f"{root}/pod.log": b"data"}


# --- archives ------------------------------------------------------------------------


@pytest.fixture()
def bundle_tgz(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.tgz"
    with tarfile.open(path, "w:gz") as tar:
        tar.add(BUNDLES / BUNDLE, arcname=BUNDLE)
    return path


def test_a_tar_gz_bundle_is_read_member_by_member(bundle_tgz: Path) -> None:
    inputs = expand_inputs([str(bundle_tgz)])
    assert names(inputs, f"{bundle_tgz}{ARCHIVE_SEPARATOR}") == MEMBERS
    assert all(inp.path is None for inp in inputs) and not all_plain_files(inputs)
    assert [inp.size for inp in inputs] == [(BUNDLES / m).stat().st_size for m in MEMBERS]
    try:
        contents = read_all(inputs)
    finally:
        close_inputs(inputs)
    assert list(contents.values()) == [(BUNDLES / m).read_bytes() for m in MEMBERS]


def test_members_opened_together_and_read_out_of_order(tmp_path: Path) -> None:
    files = {f"logs/{i:02d}.log": b"line %d\n" % i * (i + 1) for i in range(12)}
    src = tree(tmp_path / "src", files)
    for mode, suffix in (("w:gz", ".tar.gz"), ("w", ".tar"), ("w:bz2", ".tar.bz2"), ("w:xz", ".tar.xz")):
        archive = tmp_path / f"b{suffix}"
        with tarfile.open(archive, mode) as tar:
            tar.add(src, arcname=".")
        inputs = expand_inputs([str(archive)])
        streams = [inp.open() for inp in inputs]
        try:
            got = [s.read() for s in reversed(streams)][::-1]
        finally:
            for s in streams:
                s.close()
        assert got == list(files.values()), suffix
        assert names(inputs, f"{archive}:") == list(files)


def test_gzip_members_and_globs_inside_archives(tmp_path: Path) -> None:
    archive = tmp_path / "b.tar"
    src = tree(
        tmp_path / "src",
        {"pods/0.log.20240301-101010.gz": gzip.compress(HEALTHY), "pods/manifest.yaml": b"a: 1", ".git/x.log": b"x"},
    )
    with tarfile.open(archive, "w") as tar:
        tar.add(src / "pods", arcname="pods")
        tar.add(src / ".git", arcname=".git")
        tar.add(src / "pods/0.log.20240301-101010.gz", arcname="pods/link.log")
    assert read_all(expand_inputs([str(archive)], ["pods/0.log*"])) == {
        f"{archive}:pods/0.log.20240301-101010.gz": HEALTHY
    }
    with pytest.raises(InputError, match=r"b\.tar: no archive member matches \*\.txt$"):
        expand_inputs([str(archive)], ["*.txt"])


def test_a_zip_bundle_is_read_too(tmp_path: Path) -> None:
    archive = tmp_path / "harvester.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("logs/shop/inventory-7d9f8c6b5-q2w4z/inventory.log", HEALTHY)
        z.writestr("logs/amr-observer-system/x-0/manager.log.gz", gzip.compress(HEALTHY))
        z.writestr("yamls/pods.yaml", b"kind: PodList\n")
        z.writestr("logs/empty/", b"")
    inputs = expand_inputs([str(archive)])
    assert read_all(inputs) == {
        f"{archive}:logs/amr-observer-system/x-0/manager.log.gz": HEALTHY,
        f"{archive}:logs/shop/inventory-7d9f8c6b5-q2w4z/inventory.log": HEALTHY,
    }


def test_an_archive_in_a_walked_directory_is_read_in_place(tmp_path: Path, bundle_tgz: Path) -> None:
    case = tree(tmp_path / "case", {"notes.txt": b"n"})
    shutil.move(bundle_tgz, case / "bundle.tgz")
    assert names(expand_inputs([str(case)]), f"{case}/") == [
        *(f"bundle.tgz:{m}" for m in MEMBERS),
        "notes.txt",
    ]


def test_a_broken_archive_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bundle.tar.gz"
    bad.write_bytes(gzip.compress(b"not a tar at all")[:20])
    with pytest.raises(InputError, match=r"bundle\.tar\.gz: cannot read archive"):
        expand_inputs([str(bad)])


def test_a_big_member_takes_the_fast_path_with_the_same_report(
    classifier: Classifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b"".join(messy_log(k, 200) for k in range(45))
    assert len(data) > engine.FAST_PATH_MIN_BYTES
    src = tree(tmp_path / "src", {"amr.log": data})
    archive = tmp_path / "b.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(src / "amr.log", arcname="amr.log")
    expected = classifier.classify_many([("amr.log", io.BytesIO(data))])
    runs: list[int] = []
    real = engine.FastScanner.run
    monkeypatch.setattr(engine.FastScanner, "run", lambda self, *a, **k: runs.append(1) or real(self, *a, **k))
    (inp,) = expand_inputs([str(archive)])
    got = classifier.classify_many((("amr.log", s) for _, s in open_inputs([inp])))
    assert runs == [1] and got == expected and expected.findings


def test_open_inputs_opens_lazily_and_closes(tmp_path: Path) -> None:
    root = tree(tmp_path, {"a.log": b"a", "b.log": b"b"})
    inputs = expand_inputs([str(root)])
    pairs = open_inputs(inputs)
    name, first = next(pairs)
    assert name.endswith("a.log") and not first.closed
    name, second = next(pairs)
    assert first.closed and not second.closed
    assert list(pairs) == [] and second.closed


def test_a_later_failure_surfaces_when_its_turn_comes(tmp_path: Path) -> None:
    root = tree(tmp_path, {"a.log": b"a", "b.log": b"b"})
    inputs = expand_inputs([str(root)])
    (root / "b.log").unlink()
    pairs = open_inputs(inputs)
    next(pairs)
    with pytest.raises(InputError, match=r"b\.log: no such file or directory"):
        next(pairs)


# --- attribution by path -------------------------------------------------------------

POD_UID = "0b4e9a2c-1111-4222-8333-444455556666"


@pytest.mark.parametrize(
    ("path", "context"),
    [
        (  # kubectl cluster-info dump --output-directory
            "dump/amr-observer-system/amr-observer-controller-manager-6f9c8d7b5-x2k4p/logs.txt",
            {"workload": "amr-observer-controller-manager-6f9c8d7b5-x2k4p", "namespace": "amr-observer-system"},
        ),
        (  # troubleshoot.sh, and the log before the last restart
            "sb/cluster-resources/pods/logs/metadata-store/amr-persister-5b8d9c7f6-h4k2m/amr-persister-previous.log",
            {"workload": "amr-persister-5b8d9c7f6-h4k2m", "namespace": "metadata-store", "container": "amr-persister"},
        ),
        (  # troubleshoot.sh inside the archive itself: the member after the separator
            "support-bundle.tar.gz:cluster-resources/pods/logs/shop/web-0/nginx.log",
            {"workload": "web-0", "namespace": "shop", "container": "nginx"},
        ),
        (  # OpenShift must-gather
            "must-gather.local.42/quay-io-openshift-must-gather-sha256-ab/namespaces/metadata-store/pods/"
            "amr-cloudevent-handler-6d9f7b8c4-r2t5w/handler/handler/logs/current.log",
            {"workload": "amr-cloudevent-handler-6d9f7b8c4-r2t5w", "namespace": "metadata-store", "container": "handler"},
        ),
        (
            "mg/namespaces/shop/pods/db-2/postgres/postgres/logs/previous.insecure.log",
            {"workload": "db-2", "namespace": "shop", "container": "postgres"},
        ),
        (
            "mg.tgz:namespaces/shop/pods/db-2/postgres/postgres/logs/rotated/0.log.20250217-072641.gz",
            {"workload": "db-2", "namespace": "shop", "container": "postgres"},
        ),
        (  # Harvester / generic <namespace>/<pod>/<container>.log
            "harvester.zip:logs/cattle-fleet-system/fleet-controller-7b9c5d8f6-zq4x8/fleet-controller.log",
            {"workload": "fleet-controller-7b9c5d8f6-zq4x8", "namespace": "cattle-fleet-system", "container": "fleet-controller"},
        ),
        (  # a DaemonSet pod
            "case/kube-system/fluent-bit-x7k2p/fluent-bit.log.gz",
            {"workload": "fluent-bit-x7k2p", "namespace": "kube-system", "container": "fluent-bit"},
        ),
        (  # an ad-hoc logs/<pod>/<container>.log: "logs" is no namespace
            "logs/amr-observer-controller-manager-6f9c8d7b5-x2k4p/manager.log",
            {"workload": "amr-observer-controller-manager-6f9c8d7b5-x2k4p", "container": "manager"},
        ),
        (  # node logs, rotated
            f"/var/log/pods/shop_web-0_{POD_UID}/nginx/0.log.20240301-101010",
            {"workload": "web-0", "namespace": "shop", "container": "nginx"},
        ),
        (
            f"node.tgz:var/log/pods/shop_web-0_{POD_UID}/nginx/1.log.20240301-101010.gz",
            {"workload": "web-0", "namespace": "shop", "container": "nginx"},
        ),
        (
            "C:\\cases\\sb\\cluster-resources\\pods\\logs\\shop\\web-0\\nginx.log",
            {"workload": "web-0", "namespace": "shop", "container": "nginx"},
        ),
    ],
)
def test_collection_layouts_name_the_pod(path: str, context: dict[str, str]) -> None:
    assert path_context(path) == context


@pytest.mark.parametrize(
    "path",
    [
        "ci/run/observer.log",  # no generated pod name
        "ci/run-42-final/observer.log",
        "cases/amr-issue/logs.txt",
        "home/me/amr-observer/manager.log",
        "shop/inventory-7d9f8c6b5-q2w4z/inventory.txt",  # not a container log's name
        "Shop/inventory-7d9f8c6b5-q2w4z/inventory.log",  # not a Kubernetes name
        "shop/inventory-7d9f8c6b5-qawep/inventory.log",  # vowels: not a generated suffix
        "namespaces/shop/pods/db-2/postgres/other/logs/current.log",  # must-gather repeats the container
        "namespaces/shop/pods/db-2/db-2.yaml",
        "cluster-resources/pods/shop.json",
        "observer.log",
        "bundle.tgz:observer.log",
        "<stdin>",
    ],
)
def test_near_misses_name_nothing(path: str) -> None:
    assert path_context(path) == {}


def test_the_foreign_line_would_match_without_its_path(classifier: Classifier) -> None:
    text = (BUNDLES / MEMBERS[2]).read_bytes()
    found = {f.id for f in classifier.classify_many([("inventory.log", io.BytesIO(text))]).findings}
    assert found == {"observer.handler-unreachable", "observer.health-check-failed"}


def check_attribution(report: Report, prefix: str) -> None:
    assert [f.id for f in report.findings] == ["observer.handler-unreachable"]
    (finding,) = report.findings
    assert {e.source for e in finding.evidence} == {prefix + MEMBERS[1]}
    assert finding.fields["url"] == "https://amr-cloudevent-handler.view.example.com"
    assert [s.source for s in report.stats.sources] == [prefix + m for m in MEMBERS]


def test_a_bundle_directory_keeps_amr_and_attributes_the_foreign_pod_away(classifier: Classifier) -> None:
    inputs = expand_inputs([str(BUNDLES)])
    assert names(inputs, f"{BUNDLES}/") == MEMBERS
    check_attribution(classify(classifier, inputs), f"{BUNDLES}/")


def test_a_bundle_archive_is_attributed_the_same_way(classifier: Classifier, bundle_tgz: Path) -> None:
    inputs = expand_inputs([str(bundle_tgz)])
    check_attribution(classify(classifier, inputs), f"{bundle_tgz}{ARCHIVE_SEPARATOR}")
    lazily = classifier.classify_many(open_inputs(inputs))
    check_attribution(lazily, f"{bundle_tgz}{ARCHIVE_SEPARATOR}")


def test_an_encrypted_zip_member_is_an_error_naming_it_not_a_silent_skip(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.writestr("ns/pod/plain.log", b"hello\n")
        zf.writestr("ns/pod/secret.log", b"not really encrypted\n")
    data = bytearray(bundle.read_bytes())
    central = data.rindex(b"PK\x01\x02")  # the last central directory entry: secret.log
    data[central + 8] |= 0x1  # general purpose flag bit 0: encrypted
    bundle.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"bundle.zip:ns/pod/secret.log: the member is encrypted"):
        expand_inputs([str(bundle)])
    kept = expand_inputs([str(bundle)], ["*/plain.log"])
    assert [i.name for i in kept] == [f"{bundle}:ns/pod/plain.log"]


def test_what_a_walk_cannot_read_is_named_not_dropped(tmp_path: Path) -> None:
    """A dangling link or a FIFO in a directory is never read, and the command says so."""
    root = tree(tmp_path, {"ok.log": b"x\n"})
    (root / "gone.log").symlink_to(root / "nowhere.log")
    os.mkfifo(root / "pipe.log")
    (root / "notes.bak").symlink_to(root / "nowhere.bak")  # not selected by the globs
    skipped: list[str] = []
    (found,) = expand_inputs([str(root)], skipped=skipped)
    assert found.name.endswith("/ok.log")
    assert skipped == [
        f"{root / 'gone.log'}: a link to nothing (dangling symlink)",
        f"{root / 'pipe.log'}: not a regular file (a FIFO, socket or device is never read in a walk)",
    ]
    err = io.StringIO()
    assert main(["scan", str(root)], stdout=io.StringIO(), stderr=err) == 0
    assert f"amr-logpatterns: skipped {root / 'gone.log'}: a link to nothing" in err.getvalue()
