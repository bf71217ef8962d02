"""One-line pod state: ``kubectl get pods``/``top pod`` rows, event layouts, the OOM killer."""

from __future__ import annotations

import pytest

from amr_logpatterns.decode import decode_text
from amr_logpatterns.decode.pods import owner_of, owner_of_replicaset
from amr_logpatterns.models.quantities import (
    cpu_millicores,
    duration_seconds,
    format_memory,
    memory_bytes,
    raised_memory_limit,
)

POD = "amr-observer-controller-manager-6f9c8d7b5-x2k4p"


def one(text: str):  # type: ignore[no-untyped-def]
    decoded = decode_text(text)
    assert len(decoded) == 1, decoded
    return decoded[0]


@pytest.mark.parametrize(
    ("line", "namespace", "node"),
    [
        (f"{POD}   1/2     CrashLoopBackOff   14 (92s ago)   47m", None, None),
        (f"amr-observer-system   {POD}   1/2   CrashLoopBackOff   14 (92s ago)   47m", "amr-observer-system", None),
        (f"{POD}   1/2   CrashLoopBackOff   14 (92s ago)   47m   10.244.1.17   worker-1   <none>   <none>", None, "worker-1"),
    ],
)
def test_get_pods_rows_plain_all_namespaces_and_wide(line: str, namespace: str | None, node: str | None) -> None:
    d = one(line)
    assert d.encoding == "pod"
    f = d.fields
    assert (f["pod"], f["workload"], f["status"], f["restarts"], f["last_restart_seconds"]) == (
        POD, "amr-observer-controller-manager", "CrashLoopBackOff", 14, 92
    )
    assert (f["ready_containers"], f["containers"], f["all_ready"]) == (1, 2, False)
    assert (f["age_seconds"], f["restarts_per_hour"]) == (47 * 60, round(14 * 3600 / (47 * 60), 2))
    assert f.get("namespace") == namespace and f.get("node") == node
    assert d.context == ({"workload": POD, "namespace": namespace} if namespace else {"workload": POD})


def test_get_pods_watch_and_odd_statuses() -> None:
    assert one("metadata-store-db-0   0/1   Init:CrashLoopBackOff   3   2d4h").fields["status"] == "Init:CrashLoopBackOff"
    assert one("metadata-store-db-0   1/1   Running   0   3d4h").fields["workload"] == "metadata-store-db"
    row = one("amr-persister-5d9c7b8f64-hx7qp   0/1   Pending   0   <unknown>")
    assert "age_seconds" not in row.fields and row.fields["status"] == "Pending"
    # a header line, and a log line that merely holds a slash, are no rows
    assert one("NAME   READY   STATUS   RESTARTS   AGE").encoding == "plain"
    assert one("took 1/2 seconds for 3 items").encoding == "plain"


def test_top_rows_by_layout() -> None:
    plain = one(f"{POD}   4m           247Mi")
    assert plain.encoding == "top" and plain.fields["memory_bytes"] == 247 << 20
    assert plain.fields["cpu_millicores"] == 4
    all_ns = one(f"amr-observer-system   {POD}   12m   1934Mi")
    assert all_ns.fields["namespace"] == "amr-observer-system" and all_ns.fields["pod"] == POD
    containers = one(f"{POD}   manager   3m   240Mi")
    assert (containers.fields["pod"], containers.fields["container"]) == (POD, "manager")
    assert containers.context == {"workload": POD, "container": "manager"}


def test_event_rows_in_every_layout_name_their_pod() -> None:
    describe = one(
        f"Warning  BackOff  2m (x25 over 40m)  kubelet  Back-off restarting failed container manager in pod {POD}_amr-observer-system(0b4e1c2d-5a6f-4b7c-9d8e-1f2a3b4c5d6e)"
    )
    assert describe.fields["pod_uid"] == "0b4e1c2d-5a6f-4b7c-9d8e-1f2a3b4c5d6e"
    assert (describe.fields["container"], describe.fields["count"]) == ("manager", 25)
    assert describe.context == {"workload": POD, "namespace": "amr-observer-system"}
    wide = one(
        f"5m   Warning   BackOff   pod/{POD}   spec.containers{{manager}}   kubelet, worker-1   Back-off restarting failed container   40m   25   {POD}.17a2b3c4d5e6f7a8"
    )
    assert (wide.message, wide.fields["count"], wide.fields["container"]) == (
        "Back-off restarting failed container", 25, "manager"
    )
    assert wide.fields["first_seen"] == "40m" and wide.context == {"workload": POD}
    events = one("metadata-store   12s   Warning   Unhealthy   pod/amr-persister-6b9c8d7f4-p5wzt   Liveness probe failed: x")
    assert events.context == {"workload": "amr-persister-6b9c8d7f4-p5wzt", "namespace": "metadata-store"}


def test_a_nodes_oom_event_is_the_nodes_until_linked() -> None:
    d = one("default   12m   Warning   OOMKilling   node/worker-2   Memory cgroup out of memory: Killed process 4121 (manager) total-vm:1268504kB, anon-rss:262144kB")
    assert d.context == {"scope": "node"}
    assert (d.fields["process"], d.fields["pid"], d.fields["anon_rss_kb"], d.fields["node"]) == ("manager", 4121, 262144, "worker-2")
    describe_node = one("Warning  OOMKilling  12m  kernel-monitor, worker-2  Memory cgroup out of memory: Killed process 9 (amr-graphql-app)")
    assert describe_node.context == {"scope": "node"} and describe_node.fields["process"] == "amr-graphql-app"


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        (
            "Memory cgroup out of memory: Killed process 4121 (manager) total-vm:1268504kB, anon-rss:262144kB, file-rss:0kB",
            {"oom": "killed", "pid": 4121, "process": "manager", "constraint": "memcg", "total_vm_kb": 1268504, "anon_rss_kb": 262144},
        ),
        ("Out of memory: Killed process 77 (java)", {"oom": "killed", "pid": 77, "process": "java", "constraint": "global"}),
        ("Memory cgroup out of memory: Kill process 5 (postgres) score 1974 or sacrifice child", {"oom": "killed", "pid": 5, "process": "postgres", "constraint": "memcg"}),
        ("System OOM encountered, victim process: manager, pid: 4121", {"oom": "system-oom", "pid": 4121, "process": "manager"}),
    ],
)
def test_kernel_kills(line: str, fields: dict[str, object]) -> None:
    d = one(line)
    assert d.encoding == "kernel" and d.context == {"scope": "node"}
    assert dict(d.fields) == fields


def test_the_oom_kill_line_names_the_pods_uid_and_container_in_either_cgroup_layout() -> None:
    cid = "b41e7a3c9d2f8e6b5a4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a"
    systemd = one(
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=x.scope,mems_allowed=0,"
        "oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6a1f9c2e_3b4d_4e5f_8a9b_0c1d2e3f4a5b.slice,"
        "task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6a1f9c2e_3b4d_4e5f_8a9b_0c1d2e3f4a5b.slice/"
        f"cri-containerd-{cid}.scope,task=manager,pid=48213,uid=65532"
    )
    assert (systemd.fields["pod_uid"], systemd.fields["container_id"]) == ("6a1f9c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b", cid)
    assert (systemd.fields["process"], systemd.fields["pid"]) == ("manager", 48213)
    cgroupfs = one(f"Task in /kubepods/burstable/pod6a1f9c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b/{cid} killed as a result of limit of /kubepods/burstable/pod6a1f9c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b")
    assert (cgroupfs.fields["pod_uid"], cgroupfs.fields["container_id"]) == ("6a1f9c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b", cid)


def test_a_kubelet_line_is_about_the_pod_it_names() -> None:
    d = one(
        'E1202 08:44:10.512301    1187 pod_workers.go:1301] "Error syncing pod, skipping" err="x" '
        f'pod="amr-observer-system/{POD}" podUID="0b4e1c2d-5a6f-4b7c-9d8e-1f2a3b4c5d6e" containerName="manager"'
    )
    assert d.context == {"namespace": "amr-observer-system", "workload": POD, "container": "manager"}
    assert one('I1202 08:44:10.512301    1187 reflector.go:1] "Watch close" total=3').context == {}


def test_owner_names() -> None:
    assert owner_of(POD) == "amr-observer-controller-manager"
    assert owner_of("metadata-store-db-0") == "metadata-store-db"
    assert owner_of("node-exporter-x8k2p") == "node-exporter"
    assert owner_of("standalone") == "standalone"
    assert owner_of_replicaset("amr-persister-5d9c7b8f64") == "amr-persister"


def test_quantities() -> None:
    assert (memory_bytes("256Mi"), memory_bytes("1G"), memory_bytes("2.5Gi")) == (256 << 20, 10**9, int(2.5 * (1 << 30)))
    assert memory_bytes("134217728") == 134217728 and memory_bytes("100m") is None and memory_bytes("x") is None
    assert (cpu_millicores("100m"), cpu_millicores("1"), cpu_millicores("0.5")) == (100, 1000, 500)
    assert (duration_seconds("92s"), duration_seconds("3d4h"), duration_seconds("47m")) == (92, 3 * 86400 + 4 * 3600, 2820)
    assert duration_seconds("<unknown>") is None and duration_seconds("4 hours") is None
    assert format_memory(raised_memory_limit(256 << 20)) == "512Mi"
    assert format_memory(raised_memory_limit(300 << 20)) == "768Mi"
    assert format_memory(raised_memory_limit(2500 << 20)) == "5Gi"
    assert format_memory(raised_memory_limit(1 << 30)) == "2Gi"
    assert format_memory(raised_memory_limit(64 << 20)) == "512Mi"
