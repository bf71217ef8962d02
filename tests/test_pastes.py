"""The same AMR problems as other capture tools and pastes present them, end to end."""

from __future__ import annotations

import pytest

from amr_logpatterns import Classifier

OBSERVER_POD = "amr-observer-controller-manager-84c6f9d7b5-7wq2m"
HANDLER_POD = "amr-persister-6f8b5c9d47-k3x8v"
SCHEME_TAB = (
    "2025-03-11T14:02:55Z\tERROR\thttpclient.circuitbreaker\terror contacting event handler\t"
    '{"error": "Get \\"amr-handler.tap.corp.example/healthz\\": unsupported protocol scheme \\"\\""}'
)
MDS_JSON = (
    '{"level":"error","ts":"2025-03-11T14:03:10.5Z","caller":"amr-persister/main.go:102",'
    '"msg":"MDS is unavailable: Get \\"https://metadata-store-app.metadata-store.svc.cluster.local:8443/api/health\\": '
    'dial tcp 10.96.14.2:8443: connect: connection refused"}'
)
HEX = "9f" * 32

CASES = {
    "kubectl --prefix --timestamps": (
        f"[pod/{OBSERVER_POD}/manager] 2025-03-11T14:02:55.118204551Z {SCHEME_TAB}\n",
        "<paste>",
        [("observer.unsupported-protocol-scheme", 1)],
    ),
    "stern, coloured, with --timestamps": (
        f"\x1b[36m{OBSERVER_POD}\x1b[0m \x1b[33mmanager\x1b[0m 2025-03-11T14:02:55.1Z {SCHEME_TAB}\n",
        "<paste>",
        [("observer.unsupported-protocol-scheme", 1)],
    ),
    "CRI node log named by its path": (
        f"2025-03-11T14:03:10.500000001Z stderr F {MDS_JSON}\n",
        f"/var/log/containers/{HANDLER_POD}_metadata-store_amr-persister-{HEX}.log",
        [("handler.mds-unavailable", 1)],
    ),
    "another pod's node log": (
        f"2025-03-11T14:03:10.500000001Z stderr F {MDS_JSON}\n",
        f"/var/log/containers/inventory-7d9f-x2_shop_inventory-{HEX}.log",
        [],
    ),
    "docker json-file": (
        '{"log":' + __import__("json").dumps(MDS_JSON + "\n") + ',"stream":"stderr","time":"2025-03-11T14:03:10.5Z"}\n',
        "<paste>",
        [("handler.mds-unavailable", 1)],
    ),
    "Loki logcli": (
        f'2025-03-11T14:03:10Z {{namespace="metadata-store", pod="{HANDLER_POD}"}} {MDS_JSON}\n',
        "<paste>",
        [("handler.mds-unavailable", 1)],
    ),
    "browser copy that turned TABs into single spaces": (
        '2025-03-11T14:02:40Z INFO httpclient.circuitbreaker Received response with status {"status": "502 Bad Gateway"}\n'
        '2025-03-11T14:02:40Z ERROR httpclient {"error": "request failed with status 502"}\n',
        "<paste>",
        [("observer.health-check-failed", 1), ("observer.health-check-failed", 2)],
    ),
    "terminal-wrapped JSON": (
        MDS_JSON[:70] + "\n" + MDS_JSON[70:150] + "\n" + MDS_JSON[150:] + "\n",
        "<paste>",
        [("handler.mds-unavailable", 1)],
    ),
    "e-mail reply: quoted, indented, CRLF": (
        "Hi team, the observer says:\r\n> \r\n>     " + SCHEME_TAB + "\r\n> thanks\r\n",
        "<paste>",
        [("observer.unsupported-protocol-scheme", 3)],
    ),
    "kubectl events, newer columns": (
        "LAST SEEN               TYPE      REASON      OBJECT                                           MESSAGE\n"
        f"2m10s (x6 over 4m40s)   Warning   Unhealthy   Pod/{OBSERVER_POD}   Readiness probe failed: Get \"http://10.42.3.17:8081/readyz\": context deadline exceeded\n",
        "<paste>",
        [("kubelet.readiness-probe-failed", 2)],
    ),
    "kubectl get events -A for another namespace": (
        'shop   2m10s   Warning   Unhealthy   pod/inventory-7d9f-x2   Readiness probe failed: Get "http://10.42.3.18:8081/readyz": context deadline exceeded\n',
        "<paste>",
        [],
    ),
    "a command pasted before the log names another namespace": (
        f"$ kubectl -n shop logs deploy/inventory\n{SCHEME_TAB}\n",
        "<paste>",
        [],
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_paste(classifier: Classifier, case: str) -> None:
    text, name, expected = CASES[case]
    got = [(m.id, m.line) for m in classifier.scan(text, source_name=name)]
    assert got == expected, text
