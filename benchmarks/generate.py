"""Write a realistic large log with AMR lines planted at known positions.

Mixed controllers in zap console and JSON, klog and Go log lines, some behind
CRI prefixes, stack traces and ``describe`` blocks of other pods, near misses
that hold a signature's literal but must not match, and one AMR line per
``1/rate`` lines. Returns the line numbers of the planted AMR lines.
"""

from __future__ import annotations

import random
from pathlib import Path

NOISE = (
    '2024-05-01T10:{m:02d}:{s:02d}Z\tINFO\tcontroller.workload\tReconciling\t{{"namespace": "apps-{i}", "name": "web-{i}"}}',
    '{{"level":"info","ts":"2024-05-01T10:{m:02d}:{s:02d}.{i:06d}Z","logger":"cache","msg":"synced","objects":{i}}}',
    "I0501 10:{m:02d}:{s:02d}.{i:06d}       1 reflector.go:351] Watch close - *v1.Pod total {i} items received",
    "2024/05/01 10:{m:02d}:{s:02d} http: TLS handshake from 10.2.{s}.{m}:443 ok",
    '2024-05-01T10:{m:02d}:{s:02d}.{i:09d}Z stdout F 2024-05-01T10:{m:02d}:{s:02d}Z\tDEBUG\tscheduler\tqueue length\t{{"len": {i}}}',
    '{{"level":"debug","ts":1714557600.{i},"logger":"kapp-controller","msg":"reconcile done","app":"tap-{i}"}}',
)
BLOCKS = (
    [
        '2024-05-01T10:00:00Z\tWARN\tcontroller.cert\tretrying\t{"name": "tls-{i}"}',
        "github.com/acme/operator/pkg/cert.(*Reconciler).Reconcile",
        "\t/workspace/pkg/cert/reconcile.go:88",
    ],
    [
        "Name:         inventory-7d9f-x{i}",
        "Namespace:    shop",
        "Events:",
        "  Type     Reason     Age   From     Message",
        "  ----     ------     ----  ----     -------",
        '  Warning  Unhealthy  3m (x3 over 4m)  kubelet  Liveness probe failed: Get "http://10.1.2.3:8081/healthz": context deadline exceeded',
    ],
)
NEAR_MISSES = (
    "I0501 10:00:00.000001       1 leaderelection.go:283] failed to renew lease cert-manager/cert-manager-controller: timed out waiting for the condition",
    '[pod/billing-api-5d9c7b6f8-x8k2p/app] 2024-05-01T10:00:00Z\tINFO\thttpclient\tReceived response with status\t{{"status": "503 Service Unavailable"}}',
    '{{"level":"info","ts":"2024-05-01T10:00:00Z","msg":"Error Handler received error Post \\"https://billing/api/orders\\": EOF"}}',
    "shop   2m1s   Warning   Unhealthy   pod/inventory-7d9f-x{i}   Readiness probe failed: HTTP probe failed with statuscode: 500",
)
PLANTED = (
    '2024-05-01T10:{m:02d}:{s:02d}Z\tINFO\thttpclient.circuitbreaker\tReceived response with status\t{{"status": "503 Service Unavailable"}}',
    '2024-05-01T10:{m:02d}:{s:02d}Z\tERROR\thttpclient.circuitbreaker\terror contacting event handler\t{{"error": "Get \\"amr-{i}.example.com/healthz\\": unsupported protocol scheme \\"\\""}}',
    '{{"level":"error","ts":"2024-05-01T10:{m:02d}:{s:02d}Z","caller":"amr-persister/main.go:99","msg":"AMR is unavailable: Get \\"https://amr-graphql-app.metadata-store.svc.cluster.local:8443/play\\": dial tcp 10.0.{s}.{m}:8443: connect: connection refused"}}',
    "2023/06/28 19:{m:02d}:{s:02d} No certs appended, using system certs only",
    '{{"level":"info","ts":"2024-05-01T10:{m:02d}:{s:02d}Z","caller":"amr-persister/main.go:61","msg":"Start Receiving"}}',
)


def generate(path: Path, size: int, rate: float, seed: int = 7) -> list[int]:
    """Write about ``size`` bytes to ``path``; return the planted AMR lines' numbers."""
    rng = random.Random(seed)
    planted: list[int] = []
    line = 0
    written = 0
    every = max(1, round(1 / rate))
    with path.open("w", encoding="utf-8") as out:
        while written < size:
            batch: list[str] = []
            for _ in range(5000):
                i = rng.randrange(1_000_000)
                fields = {"m": i % 60, "s": (i // 60) % 60, "i": i}
                line += 1
                if line % every == 0:
                    batch.append(PLANTED[i % len(PLANTED)].format(**fields))
                    planted.append(line)
                elif i % 997 == 0:
                    block = BLOCKS[i % len(BLOCKS)]
                    batch += [b.replace("{i}", str(i)) for b in block]
                    line += len(block) - 1
                elif i % 1009 == 0:
                    batch.append(NEAR_MISSES[i % len(NEAR_MISSES)].format(**fields))
                else:
                    batch.append(NOISE[i % len(NOISE)].format(**fields))
            chunk = "\n".join(batch) + "\n"
            out.write(chunk)
            written += len(chunk)
    return planted
