"""The pod-state stage: describe output and pod documents become records; kernel kills are linked."""

from __future__ import annotations

import json

from amr_logpatterns.decode.podstate import is_pod_state
from amr_logpatterns.decode.stream import RecordStream, Tally
from amr_logpatterns.ingest.reading import physical_lines
from amr_logpatterns.models.records import LogRecord

POD = "amr-observer-controller-manager-6f9c8d7b5-x2k4p"
UID = "0b4e1c2d-5a6f-4b7c-9d8e-1f2a3b4c5d6e"

DESCRIBE = f"""Name:             {POD}
Namespace:        amr-observer-system
Node:             worker-2/10.0.0.12
Labels:           control-plane=controller-manager
                  pod-template-hash=6f9c8d7b5
Status:           Running
Controlled By:  ReplicaSet/amr-observer-controller-manager-6f9c8d7b5
Containers:
  kube-rbac-proxy:
    State:          Running
    Ready:          True
    Restart Count:  0
  manager:
    Container ID:  containerd://4f1c2b3a4f1c2b3a4f1c2b3a4f1c2b3a4f1c2b3a4f1c2b3a4f1c2b3a4f1c2b3a
    Command:
      /manager
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
      Finished:     Mon, 02 Dec 2024 08:41:37 +0000
    Ready:          False
    Restart Count:  7
    Limits:
      cpu:     1
      memory:  256Mi
    Requests:
      memory:     128Mi
    Environment:
      KUBERNETES_SERVICE_HOST:  10.96.0.1
Conditions:
  Type              Status
  Ready             False
  PodScheduled      True
Volumes:
  truststore:
    Type:        Secret (a volume populated by a Secret)
Events:
  Type     Reason   Age                From     Message
  ----     ------   ----               ----     -------
  Warning  BackOff  2m (x25 over 40m)  kubelet  Back-off restarting failed container manager in pod {POD}_amr-observer-system({UID})
"""


def read(text: str) -> list[LogRecord]:
    stream = RecordStream(Tally(source="paste"))
    out: list[LogRecord] = []
    for number, item in enumerate(physical_lines(text), 1):
        out += stream.push(number, item)
    return out + stream.finish()


def kinds(records: list[LogRecord]) -> list[tuple[str, int, int]]:
    return [(r.encoding, r.line, r.end_line) for r in records]


def test_describe_gives_the_pod_each_container_its_conditions_and_its_events() -> None:
    records = read(DESCRIBE)
    assert [r.line for r in records] == sorted(r.line for r in records)
    pod, rbac, manager, conditions = (r for r in records if r.encoding in ("pod", "container", "pod-conditions"))
    assert (pod.line, pod.end_line) == (1, 7)
    assert {k: pod.fields[k] for k in ("pod", "namespace", "node", "phase", "workload")} == {
        "pod": POD, "namespace": "amr-observer-system", "node": "worker-2", "phase": "Running",
        "workload": "amr-observer-controller-manager",
    }
    assert pod.text.splitlines() == [f"Name:             {POD}", "Namespace:        amr-observer-system", "Status:           Running"]
    assert rbac.fields["container"] == "kube-rbac-proxy" and rbac.context["container"] == "kube-rbac-proxy"
    f = manager.fields
    assert (manager.line, manager.end_line) == (13, 31)
    assert {k: f[k] for k in ("state", "state_reason", "last_state", "last_reason", "last_exit_code")} == {
        "state": "Waiting", "state_reason": "CrashLoopBackOff", "last_state": "Terminated",
        "last_reason": "OOMKilled", "last_exit_code": 137,
    }
    assert (f["ready"], f["restart_count"], f["limits_memory"], f["limits_memory_bytes"]) == (False, 7, "256Mi", 256 << 20)
    assert (f["requests_memory"], f["command"], f["limits_cpu"]) == ("128Mi", "manager", "1")
    assert f["container_id"].startswith("4f1c2b3a") and f["last_finished"].startswith("Mon, 02 Dec")
    # the evidence is the lines that carry state, each under the container's name as pasted
    assert manager.text.splitlines()[:4] == ["manager:", "  State:          Waiting", "    Reason:       CrashLoopBackOff", "  Last State:     Terminated"]
    assert "Environment" not in manager.text and "Command" not in manager.text
    assert conditions.fields["conditions"] == {"Ready": "False", "PodScheduled": "True"}
    event = next(r for r in records if r.encoding == "event")
    assert (event.fields["pod"], event.fields["workload"], event.fields["namespace"]) == (
        POD, "amr-observer-controller-manager", "amr-observer-system"
    )


def test_a_describe_ends_at_the_first_log_record_or_free_text() -> None:
    records = read(DESCRIBE.split("Conditions:")[0] + "2024-12-02T08:45:00Z\tINFO\tsetup\tEstablishing\t{}\nplain words after it\n")
    assert kinds(records)[-2:] == [("zap-console", 32, 32), ("plain", 33, 33)]
    stray = read(f"Name:  {POD}\nNamespace:  amr-observer-system\nWARNING: the cluster is low on disk\n")
    assert [r.encoding for r in stray] == ["pod", "plain"]


def test_a_container_block_pasted_without_its_header_is_read_with_the_pasted_commands_context() -> None:
    command = f"$ kubectl -n amr-observer-system describe pod {POD}\n"
    block = "  manager:\n    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Restart Count:  9\n"
    (container,) = read(command + "Containers:\n" + block)[1:]
    assert container.encoding == "container"
    assert container.context == {"namespace": "amr-observer-system", "workload": POD, "container": "manager"}
    assert (container.fields["state_reason"], container.fields["restart_count"]) == ("CrashLoopBackOff", 9)
    # from its State: on, without the container's name: the pod is still the pasted one
    name, unnamed = read(command + block)
    assert (name.encoding, unnamed.encoding) == ("plain", "container")
    assert unnamed.context == {"namespace": "amr-observer-system", "workload": POD}
    assert unnamed.fields["state_reason"] == "CrashLoopBackOff" and "container" not in unnamed.fields


YAML = f"""apiVersion: v1
kind: Pod
metadata:
  name: {POD}
  namespace: amr-observer-system
  uid: {UID}
  ownerReferences:
  - kind: ReplicaSet
    name: amr-observer-controller-manager-6f9c8d7b5
spec:
  containers:
  - command:
    - /manager
    name: manager
    resources:
      limits:
        memory: 256Mi
status:
  conditions:
  - message: '0/3 nodes are available: 3 Insufficient memory.'
    status: "False"
    type: PodScheduled
  containerStatuses:
  - containerID: containerd://9a8b
    lastState:
      terminated:
        containerID: containerd://7c6d
        exitCode: 137
        reason: OOMKilled
    name: manager
    ready: false
    restartCount: 4
    state:
      waiting:
        reason: CrashLoopBackOff
  phase: Running
"""


def _pod_and_container(records: list[LogRecord]) -> tuple[LogRecord, LogRecord]:
    pod = next(r for r in records if r.encoding == "pod")
    container = next(r for r in records if r.encoding == "container")
    return pod, container


def test_a_pod_document_in_yaml() -> None:
    records = read(YAML + "2024-12-02T08:45:00Z\tINFO\tsetup\tEstablishing\t{}\n")
    pod, container = _pod_and_container(records)
    assert (pod.line, pod.end_line) == (1, 36)
    assert {k: pod.fields[k] for k in ("pod", "namespace", "uid", "workload", "phase")} == {
        "pod": POD, "namespace": "amr-observer-system", "uid": UID,
        "workload": "amr-observer-controller-manager", "phase": "Running",
    }
    assert pod.fields["conditions"] == {"PodScheduled": "False"}
    assert pod.fields["scheduling_message"] == "0/3 nodes are available: 3 Insufficient memory."
    f = container.fields
    assert (container.line, container.end_line) == (24, 36)
    assert {k: f[k] for k in ("container", "last_reason", "last_exit_code", "restart_count", "state_reason")} == {
        "container": "manager", "last_reason": "OOMKilled", "last_exit_code": 137, "restart_count": 4,
        "state_reason": "CrashLoopBackOff",
    }
    assert (f["limits_memory"], f["command"], f["last_container_id"], f["ready"]) == ("256Mi", "manager", "7c6d", False)
    assert "memory: 256Mi" in container.text  # the limit from the spec is shown with the status
    assert records[-1].encoding == "zap-console"


def test_a_pod_document_in_json_and_a_list_of_them() -> None:
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "metadata-store-db-0", "namespace": "metadata-store"},
           "status": {"containerStatuses": [{"name": "db", "restartCount": 2, "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]}}
    pod, container = _pod_and_container(read(json.dumps(doc, indent=4) + "\n"))
    assert (pod.fields["pod"], pod.fields["workload"], pod.fields["source_format"]) == ("metadata-store-db-0", "metadata-store-db", "json")
    assert (container.fields["container"], container.fields["last_reason"]) == ("db", "OOMKilled")
    listing = {"apiVersion": "v1", "kind": "List", "items": [doc, {**doc, "metadata": {"name": "metadata-store-app-7b6c5d4f98-2mzkt"}}]}
    records = read(json.dumps(listing, indent=4) + "\n")
    assert [r.fields["pod"] for r in records if r.encoding == "pod"] == ["metadata-store-db-0", "metadata-store-app-7b6c5d4f98-2mzkt"]


def test_a_document_that_is_no_pod_stays_its_lines() -> None:
    deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: amr-persister\n"
    assert [r.encoding for r in read(deployment)] == ["plain"] * 4
    broken = "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n"
    assert [r.encoding for r in read(broken)] == ["plain"] * 3


KILL = (
    "Dec 02 08:41:37 worker-2 kernel: oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
    f"task_memcg=/kubepods/burstable/pod{UID}/aaaa,task=manager,pid=4121,uid=65532\n"
    "Dec 02 08:41:37 worker-2 kernel: Memory cgroup out of memory: Killed process 4121 (manager) total-vm:1kB, anon-rss:2kB\n"
)


def test_the_two_lines_of_one_kill_are_one_record_linked_by_the_pods_uid() -> None:
    (kill,) = read(YAML + KILL)[-1:]
    assert (kill.encoding, kill.line, kill.end_line) == ("kernel", 37, 38)
    assert kill.context["workload"] == POD and kill.context["namespace"] == "amr-observer-system"
    assert "scope" not in kill.context
    assert (kill.fields["pid"], kill.fields["anon_rss_kb"], kill.fields["node"]) == (4121, 2, "worker-2")


def test_a_kill_is_linked_by_a_restarted_container_of_the_same_name_and_never_by_guess() -> None:
    killed = "[1.0] Memory cgroup out of memory: Killed process 9 (manager) total-vm:1kB, anon-rss:2kB\n"
    (kill,) = read(DESCRIBE + killed)[-1:]
    assert kill.context["workload"] == POD and kill.context["container"] == "manager"
    # nothing earlier names a pod: the node's
    (alone,) = read(killed)
    assert alone.context.get("scope") == "node" and "workload" not in alone.context
    # two workloads each with a restarted `manager`: which one is not known
    other = DESCRIBE.replace(POD, "kpack-controller-7b9c8d6f5-l2m3n").replace("amr-observer-system", "kpack")
    (ambiguous,) = read(DESCRIBE + other + killed)[-1:]
    assert ambiguous.context.get("scope") == "node"
    # the kernel keeps 15 characters of a name
    long = DESCRIBE.replace("  manager:", "  amr-cloudevent-handler:")
    cut = killed.replace("(manager)", "(amr-cloudevent-)")
    (linked,) = read(long + cut)[-1:]
    assert linked.context["container"] == "amr-cloudevent-handler"


def test_the_stage_holds_what_it_collects_so_the_fast_path_reads_on() -> None:
    stream = RecordStream(Tally(source="paste"))
    assert stream.idle
    stream.push(1, f"Name:  {POD}")
    assert not stream.idle and stream.pods.held() == [1]
    stream.push(2, "2024-12-02T08:45:00Z\tINFO\tsetup\tEstablishing\t{}")
    assert stream.pods.idle


def test_a_kubelet_line_about_a_pod_is_pod_state_with_the_fields_a_row_has() -> None:
    (line,) = read(
        'Dec 02 08:44:10 worker-2 kubelet[1187]: E1202 08:44:10.512301    1187 pod_workers.go:1301] "Error syncing pod, skipping" '
        f'err="x" pod="amr-observer-system/{POD}" podUID="{UID}" containerName="manager"\n'
    )
    assert is_pod_state(line)
    assert {k: line.fields[k] for k in ("pod", "namespace", "workload", "container")} == {
        "pod": POD, "namespace": "amr-observer-system", "workload": "amr-observer-controller-manager", "container": "manager",
    }
    (client_go,) = read("I1202 08:44:10.512301    1 leaderelection.go:250] attempting to acquire leader lease x/y...\n")
    assert not is_pod_state(client_go)
