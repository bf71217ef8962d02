"""Pod state through the command: the three pastes people make first, and a gate that knows what it saw."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT

from amr_logpatterns.cli import main

POD = "amr-observer-controller-manager-6f9c8d7b5-x2k4p"
UID = "0b4e1c2d-5a6f-4b7c-9d8e-1f2a3b4c5d6e"

DESCRIBE = f"""$ kubectl -n amr-observer-system describe pod {POD}
Name:             {POD}
Namespace:        amr-observer-system
Status:           Running
Containers:
  manager:
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
    Ready:          False
    Restart Count:  7
    Limits:
      memory:  256Mi
Events:
  Type     Reason   Age                From     Message
  ----     ------   ----               ----     -------
  Warning  BackOff  2m (x25 over 40m)  kubelet  Back-off restarting failed container manager in pod {POD}_amr-observer-system({UID})
"""
GET_PODS = f"""$ kubectl get pods -n amr-observer-system
NAME                                              READY   STATUS             RESTARTS       AGE
{POD}   1/2     CrashLoopBackOff   14 (92s ago)   47m
"""
EVENTS = """$ kubectl get events -A
NAMESPACE   LAST SEEN   TYPE      REASON       OBJECT          MESSAGE
default     12m         Warning   OOMKilling   node/worker-2   Memory cgroup out of memory: Killed process 4121 (manager) total-vm:1268504kB, anon-rss:262144kB, file-rss:30584kB, shmem-rss:0kB, UID:65532 pgtables:1116kB oom_score_adj:999
default     31m         Warning   OOMKilling   node/worker-3   Memory cgroup out of memory: Killed process 999 (java) total-vm:4268504kB, anon-rss:2262144kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:2116kB oom_score_adj:999
"""


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def scan_json(tmp_path: Path, text: str, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    path = tmp_path / "paste.txt"
    path.write_text(text)
    code, out, _ = run("scan", "--no-config", "--format", "json", str(path), *extra)
    return code, json.loads(out)


def test_the_three_pastes_together_give_the_out_of_memory_root_cause_with_the_limit(tmp_path: Path) -> None:
    code, report = scan_json(tmp_path, DESCRIBE + GET_PODS + EVENTS)
    assert code == 1
    (diagnosis,) = report["diagnoses"]
    assert diagnosis["id"] == "diagnosis.observer-out-of-memory" and diagnosis["confidence"] == "high"
    first = diagnosis["remediation"][0]
    assert "limited to 256Mi" in first["text"] and "`amr.observer.app_limit_memory`" in first["text"]
    assert "app_limit_memory: 512Mi" in first["config"]
    oom = next(f for f in report["findings"] if f["id"] == "observer.oom-killed")
    # the describe's container and the node's event linked to the Observer; not java's
    assert [e["line"] for e in oom["evidence"]] == [6, 25]
    assert all("java" not in e["text"] for f in report["findings"] for e in f["evidence"])
    assert oom["explained_by"] == ["diagnosis.observer-out-of-memory"]
    crash = next(f for f in report["findings"] if f["id"] == "observer.crash-loop")
    assert crash["explained_by"] == ["diagnosis.observer-out-of-memory"]
    assert [(p["component"], p["pod_state_records"] > 0) for p in report["seen"]] == [("observer", True)]


@pytest.mark.parametrize(
    ("paste", "findings", "diagnoses"),
    [
        (DESCRIBE, {"observer.oom-killed", "observer.crash-loop"}, ["diagnosis.observer-out-of-memory"]),
        (GET_PODS, {"observer.crash-loop"}, ["diagnosis.observer-crash-loop"]),
        (EVENTS, set(), []),
    ],
)
def test_each_paste_alone(tmp_path: Path, paste: str, findings: set[str], diagnoses: list[str]) -> None:
    code, report = scan_json(tmp_path, paste)
    assert {f["id"] for f in report["findings"]} == findings
    assert [d["id"] for d in report["diagnoses"]] == diagnoses
    assert code == (1 if findings else 0)


def test_the_text_report_tells_the_root_cause_first_with_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "paste.txt"
    path.write_text(DESCRIBE + GET_PODS + EVENTS)
    code, out, _ = run("scan", "--no-config", "--no-color", str(path))
    assert code == 1
    verdict, blank, rest = out.split("\n", 2)
    assert verdict.startswith("Gate: failed") and not blank
    assert rest.startswith("ROOT CAUSE  [error] diagnosis.observer-out-of-memory")
    assert "limited to 256Mi" in out and "app_limit_memory: 512Mi" in out
    code, out, _ = run("scan", "--no-config", "--no-color", "--verbose", str(path))
    assert out.startswith("ROOT CAUSE  [error] diagnosis.observer-out-of-memory")
    assert "Records of AMR Observer (pod state:" in out


def test_another_pods_identical_state_is_nobodys(tmp_path: Path) -> None:
    other = GET_PODS.replace(POD, "kpack-controller-6b9f8d7c5-z8x7w").replace("amr-observer-system", "kpack")
    kernel = "Dec 02 08:41:37 worker-2 kernel: Memory cgroup out of memory: Killed process 4121 (manager) total-vm:1kB, anon-rss:2kB\n"
    code, report = scan_json(tmp_path, other + kernel)
    assert (code, report["findings"], report["diagnoses"], report["seen"]) == (0, [], [], [])


# --- --expect


def test_expect_passes_when_the_component_is_seen_and_fails_when_it_is_not(tmp_path: Path) -> None:
    code, report = scan_json(tmp_path, GET_PODS.replace("CrashLoopBackOff", "Running").replace("1/2", "2/2"), "--expect", "observer")
    assert code == 0 and report["gate"]["missing"] == [] and report["gate"]["expected"] == ["observer"]
    code, report = scan_json(tmp_path, GET_PODS.replace("CrashLoopBackOff", "Running").replace("1/2", "2/2"), "--expect", "observer", "--expect", "handler")
    assert code == 1 and report["gate"]["failed"] and report["gate"]["missing"] == ["handler"]
    code, report = scan_json(tmp_path, "plain words\n", "--expect", "any")
    assert code == 1 and report["gate"]["missing"] == ["any"]


def test_logs_under_a_pasted_kubectl_logs_command_are_the_components(tmp_path: Path) -> None:
    paste = "$ kubectl -n metadata-store logs deployments/amr-persister\nsomething the handler printed\n"
    code, report = scan_json(tmp_path, paste, "--expect", "handler")
    assert code == 0 and report["seen"][0]["log_lines"] == 1
    # kubectl's own error in its place is not the handler's log
    failed = "$ kubectl -n metadata-store logs deployments/amr-persister\nError from server (NotFound): deployments.apps \"amr-persister\" not found\n"
    code, report = scan_json(tmp_path, failed, "--expect", "handler")
    assert code == 1 and report["gate"]["missing"] == ["handler"]
    assert [f["id"] for f in report["findings"]] == ["kubectl.error"]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"", "the input is empty"),
        (b"\n\n\n", "the input holds only blank lines (3 lines)"),
        (b"\x80\x81\x82\n\x00\x01\x02\n", "no readable records (2 lines read: 1 line with invalid UTF-8, 1 with NUL bytes)"),
    ],
)
def test_an_input_with_nothing_readable_says_so_in_every_format(tmp_path: Path, data: bytes, said: str) -> None:
    path = tmp_path / "collected.log"
    path.write_bytes(data)
    code, out, err = run("scan", "--no-config", "--no-color", str(path), "--expect", "observer")
    assert code == 1
    assert "Nothing readable in the input" in out and "no record of observer in the input (--expect)" in out
    assert said in err and err.count("\n") == 1
    code, out, _ = run("scan", "--no-config", "--format", "json", str(path), "--expect", "observer")
    report = json.loads(out)
    assert report["gate"]["missing"] == ["observer"] and report["gate"]["notices"]
    assert report["stats"]["readable_lines"] == 0
    _, out, _ = run("scan", "--no-config", "--format", "sarif", str(path), "--expect", "observer")
    notes = json.loads(out)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["level"] == "error" and "--expect observer" in notes[0]["message"]["text"]
    assert any(n["level"] == "warning" and "nothing was checked" in n["message"]["text"] for n in notes)
    _, out, _ = run("scan", "--no-config", "--format", "junit", str(path), "--expect", "observer")
    suites = ET.fromstring(out)
    (expect,) = [s for s in suites if s.get("name") == "expected components"]
    assert expect.get("failures") == "1" and expect[0].get("name") == "observer"
    assert "nothing was checked" in (suites[0].find("system-out").text or "")  # type: ignore[union-attr]
    _, out, _ = run("scan", "--no-config", "--format", "github", str(path), "--expect", "observer")
    assert out.startswith("::error title=amr-logpatterns::Expected records of observer")
    assert "::warning title=amr-logpatterns::" in out
    _, out, _ = run("scan", "--no-config", "--format", "markdown", str(path), "--expect", "observer")
    assert out.startswith("**AMR logs: gate failed**") and "no record of observer" in out


def test_binary_input_counts_its_flaws(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\n\xff\xd8\xff\xe0\x00\x10JFIF\n")
    _, out, err = run("scan", "--no-config", "--format", "json", str(path))
    report = json.loads(out)
    # a lone control character on a line of its own is valid UTF-8: 1 of 4 lines reads
    assert report["stats"]["readable_lines"] == 1
    notice = report["gate"]["notices"][0]
    assert notice.startswith("most of the input is not readable text (4 lines of text: 2 lines with")
    assert "invalid UTF-8, 2 with NUL bytes" in notice and notice in err


def test_an_unknown_component_to_expect_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("scan", "--no-config", "--expect", "obsrver", str(ROOT / "examples" / "logs" / "observer-healthy.log"))
    assert code == 2 and "--expect obsrver: not an AMR component" in err and "observer" in err


def test_expect_in_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "amr.yaml"
    config.write_text("expect: [observer, handler]\n")
    log = str(ROOT / "examples" / "logs" / "observer-healthy.log")
    code, out, _ = run("scan", "--config", str(config), "--format", "json", log)
    assert code == 1 and json.loads(out)["gate"]["missing"] == ["handler"]
    config.write_text("expect:\n  - observer\n  - handlr\n")
    code, _, err = run("scan", "--config", str(config), log)
    assert code == 2 and f"{config}:3:5: expect.1: 'handlr' is not an AMR component" in err


def test_the_ci_examples_expect_what_they_collect() -> None:
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        text = (ROOT / "examples" / "ci" / name).read_text()
        assert "--expect observer" in text and "|| true" not in text, name
