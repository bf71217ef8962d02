# ruff: noqa: E501  (the templates are whole log lines, as in generate.py)
"""The noisy profile: many Kubernetes controllers' logs interleaved, warning-heavy.

What a node's or a namespace sweep's logs look like on a bad day: controller-runtime
(zap console and JSON), klog (plain and structured), knative/tekton JSON, logrus,
CoreDNS and Go ``log`` lines, some behind a CRI prefix or a ``[pod/NAME/CONTAINER]``
prefix, a few with stack traces. About 16% of the lines are at warning level or
worse, and many are *near misses*: other components' lines that share words and
stage-1 literals with AMR's signatures ("connection refused", "context deadline
exceeded", "leader election lost", "x509: certificate signed by unknown authority",
leases, CrashLoopBackOff of other pods, pods named ``amr-...`` that are not AMR's)
but match no signature. Stage 1 flags about 25-30% of the lines.

AMR lines are planted at a known rate: the single-line ``examples: match:`` lines of
the built-in signatures, verbatim. ``python benchmarks/noisy.py --check`` classifies
a sample and says whether every planted line, and nothing else, matches.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

# --- who logs ---------------------------------------------------------------------

NAMESPACES = ("shop", "billing", "dev-team", "payments", "search", "web", "apps-prod")
APPS = ("inventory", "orders-api", "checkout", "catalog", "frontend", "mailer", "ledger")
KINDS = (
    ("Deployment", "deployments", "apps"),
    ("Certificate", "certificates", "cert-manager.io"),
    ("HTTPProxy", "httpproxies", "projectcontour.io"),
    ("Workload", "workloads", "carto.run"),
    ("Image", "images", "kpack.io"),
    ("App", "apps", "kappctrl.k14s.io"),
    ("Revision", "revisions", "serving.knative.dev"),
    ("GitRepository", "gitrepositories", "source.toolkit.fluxcd.io"),
)
#: (pod, container) of the foreign controllers; some are named like AMR's pods
PODS = (
    ("cert-manager-7d9f8c6b5-x2k4q", "cert-manager-controller"),
    ("kapp-controller-5c8d7f6b9d-q2wzj", "kapp-controller"),
    ("controller-6b9c8d7f4-p5wzt", "controller"),  # knative serving
    ("tekton-pipelines-controller-84c6f9d7b5-j5mhx", "tekton-pipelines-controller"),
    ("contour-5d9c7b6f8-n8zkq", "contour"),
    ("cartographer-controller-7c8d9f6b5-zz9qk", "cartographer-controller"),
    ("kpack-controller-6f9c8d7b5-h2j4k", "controller"),
    ("source-controller-5c6d7e8f9-abcde", "manager"),
    ("app-scanning-controller-manager-7d9f8c-k2x4q", "manager"),
    ("coredns-5d78c9869d-t2vbn", "coredns"),
    ("amr-docs-site-6d5f8b7c9-w9jqs", "nginx"),
    ("amr-reports-exporter-28911-x7k2p", "exporter"),
)
LEASES = (
    "kube-system/cert-manager-controller",
    "cert-manager/cert-manager-cainjector-leader-election",
    "kube-system/kube-controller-manager",
    "kapp-controller/kapp-controller.k14s.io",
    "tekton-pipelines/tekton-pipelines-controller.github.com.tektoncd.pipeline.pkg",
    "flux-system/source-controller-leader-election",
)

FRAMES = (
    "sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).reconcileHandler",
    "\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.17.2/pkg/internal/controller/controller.go:329",
    "sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).processNextWorkItem",
    "\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.17.2/pkg/internal/controller/controller.go:266",
)

# --- what they say ----------------------------------------------------------------
# Each list holds format templates of one whole line (before any CRI or pod prefix).
# Ordinary lines avoid every stage-1 literal; near misses hold some on purpose. A near
# miss that would be AMR's own line without a pod to say otherwise (AMR's signatures
# know their lines by the pod, or by the message alone when no pod is named) comes
# with its foreign pod's prefix.

INFO = (
    '{iso}\tINFO\tReconciling {kind}\t{{"controller": "{lkind}", "namespace": "{ns}", "name": "{app}-{n}", "reconcileID": "{uid}"}}',
    '{iso}\tINFO\tStarting workers\t{{"controller": "{lkind}", "controllerGroup": "{group}", "controllerKind": "{kind}", "worker count": {k}}}',
    '{iso}\tDEBUG\tcontroller.{lkind}\tReconcile done, requeue after 10m\t{{"namespace": "{ns}", "name": "{app}-{n}"}}',
    '{{"level":"info","ts":"{iso}","logger":"controllers.{kind}","msg":"reconcile finished","{lkind}":{{"name":"{app}-{n}","namespace":"{ns}"}},"duration":"{ms}ms"}}',
    '{{"level":"debug","ts":{epoch},"logger":"kapp-controller.app","msg":"Reconcile noop","request":"{ns}/{app}"}}',
    '{{"level":"info","ts":{epoch},"logger":"source-controller","msg":"artifact up-to-date with remote revision: \'main@sha1:{uid}\'","controller":"gitrepository","name":"{app}","namespace":"{ns}"}}',
    'I{klog}       1 reflector.go:{n}] "Caches populated" type="*v1.{kind}" reflector="k8s.io/client-go/informers/factory.go:160"',
    'I{klog}       1 controller.go:{n}] "Observed a change" controller="{lkind}" object="{ns}/{app}-{n}"',
    'I{klog}       1 event.go:389] "Event occurred" object="{ns}/{app}" fieldPath="" kind="Deployment" apiVersion="apps/v1" type="Normal" reason="ScalingReplicaSet" message="Scaled up replica set {app}-{hash} to {k}"',
    '{gots} [INFO] 10.{a}.{b}.{c}:{port} - {n} "A IN {app}.{ns}.svc.cluster.local. udp 60 false 512" NXDOMAIN qr,aa,rd 157 0.000{n}s',
    'time="{isos}" level=info msg="Successfully synced" application={app} namespace={ns} revision={uid}',
    '{{"severity":"info","timestamp":"{iso}","logger":"tekton-pipelines-controller","caller":"taskrun/taskrun.go:{n}","message":"taskrun done","knative.dev/kind":"tekton.dev.TaskRun","knative.dev/traceid":"{uid}","knative.dev/key":"{ns}/{app}-build-{n}"}}',
    '{{"severity":"INFO","timestamp":"{iso}","logger":"controller","caller":"controller/controller.go:550","message":"Reconcile succeeded","knative.dev/kind":"serving.knative.dev.Revision","knative.dev/traceid":"{uid}","knative.dev/key":"{ns}/{app}-0000{k}","duration":"{ms}.{n}ms"}}',
    "{gots} http: proxy {app}.{ns}: upstream 10.{a}.{b}.{c}:8080 healthy after {ms}ms",
)

#: Warnings and errors that share no literal with AMR's signatures (only level words).
WARN = (
    'W{klog}       1 reflector.go:{n}] k8s.io/client-go/informers/factory.go:160: failed to list *v1.{kind}: {plural}.{group} is forbidden: User "system:serviceaccount:{ns}:{app}" cannot list resource "{plural}" in API group "{group}" at the cluster scope',
    'E{klog}       1 controller.go:{n}] "Reconciler error" err="Operation cannot be fulfilled on {plural}.{group} \\"{app}-{n}\\": the object has been modified; please apply your changes to the latest version and try again" controller="{lkind}" namespace="{ns}" name="{app}-{n}" reconcileID="{uid}"',
    '{{"level":"warn","ts":"{iso}","logger":"kapp-controller","msg":"Retrying after a conflict","app":"{ns}/{app}","attempt":{k}}}',
    'time="{isos}" level=warning msg="Failed to get cached token, will refresh" registry=harbor.{ns}.example.com',
    '{{"severity":"WARNING","timestamp":"{iso}","logger":"autoscaler","caller":"scaling/autoscaler.go:{n}","message":"Revision {ns}/{app}-0000{k} not ready, skipping scale","knative.dev/key":"{ns}/{app}-0000{k}"}}',
    '{iso}\tWARN\tcontroller-runtime.webhook\tskipping conversion\t{{"kind": "{kind}", "reason": "no conversion webhook configured"}}',
    '{{"severity":"error","timestamp":"{iso}","logger":"tekton-pipelines-controller","caller":"taskrun/taskrun.go:{n}","message":"Returned an error","knative.dev/key":"{ns}/{app}-build-{n}","targetMethod":"ReconcileKind","error":"pods \\"{app}-build-{n}-pod\\" is forbidden: exceeded quota: compute-resources"}}',
    "W{klog}       1 warnings.go:70] {group}/v1alpha1 {kind} is deprecated; use {group}/v1",
)
#: An error with a stack trace (the frames follow it).
TRACED = '{iso}\tERROR\tReconciler error\t{{"controller": "{lkind}", "namespace": "{ns}", "name": "{app}-{n}", "reconcileID": "{uid}", "error": "admission webhook \\"validation.{group}\\" denied the request: spec.replicas must be at most 10"}}'

#: Near misses below warning level.
NEAR_INFO = (
    "I{klog}       1 leaderelection.go:260] successfully acquired lease {lease}",
    "I{klog}       1 leaderelection.go:250] attempting to acquire leader lease {lease}...",
    "I{klog}       1 leaderelection.go:285] failed to renew lease {lease}: timed out waiting for the condition",
    '{iso}\tINFO\tStarting EventSource\t{{"controller": "imagevulnerabilityscan", "controllerGroup": "app-scanning.apps.tanzu.vmware.com", "controllerKind": "ImageVulnerabilityScan", "source": "kind source: *v1alpha1.ImageVulnerabilityScan"}}',
    '[pod/{pod}/{container}] {{"level":"info","ts":"{iso}","logger":"httpclient","msg":"Received response with status","status":"200 OK","url":"http://{app}.{ns}.svc/api/orders"}}',
    '[pod/{pod}/{container}] {{"level":"debug","ts":"{iso}","caller":"handler/events.go:76","msg":"Handle single event","queue":"{app}"}}',
    '{{"level":"info","ts":"{iso}","logger":"controllers.{kind}","msg":"Updated condition","type":"Ready","status":"True","reason":"Available","name":"{app}-{n}"}}',
    'I{klog}       1 kubelet.go:{n}] "SyncLoop (PLEG): event for pod" pod="{ns}/{app}-{hash}" event={{"Type":"ContainerStarted","Data":"{uid}"}} phase="Running"',
    'I{klog}       1 kuberuntime_container.go:{n}] "Container state changed" pod="{ns}/{app}-{hash}" state="Terminated" reason="Completed"',
    "{gots} Establishing connection to nats://nats.{ns}.svc:4222",
    # another app's CloudEvent sender: the Observer's words, another pod's log
    '[pod/{pod}/{container}] {iso}\tINFO\tsendCloudEvent\treceived result\t{{"ceType": "dev.knative.apiserver.resource.update", "result": "202: "}}',
    '{{"level":"info","ts":"{iso}","logger":"{app}","msg":"amr-observer-e2e: waiting for namespace amr-observer-system to be ready"}}',
)
#: Near misses at warning level or worse.
NEAR_WARN = (
    'E{klog}       1 leaderelection.go:332] error retrieving resource lock {lease}: Get "https://10.96.0.1:443/apis/coordination.k8s.io/v1/namespaces/{lease_ns}/leases/{lease_name}?timeout=5s": context deadline exceeded',
    'E{klog}       1 leaderelection.go:369] Failed to update lock: Put "https://10.96.0.1:443/apis/coordination.k8s.io/v1/namespaces/{lease_ns}/leases/{lease_name}?timeout=5s": context deadline exceeded',
    'E{klog}       1 controller.go:195] "leader election lost" logger="{app}.controller"',
    '[pod/{pod}/{container}] {{"level":"error","ts":"{iso}","logger":"setup","msg":"problem running manager","error":"leader election lost"}}',
    'E{klog}       1 reflector.go:158] "Unhandled Error" err="k8s.io/client-go/tools/cache/reflector.go:243: Failed to watch *v1.Secret: failed to list *v1.Secret: Get \\"https://vault.vault.svc:8200/v1/auth\\": tls: failed to verify certificate: x509: certificate signed by unknown authority"',
    "{gots} http: TLS handshake error from 10.{a}.{b}.{c}:{port}: remote error: tls: bad certificate",
    "{gots} http: TLS handshake error from 10.{a}.{b}.{c}:{port}: tls: first record does not look like a TLS handshake",
    '{{"level":"error","ts":"{iso}","logger":"kpack.build","msg":"failed to fetch image config","error":"Get \\"https://registry.{ns}.svc:5000/v2/\\": dial tcp 10.{a}.{b}.{c}:5000: connect: connection refused"}}',
    '{iso}\tERROR\thttpclient\terror contacting upstream\t{{"error": "Get \\"http://{app}.{ns}.svc/healthz\\": dial tcp 10.{a}.{b}.{c}:8080: connect: connection refused"}}',
    'time="{isos}" level=error msg="health check failed" error="Get \\"vault:8200/v1/sys/health\\": unsupported protocol scheme \\"vault\\""',
    '[pod/{pod}/{container}] {{"level":"error","ts":"{iso}","caller":"client/post.go:83","msg":"post error: Post \\"https://orders-db.{ns}.svc.cluster.local:8443/api/v1/locations\\": dial tcp 10.{a}.{b}.{c}:8443: connect: connection refused"}}',
    '[pod/{pod}/{container}] {{"level":"warn","ts":"{iso}","logger":"httpclient","msg":"Received response with status","status":"503 Service Unavailable","url":"http://{app}.{ns}.svc/api/orders"}}',
    'E{klog}    2214 pod_workers.go:1301] "Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"{app}\\" with CrashLoopBackOff: \\"back-off 5m0s restarting failed container={app} pod={app}-{hash}_{ns}({uid})\\"" pod="{ns}/{app}-{hash}" podUID="{uid}"',
    '{{"level":"warn","ts":"{iso}","logger":"kapp-controller","msg":"Deployment not ready","app":"{ns}/{app}","reason":"pod {app}-{hash} ImagePullBackOff"}}',
    'W{klog}       1 prober.go:{n}] "Probe failed" probeType="Liveness" pod="{ns}/{app}-{hash}" containerName="{app}" probeResult="failure" output="Get \\"http://10.{a}.{b}.{c}:8080/healthz\\": context deadline exceeded"',
    '{{"level":"error","ts":"{iso}","msg":"migration step failed","error":"dial tcp 10.96.{b}.{c}:5432: connect: connection refused"}}',
    '{gots} [error] 29#29: *{n} connect() failed (111: Connection refused) while connecting to upstream, client: 10.{a}.{b}.{c}, upstream: "http://10.{a}.{b}.{c}:8080/"',
    '{iso}\tERROR\tsetup\tunable to start webhook server\t{{"error": "open /tmp/k8s-webhook-server/serving-certs/tls.crt: no such file or directory"}}',
)

#: Shares of the lines (the rest are ordinary INFO lines; planted lines come on top).
WARN_SHARE = 0.09
TRACED_SHARE = 0.005
NEAR_INFO_SHARE = 0.06
NEAR_WARN_SHARE = 0.065
#: Shares of lines with a CRI prefix and with a ``[pod/NAME/CONTAINER]`` prefix.
CRI_SHARE = 0.2
POD_SHARE = 0.25


@dataclass
class Mix:
    """What ``generate_noisy`` wrote."""

    planted: list[int] = field(default_factory=list)
    lines: int = 0
    warnings: int = 0  # lines at warning level or worse (planted ones not counted)
    near_misses: int = 0


def amr_lines() -> list[str]:
    """What gets planted: every built-in signature's single-line match examples (those
    that need no context lines)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from amr_logpatterns import load_packs

    return [
        example.line
        for signature in load_packs().signatures
        for example in signature.examples.match
        if "\n" not in example.line and example.context is None
    ]


class _Lines:
    """Renders one line at a time from a seeded generator and a clock."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.micros = 0  # since 2024-12-07T10:00:00Z

    def fields(self) -> dict[str, object]:
        rng = self.rng
        self.micros += rng.randrange(20, 4000)
        secs, us = divmod(self.micros, 1_000_000)
        mins, s = divmod(secs, 60)
        h, m = divmod(mins + 600, 60)
        hms = f"{h % 24:02d}:{m:02d}:{s:02d}"
        kind, plural, group = rng.choice(KINDS)
        pod, container = rng.choice(PODS)
        lease = rng.choice(LEASES)
        lease_ns, lease_name = lease.split("/")
        return {
            "iso": f"2024-12-07T{hms}.{us:06d}Z",
            "isos": f"2024-12-07T{hms}Z",
            "klog": f"1207 {hms}.{us:06d}",
            "gots": f"2024/12/07 {hms}",
            "epoch": f"{1733565600 + secs}.{us:06d}",
            "kind": kind,
            "lkind": kind.lower(),
            "plural": plural,
            "group": group,
            "ns": rng.choice(NAMESPACES),
            "app": rng.choice(APPS),
            "n": rng.randrange(10, 999),
            "k": rng.randrange(1, 9),
            "ms": rng.randrange(1, 900),
            "uid": f"{rng.getrandbits(64):016x}",
            "hash": f"{rng.getrandbits(32):08x}-{rng.getrandbits(20):05x}",
            "a": rng.randrange(1, 250),
            "b": rng.randrange(1, 250),
            "c": rng.randrange(1, 250),
            "port": rng.randrange(30000, 60000),
            "pod": pod,
            "container": container,
            "lease": lease,
            "lease_ns": lease_ns,
            "lease_name": lease_name,
            "cri": f"2024-12-07T{hms}.{us:06d}{rng.randrange(1000):03d}Z",
        }

    def wrap(self, text: str, cri: str, stream: str) -> str:
        """The line as it was collected: bare, behind a CRI prefix, or a pod prefix."""
        if text.startswith("[pod/"):
            return text
        roll = self.rng.random()
        if roll < CRI_SHARE:
            return f"{cri} {stream} F {text}"
        if roll < CRI_SHARE + POD_SHARE:
            pod, container = self.rng.choice(PODS)
            return f"[pod/{pod}/{container}] {text}"
        return text


def generate_noisy(path: Path, size: int, rate: float = 0.01, seed: int = 13) -> Mix:
    """Write about ``size`` bytes of the noisy mix to ``path``, one planted AMR line
    per ``1/rate`` lines (rate 0: none)."""
    lines = _Lines(seed)
    rng = lines.rng
    amr = amr_lines()
    every = round(1 / rate) if rate > 0 else 0
    mix = Mix()
    written = 0
    cuts = (
        (WARN_SHARE, WARN, "warn"),
        (TRACED_SHARE, None, "warn"),
        (NEAR_INFO_SHARE, NEAR_INFO, "near"),
        (NEAR_WARN_SHARE, NEAR_WARN, "near-warn"),
    )
    with path.open("w", encoding="utf-8") as out:
        while written < size:
            batch: list[str] = []
            for _ in range(1000):
                mix.lines += 1
                if every and mix.lines % every == 0:
                    batch.append(amr[rng.randrange(len(amr))])
                    mix.planted.append(mix.lines)
                    continue
                f = lines.fields()
                roll = rng.random()
                templates, kind = INFO, "info"
                for share, group, name in cuts:
                    if roll < share:
                        templates, kind = group, name
                        break
                    roll -= share
                if templates is None:  # an error with its stack trace, never prefixed
                    batch.append(TRACED.format_map(f))
                    batch.extend(FRAMES)
                    mix.lines += len(FRAMES)
                    mix.warnings += 1
                    continue
                text = templates[rng.randrange(len(templates))].format_map(f)
                stream = "stderr" if text[0] in "IWE" and text[1].isdigit() else "stdout"
                batch.append(lines.wrap(text, str(f["cri"]), stream))
                mix.warnings += kind in ("warn", "near-warn")
                mix.near_misses += kind.startswith("near")
            chunk = "\n".join(batch) + "\n"
            out.write(chunk)
            written += len(chunk)
    return mix


AMR_SCAN = (sys.executable, "-m", "amr_logpatterns", "scan", "--format", "jsonl")


def _check(size: int, rate: float) -> int:
    """Classify a sample of the mix: every planted line, and nothing else, must match."""
    import json
    import subprocess
    import tempfile

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "noisy.log"
        mix = generate_noisy(log, size, rate)
        out = subprocess.run(
            [*AMR_SCAN, "--no-config", "--engine", "exact", str(log)],
            capture_output=True,
            text=True,
            cwd=tmp,
            env={**os.environ, "PYTHONPATH": str(root)},
            check=False,
        ).stdout
        text = log.read_text().splitlines()
    found: dict[int, set[str]] = {}
    for row in map(json.loads, out.splitlines()):
        found.setdefault(row["line"], set()).add(row["id"])
    planted = set(mix.planted)
    bad = 0
    for line in sorted(set(found) - planted):
        bad += 1
        print(f"near miss matched: line {line} {sorted(found[line])}: {text[line - 1][:200]}")
    for line in sorted(planted - set(found)):
        bad += 1
        print(f"planted line not matched: line {line}: {text[line - 1][:200]}")
    print(f"{mix.lines} lines, {len(planted)} planted, {bad} wrong")
    return 1 if bad else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="classify a sample of the mix")
    parser.add_argument("--size", type=int, default=2_000_000, help="sample bytes")
    parser.add_argument("--rate", type=float, default=0.01, help="planted AMR lines' share")
    args = parser.parse_args()
    sys.exit(_check(args.size, args.rate) if args.check else 0)
