"""Random but realistic messy logs: every shape the readers handle, mixed and wrapped.

Used by the equivalence tests (exact path versus fast path) with many seeds.
"""

from __future__ import annotations

import json
import random

POD = "amr-observer-controller-manager-7c9d8b6f4-qx2lm"
OTHER_POD = "cert-manager-6d5f-abc12"
TS = "2024-03-02T08:11:{s:02d}Z"


def _zap(rng: random.Random, level: str, logger: str, msg: str, fields: dict[str, object] | None) -> str:
    sep = rng.choice(["\t", "  ", " "])
    parts = [TS.format(s=rng.randrange(60)), level, logger, msg]
    if fields is not None:
        parts.append(json.dumps(fields))
    return sep.join(parts)


def _json(rng: random.Random, level: str, msg: str, **extra: object) -> str:
    return json.dumps({"level": level, "ts": TS.format(s=rng.randrange(60)), "msg": msg, **extra}, separators=(",", ":"))


def _record(rng: random.Random, pod_state: bool = True) -> list[str]:
    """One logical record, possibly several lines (``pod_state``: pod state among them)."""
    kind = rng.randrange(36)
    if not pod_state and 20 <= kind <= 25:
        kind = 30
    host = rng.choice(["amr.example.org", "h.internal", "amr-persister.tap.corp"])
    if kind == 0:
        return [_zap(rng, "INFO", "httpclient.circuitbreaker", "Received response with status", {"status": rng.choice(["204 No Content", "503 Service Unavailable", "401 Unauthorized", "502 Bad Gateway"])})]
    if kind == 1:
        return [_zap(rng, "ERROR", "httpclient", "", {"error": f"request failed with status {rng.choice([500, 503, 403])}"}),
                "gitlab.example/amr-observer/client.(*CloudEventClient).do", "\t/workspace/client.go:102",
                "github.com/sony/gobreaker.(*CircuitBreaker).Execute", "\t/go/pkg/mod/gobreaker.go:242"]
    if kind == 2:
        return [_zap(rng, "ERROR", "httpclient.circuitbreaker", "error contacting event handler", {"error": f'Get "{host}/healthz": unsupported protocol scheme ""'})]
    if kind == 3:
        return [f"E0530 05:01:20.297972       1 leaderelection.go:367] Failed to update lock: i/o timeoutI0530 05:01:20.298127       1 leaderelection.go:283] failed to renew lease {rng.choice(['amr-observer-system', 'cert-manager'])}/x: timed out waiting for the condition"]
    if kind == 4:
        return [_json(rng, "error", "problem running manager", error="leader election lost") + " " + _json(rng, "info", "Stopping and waiting for non leader election runnables")]
    if kind == 5:
        return [rng.choice(["result: 204: ", ""]) + "sent: type: dev.knative.apiserver.resource.delete", "  source: 1b2c", _zap(rng, "INFO", "replicaset.sendCloudEvent", "received result", {"ceType": "x", "result": "500: "}), "  id: 42", "Extensions:", "map[kind:ReplicaSet name:web namespace:apps]"]
    if kind == 6:
        return ["Name:         " + rng.choice([POD, OTHER_POD]), "Namespace:    " + rng.choice(["amr-observer-system", "cert-manager"]), "Events:",
                "  Type     Reason     Age   From     Message", "  ----     ------     ----  ----     -------",
                '  Warning  Unhealthy  3m (x3 over 4m)  kubelet  Liveness probe failed: Get "http://10.1.2.3:8081/healthz": context deadline exceeded']
    if kind == 7:
        line = _json(rng, "error", 'AMR is unavailable: Get "https://amr-graphql-app:8443/play": dial tcp 10.0.0.1:8443: connect: connection refused')
        cut1, cut2 = sorted(rng.sample(range(5, len(line) - 5), 2))
        return [line[:cut1], line[cut1:cut2], line[cut2:]] if rng.random() < 0.5 else [line]
    if kind == 8:
        return [rng.choice(["```", "```console", "...", "", "   ", "> ", "…", "[snip]"])]
    if kind == 9:
        return [f"$ kubectl -n {rng.choice(['amr-observer-system', 'metadata-store', 'shop'])} logs deploy/{rng.choice(['amr-persister', 'inventory'])} | tail -n 5"]
    if kind == 10:
        return ["garbage text" + _json(rng, "info", "Start Receiving")]
    if kind == 11:
        return ["panic: runtime error", "", "goroutine 1 [running]:", "main.main()", "\t/src/main.go:12 +0x1d"]
    if kind == 12:
        return [_json(rng, "info", "Error posting image report: Validation failed: {\"message\":\"a report with uid 'abc' already exists\"}")]
    if kind == 13:
        return ["2023/06/28 19:09:06 No certs appended, using system certs only"]
    if kind == 14:
        return ["Context Attributes,", "  type: vmware.tanzu.apps.location.created.v1", "  source: x", "Extensions,", "  kind: ReplicaSet", "Data,", '  {"a": 1}']
    if kind == 15:
        return [f"{rng.choice([2, 3, 5])}m1s   Warning   Unhealthy   pod/{rng.choice([POD, OTHER_POD])}   Readiness probe failed: HTTP probe failed with statuscode: 500"]
    if kind == 16:
        return ["==> /var/log/containers/x.log <=="]
    if kind == 17:
        return [_zap(rng, "LEVEL(-3)", "httpclient.circuitbreaker", "AMR CloudEventHandler", {"availability": rng.random() < 0.8, "State": rng.choice(["closed", "open", "half-open"])})]
    if kind == 18:
        return ["main.main", "some plain text after a stray frame"]
    if kind == 19:
        return [_json(rng, rng.choice(["warn", "E", "err", "critical", "debug"]), "odd level")]
    if 20 <= kind <= 25:
        return _pod_state(rng, kind)
    # ordinary noise
    return [rng.choice([
        _zap(rng, "INFO", "controller.workload", "Reconciling", {"namespace": "apps", "name": "web"}),
        "I0501 10:00:01.000123       1 reflector.go:351] Watch close - *v1.Pod total 7 items received",
        _json(rng, "info", "synced", objects=rng.randrange(100)),
        _zap(rng, "INFO", "", "Starting Controller", {"controller": "replicaset"}),
        "plain words without structure",
        _json(rng, "info", "an error word in an info record"),
    ])]


STATUSES = ["Running", "CrashLoopBackOff", "OOMKilled", "Error", "ImagePullBackOff", "Pending", "Evicted"]


def _pod_state(rng: random.Random, kind: int) -> list[str]:
    """Pod state as people paste it: rows, describe blocks, documents, kernel kills."""
    pod = rng.choice([POD, OTHER_POD, "metadata-store-db-0", "amr-persister-5d9c7b8f64-hx7qp"])
    if kind == 20:
        ns = rng.choice(["", "amr-observer-system   ", "cert-manager   "])
        return [f"{ns}{pod}   {rng.randrange(3)}/2   {rng.choice(STATUSES)}   {rng.randrange(20)}{rng.choice(['', ' (92s ago)'])}   {rng.randrange(1, 90)}m"]
    if kind == 21:
        head = ["Name:         " + pod, "Namespace:    " + rng.choice(["amr-observer-system", "metadata-store"]), "Containers:"] if rng.random() < 0.7 else []
        return [*head, "  manager:", "    Command:", "      /manager", "    State:          " + rng.choice(["Waiting", "Running"]),
                "      Reason:       " + rng.choice(["CrashLoopBackOff", "ErrImagePull"]), "    Last State:     Terminated",
                "      Reason:       " + rng.choice(["OOMKilled", "Error"]), f"      Exit Code:    {rng.choice([1, 137])}",
                f"    Restart Count:  {rng.randrange(12)}", "    Limits:", "      memory:  256Mi", "Conditions:", "  Type   Status", "  Ready  False"]
    if kind == 22:
        if rng.random() < 0.5:
            return ["apiVersion: v1", "kind: Pod", "metadata:", f"  name: {pod}", "  namespace: amr-observer-system", "status:", "  containerStatuses:",
                    "  - lastState:", "      terminated:", "        exitCode: 137", "        reason: OOMKilled", "    name: manager", "    restartCount: 3"]
        return ["{", '    "apiVersion": "v1",', '    "kind": "Pod",', f'    "metadata": {{"name": "{pod}", "namespace": "metadata-store"}},',
                '    "status": {"containerStatuses": [{"name": "db", "restartCount": 2, "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]}', "}"]
    if kind == 23:
        process = rng.choice(["manager", "java", "postgres"])
        return ["Dec 02 08:41:37 worker-2 kernel: oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),task=manager,pid=4121,uid=65532",
                f"[12345.678901] Memory cgroup out of memory: Killed process 4121 ({process}) total-vm:1268504kB, anon-rss:262144kB"]
    if kind == 24:
        return [f"{pod}   {rng.randrange(1, 50)}m   {rng.randrange(50, 900)}Mi"]
    return [f'Dec 02 08:44:10 worker-2 kubelet[1187]: E1202 08:44:10.512301    1187 pod_workers.go:1301] "Error syncing pod, skipping" err="back-off restarting failed container=manager" pod="amr-observer-system/{pod}" podUID="0b4e1c2d-5a6f-4b7c-9d8e-1f2a3b4c5d6e"']


def _wrap(rng: random.Random, line: str, style: int) -> list[str]:
    if style == 1:
        return [f"[pod/{POD}/manager] {line}"]
    if style == 2:
        return [f"2024-03-02T08:11:09.123456789Z {line}"]
    if style == 3:
        if len(line) > 20 and rng.random() < 0.3:
            cut = rng.randrange(5, len(line) - 5)
            return [f"2024-03-02T08:11:09.1Z stderr P {line[:cut]}", f"2024-03-02T08:11:09.2Z stderr F {line[cut:]}"]
        return [f"2024-03-02T08:11:09.1Z stdout F {line}"]
    if style == 4:
        return [f"\x1b[32m{POD}\x1b[0m \x1b[34mmanager\x1b[0m {line}"]
    if style == 5:
        return [json.dumps({"log": line + "\n", "stream": "stderr", "time": "t"})]
    if style == 6:
        return [f"> {line}"]
    return [line]


def messy_log(seed: int, records: int = 300, *, pod_state: bool = True) -> bytes:
    """A messy log of about ``records`` records, deterministic for a seed; ``pod_state``
    mixes in ``get pods`` rows, ``describe`` blocks, pod documents and kernel kills."""
    rng = random.Random(seed)
    style = rng.randrange(7)
    out: list[str] = []
    for _ in range(records):
        if rng.random() < 0.05:
            style = rng.randrange(7)
        for line in _record(rng, pod_state):
            out += _wrap(rng, line, style) if line else [line]
    text = "\n".join(out) + rng.choice(["\n", "", "\n\n"])
    data = text.encode()
    if rng.random() < 0.3:
        data = data.replace(b"\n", b"\r\n")
    if rng.random() < 0.3:
        pos = rng.randrange(len(data))
        data = data[:pos] + rng.choice([b"\xff\xfe", b"\x00", b"\x1b[0m", b"\n\n"]) + data[pos:]
    return data
