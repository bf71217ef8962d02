"""Log shippers' and log stores' envelopes: each documented shape is peeled to the record it
holds, its labels become the context attribution sees, its time the record's when it has none.

The documents below follow each tool's documented output shape (key names, nesting, time
units); the AMR lines inside them are the guide's, with made-up values.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from amr_logpatterns import Classifier, Report
from amr_logpatterns.explain.line import explain_file_line
from amr_logpatterns.fast.prefilter import available_engines
from amr_logpatterns.peel.lines import read_lines
from amr_logpatterns.pipeline import cutting
from amr_logpatterns.pipeline.parallel import classify_parallel

POD = "amr-persister-6b9c8d7f4-p5wzt"
MDS_DOWN = (
    '{"level":"error","ts":"2025-02-04T22:41:21.233232025Z","caller":"amr-persister/main.go:102",'
    '"msg":"MDS is unavailable: Get \\"https://metadata-store-app.metadata-store.svc.cluster.local:8443'
    '/api/health\\": dial tcp 10.111.203.66:8443: connect: connection refused"}'
)
#: The same failure as a line with no time of its own: the envelope's time is all it has.
MDS_DOWN_BARE = (
    'MDS is unavailable: Get "https://metadata-store-app.metadata-store.svc.cluster.local:8443'
    '/api/health": dial tcp 10.111.203.66:8443: connect: connection refused'
)
#: The handler stored a location again: the healthy signal that ends ``MDS is unavailable``.
STORED = (
    '{"level":"info","ts":"2025-02-04T22:49:02.5Z","caller":"persister/persisteradapter.go:299",'
    '"msg":"status: 200, responseBody: {\\"alias\\":\\"f17f073d\\",\\"reference\\":\\"f17f073d\\"}"}'
)
LABELS = {
    "namespace": "metadata-store",
    "pod": POD,
    "container": "amr-persister",
    "app": "amr-persister",
}
#: A reporter in another namespace logs the same words about its own store: not AMR's.
OTHER_LABELS = {
    "namespace": "reporting",
    "pod": "scan-reporter-7b8c9d6f5-w3e4r",
    "container": "reporter",
}
NS_1 = "1738709121233232025"  # 2025-02-04T22:45:21.233232025Z in nanoseconds
NS_2 = "1738709342000000000"  # 2025-02-04T22:49:02Z


def scan(tmp_path: Path, name: str, text: str, **settings: object) -> Report:
    path = tmp_path / name
    path.write_text(text)
    return Classifier(**settings).classify_file(path)  # type: ignore[arg-type]


def finding(report: Report, signature_id: str):  # type: ignore[no-untyped-def]
    found = [f for f in report.findings if f.id == signature_id]
    assert found, f"{signature_id} not in {[f.id for f in report.findings]}"
    return found[0]


def ids(report: Report) -> set[str]:
    return {f.id for f in report.findings}


def text_lines(text: str) -> list:  # type: ignore[type-arg]
    return [line for line in read_lines(text) if line.kind == "text"]


# --- one record per line -----------------------------------------------------------------


def test_logcli_jsonl_line_labels_and_time() -> None:
    # ``logcli query --output=jsonl``: timestamp, labels, line
    entry = {"timestamp": "2025-02-04T22:45:21.233232025Z", "labels": LABELS, "line": MDS_DOWN_BARE}
    (line,) = text_lines(json.dumps(entry))
    assert line.text == MDS_DOWN_BARE
    assert line.context["workload"] == POD and line.context["namespace"] == "metadata-store"
    assert line.context["capture_ts"] == "2025-02-04T22:45:21.233232025Z"


def test_stern_json_output() -> None:
    # ``stern --output json``: message (with its newline), nodeName, namespace, podName,
    # containerName, labels, annotations
    entry = {
        "message": MDS_DOWN + "\n",
        "nodeName": "worker-1",
        "namespace": "metadata-store",
        "podName": POD,
        "containerName": "amr-persister",
        "labels": {"app": "amr-persister", "pod-template-hash": "6b9c8d7f4"},
        "annotations": {},
    }
    (line,) = text_lines(json.dumps(entry))
    assert line.text == MDS_DOWN
    assert line.context == {
        "workload": POD,
        "namespace": "metadata-store",
        "container": "amr-persister",
    }


def test_fluentd_and_fluent_bit_kubernetes_metadata() -> None:
    entry = {
        "log": MDS_DOWN + "\n",
        "stream": "stderr",
        "time": "2025-02-04T22:45:21.233Z",
        "kubernetes": {
            "pod_name": POD,
            "namespace_name": "metadata-store",
            "container_name": "amr-persister",
            "labels": {"app": "amr-persister"},
        },
    }
    (line,) = text_lines(json.dumps(entry))
    assert line.text == MDS_DOWN
    assert line.context["workload"] == POD and line.context["container"] == "amr-persister"


def test_vector_kubernetes_logs_source() -> None:
    # Vector's ``kubernetes_logs`` source: message, kubernetes.pod_name/pod_namespace,
    # source_type, stream, timestamp
    entry = {
        "file": f"/var/log/pods/metadata-store_{POD}_0b1c/amr-persister/0.log",
        "kubernetes": {
            "container_name": "amr-persister",
            "pod_name": POD,
            "pod_namespace": "metadata-store",
            "pod_labels": {"app": "amr-persister"},
        },
        "message": MDS_DOWN,
        "source_type": "kubernetes_logs",
        "stream": "stderr",
        "timestamp": "2025-02-04T22:45:21.233232025Z",
    }
    (line,) = text_lines(json.dumps(entry))
    assert line.text == MDS_DOWN
    assert line.context["namespace"] == "metadata-store" and line.context["workload"] == POD


def test_elasticsearch_hit_on_one_line() -> None:
    # one hit of ``_search`` (or an ndjson export): _index, _id, _source with Filebeat's
    # ECS fields (kubernetes.pod.name, kubernetes.namespace, kubernetes.container.name)
    hit = {
        "_index": "filebeat-8.12.0",
        "_id": "Zx1",
        "_score": 1.0,
        "_source": {
            "@timestamp": "2025-02-04T22:45:21.233Z",
            "message": MDS_DOWN,
            "kubernetes": {
                "pod": {"name": POD},
                "namespace": "metadata-store",
                "container": {"name": "amr-persister"},
            },
        },
    }
    (line,) = text_lines(json.dumps(hit))
    assert line.text == MDS_DOWN
    assert line.context["workload"] == POD and line.context["container"] == "amr-persister"


def test_cloudwatch_insights_and_gcp_fields() -> None:
    (line,) = text_lines(
        json.dumps({"@timestamp": "2025-02-04 22:45:21.233", "@message": MDS_DOWN})
    )
    assert line.text == MDS_DOWN
    gcp = {
        "textPayload": MDS_DOWN_BARE,
        "resource": {
            "type": "k8s_container",
            "labels": {
                "pod_name": POD,
                "namespace_name": "metadata-store",
                "container_name": "amr-persister",
            },
        },
        "timestamp": "2025-02-04T22:45:21.233Z",
    }
    (line,) = text_lines(json.dumps(gcp))
    assert line.text == MDS_DOWN_BARE and line.context["workload"] == POD


def test_envelopes_inside_envelopes_are_unescaped_once_per_layer() -> None:
    # Loki kept Docker's json-file record whole: the zap record is escaped twice
    docker = json.dumps(
        {"log": MDS_DOWN + "\n", "stream": "stderr", "time": "2025-02-04T22:45:21Z"}
    )
    entry = {"timestamp": "2025-02-04T22:45:21Z", "labels": LABELS, "line": docker}
    raw = json.dumps(entry)
    assert '\\\\\\"' in raw  # three backslashes before the inner quotes
    (line,) = text_lines(raw)
    assert line.text == MDS_DOWN
    assert line.context["workload"] == POD


def test_a_record_with_envelope_like_fields_is_not_peeled() -> None:
    # zap records may carry fields named like an envelope's: they are records all the same
    record = '{"level":"info","ts":"2025-02-04T22:45:21Z","msg":"upload done","body":"{\\"id\\": 1}","stream":"s3"}'
    (line,) = text_lines(record)
    assert line.text == record
    plain = '{"message":"hello from a JSON logger"}'
    assert text_lines(plain)[0].text == plain


def test_a_stack_trace_inside_an_envelope_becomes_lines() -> None:
    entry = {
        "line": "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/workspace/main.go:12 +0x1d",
        "labels": LABELS,
    }
    lines = text_lines(json.dumps(entry))
    assert [line.text for line in lines][:2] == ["panic: boom", "goroutine 1 [running]:"]
    assert all(line.context.get("workload") == POD for line in lines)


# --- whole documents ---------------------------------------------------------------------


def loki_query_range(streams: list[tuple[dict[str, str], list[tuple[str, str]]]]) -> dict:  # type: ignore[type-arg]
    # Loki's HTTP API, ``GET /loki/api/v1/query_range``: values newest first (direction backward)
    return {
        "status": "success",
        "data": {
            "resultType": "streams",
            "result": [
                {"stream": labels, "values": [list(v) for v in values]}
                for labels, values in streams
            ],
            "stats": {"summary": {"bytesProcessedPerSecond": 1}},
        },
    }


@pytest.mark.parametrize("indent", [None, 2], ids=["curl", "jq"])
def test_loki_query_range_is_read_oldest_first_with_its_labels(
    tmp_path: Path, indent: int | None
) -> None:
    doc = loki_query_range([(LABELS, [(NS_2, STORED), (NS_1, MDS_DOWN_BARE)])])
    report = scan(tmp_path, "loki.json", json.dumps(doc, indent=indent))
    down = finding(report, "handler.mds-unavailable")
    # the bare line has no time: the envelope's is its time
    assert down.first_seen.ts == "2025-02-04T22:45:21.233232025Z"
    # newest first in the answer, yet the handler's readiness came after the failure
    assert down.recovery is not None and down.recovery.status == "recovered"
    assert "diagnosis.metadata-store-down" in {d.id for d in report.diagnoses}
    if indent:  # the evidence points at the line that holds the record
        lines = (tmp_path / "loki.json").read_text().splitlines()
        assert "MDS is unavailable" in lines[down.evidence[0].line - 1]


def test_loki_labels_of_another_pod_refuse_attribution(tmp_path: Path) -> None:
    doc = loki_query_range([(OTHER_LABELS, [(NS_1, MDS_DOWN_BARE)])])
    report = scan(tmp_path, "loki.json", json.dumps(doc, indent=2))
    assert "handler.mds-unavailable" not in ids(report)


def test_loki_push_format(tmp_path: Path) -> None:
    doc = {"streams": [{"stream": LABELS, "values": [[NS_1, MDS_DOWN]]}]}
    assert "handler.mds-unavailable" in ids(scan(tmp_path, "push.json", json.dumps(doc)))


def elasticsearch_search(hits: list[dict]) -> dict:  # type: ignore[type-arg]
    # ``GET /_search``: took, timed_out, _shards, hits.total, hits.hits[]._source
    return {
        "took": 4,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": len(hits), "relation": "eq"}, "max_score": 1.0, "hits": hits},
    }


def test_elasticsearch_and_opensearch_search_answer_pretty(tmp_path: Path) -> None:
    source = {
        "@timestamp": "2025-02-04T22:45:21.233Z",
        "log": MDS_DOWN + "\n",
        "stream": "stderr",
        "kubernetes": {
            "pod_name": POD,
            "namespace_name": "metadata-store",
            "container_name": "amr-persister",
        },
    }
    other = {
        **source,
        "kubernetes": {"pod_name": OTHER_LABELS["pod"], "namespace_name": "reporting"},
    }
    hits = [
        {"_index": "logstash-2025.02.04", "_id": "a1", "_score": 1.0, "_source": source},
        {"_index": "logstash-2025.02.04", "_id": "a2", "_score": 1.0, "_source": other},
    ]
    # ``?pretty`` writes `` : `` between keys and values
    text = json.dumps(elasticsearch_search(hits), indent=2).replace('": ', '" : ')
    report = scan(tmp_path, "es.json", text)
    down = finding(report, "handler.mds-unavailable")
    assert down.count == 1  # the other pod's hit is not AMR's
    lines = text.splitlines()
    assert '"log" :' in lines[down.evidence[0].line - 1]


def test_cloudwatch_filter_log_events_as_the_aws_cli_prints_it(tmp_path: Path) -> None:
    # ``aws logs filter-log-events``: events[] with logStreamName, timestamp (ms), message,
    # ingestionTime, eventId; Container Insights names streams after the node's log file
    stream = f"ip-10-0-1-23.ec2.internal-application.var.log.containers.{POD}_metadata-store_amr-persister-{'0' * 64}.log"
    doc = {
        "events": [
            {
                "logStreamName": stream,
                "timestamp": 1738709121233,
                "message": MDS_DOWN_BARE,
                "ingestionTime": 1738709122000,
                "eventId": "3777",
            },
            {
                "logStreamName": stream,
                "timestamp": 1738709342000,
                "message": STORED,
                "ingestionTime": 1738709343000,
                "eventId": "3778",
            },
        ],
        "searchedLogStreams": [],
    }
    report = scan(tmp_path, "cw.json", json.dumps(doc, indent=4))
    down = finding(report, "handler.mds-unavailable")
    assert down.first_seen.ts == "2025-02-04T22:45:21.233000000Z"
    assert down.recovery is not None and down.recovery.status == "recovered"


def test_cloudwatch_insights_query_results(tmp_path: Path) -> None:
    # ``aws logs get-query-results``: results[] rows of field/value pairs
    doc = {
        "results": [
            [
                {"field": "@timestamp", "value": "2025-02-04 22:45:21.233"},
                {"field": "@message", "value": MDS_DOWN},
                {"field": "@ptr", "value": "Cm"},
            ]
        ],
        "statistics": {"recordsMatched": 1.0},
        "status": "Complete",
    }
    assert "handler.mds-unavailable" in ids(
        scan(tmp_path, "insights.json", json.dumps(doc, indent=4))
    )


def test_opentelemetry_otlp_json_log_records(tmp_path: Path) -> None:
    # OTLP/JSON (the file exporter, ``/v1/logs``): resource attributes k8s.*, body.stringValue,
    # timeUnixNano as a string
    def attribute(key: str, value: str) -> dict:  # type: ignore[type-arg]
        return {"key": key, "value": {"stringValue": value}}

    doc = {
        "resourceLogs": [
            {
                "resource": {
                    "attributes": [
                        attribute("k8s.namespace.name", "metadata-store"),
                        attribute("k8s.pod.name", POD),
                        attribute("k8s.container.name", "amr-persister"),
                    ]
                },
                "scopeLogs": [
                    {
                        "scope": {},
                        "logRecords": [
                            {
                                "timeUnixNano": NS_1,
                                "severityNumber": 17,
                                "severityText": "ERROR",
                                "body": {"stringValue": MDS_DOWN_BARE},
                            },
                        ],
                    }
                ],
            }
        ]
    }
    for indent in (None, 2):
        down = finding(
            scan(tmp_path, "otlp.json", json.dumps(doc, indent=indent)), "handler.mds-unavailable"
        )
        assert down.first_seen.ts == "2025-02-04T22:45:21.233232025Z"


def test_a_pod_document_is_still_read_as_pod_state(tmp_path: Path) -> None:
    # a lone ``{`` opens a document: a pod's ``-o json`` is handed back at its first key
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "metadata-store-db-0", "namespace": "metadata-store"},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": "metadata-store-db",
                    "ready": False,
                    "restartCount": 9,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                }
            ],
        },
    }
    assert "store.crash-loop" in ids(scan(tmp_path, "pod.json", json.dumps(pod, indent=2)))


def test_an_unclosed_document_loses_no_line(tmp_path: Path) -> None:
    text = json.dumps(loki_query_range([(LABELS, [(NS_1, MDS_DOWN_BARE)])]), indent=2)
    cut = "\n".join(text.splitlines()[:14]) + "\n" + MDS_DOWN + "\n"
    report = scan(tmp_path, "cut.json", cut)
    assert report.stats.lines_read == 15
    assert "handler.mds-unavailable" in ids(report)  # the zap line after the cut-off answer


# --- CSV exports ---------------------------------------------------------------------------


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize(
    ("header", "row"),
    [
        # Kibana Discover "Share > CSV": the fields as columns
        (
            ["@timestamp", "kubernetes.namespace_name", "kubernetes.pod_name", "message"],
            ["Feb 4, 2025 @ 22:45:21.233", "metadata-store", POD, MDS_DOWN],
        ),
        # CloudWatch Logs Insights "Export results > CSV"
        (["@timestamp", "@message"], ["2025-02-04 22:45:21.233", MDS_DOWN]),
        # Splunk: _time, _raw
        (["_time", "host", "_raw"], ["2025-02-04T22:45:21.233+00:00", "worker-1", MDS_DOWN]),
        # Grafana's "Download CSV" of a Loki panel
        (["Time", "Line", "labels"], ["2025-02-04 22:45:21.233", MDS_DOWN, json.dumps(LABELS)]),
    ],
    ids=["kibana", "insights", "splunk", "grafana"],
)
def test_csv_exports_name_their_message_column(
    tmp_path: Path, header: list[str], row: list[str]
) -> None:
    report = scan(tmp_path, "export.csv", csv_text(header, [row]))
    down = finding(report, "handler.mds-unavailable")
    assert down.evidence[0].line == 2


def test_csv_rows_give_context_and_time_and_multi_line_fields(tmp_path: Path) -> None:
    header = ["timestamp", "namespace", "pod", "message"]
    trace = "panic: boom\n\ngoroutine 1 [running]:\nmain.main()"
    rows = [
        ["2025-02-04T22:45:21.233Z", "metadata-store", POD, MDS_DOWN_BARE],
        ["2025-02-04T22:46:00Z", "metadata-store", POD, trace],
        ["2025-02-04T22:47:00Z", "reporting", OTHER_LABELS["pod"], MDS_DOWN_BARE],
        ["2025-02-04T22:49:02Z", "metadata-store", POD, STORED],
    ]
    text = csv_text(header, rows, delimiter=";")
    report = scan(tmp_path, "export.csv", text)
    down = finding(report, "handler.mds-unavailable")
    assert down.count == 1 and down.first_seen.ts == "2025-02-04T22:45:21.233Z"
    assert down.recovery is not None and down.recovery.status == "recovered"
    assert report.stats.lines_read == len(text.splitlines())


def test_a_line_that_only_looks_like_a_header_changes_nothing() -> None:
    lines = text_lines("Failed to update, log\n" + MDS_DOWN + "\n")
    assert [line.text for line in lines] == ["Failed to update, log", MDS_DOWN]


# --- the same answer on every path ---------------------------------------------------------


def mixed_input() -> str:
    """Noise around a pretty Loki answer, a CSV export and one-line envelopes."""
    noise = [f'2025-02-04T22:{m:02d}:00Z\tINFO\tsetup\tstill here\t{{"n": {m}}}' for m in range(40)]
    loki = json.dumps(
        loki_query_range(
            [
                (LABELS, [(NS_2, STORED), (NS_1, MDS_DOWN_BARE)]),
                (OTHER_LABELS, [(NS_1, MDS_DOWN_BARE)]),
            ]
        ),
        indent=2,
    )
    export = csv_text(["@timestamp", "@message"], [["2025-02-04 22:45:21.233", MDS_DOWN]]).replace(
        "\r\n", "\n"
    )
    stern = json.dumps(
        {
            "message": MDS_DOWN + "\n",
            "namespace": "metadata-store",
            "podName": POD,
            "containerName": "amr-persister",
        }
    )
    return "\n".join([*noise, loki, *noise, export, *noise, stern, *noise]) + "\n"


def summary(report: Report) -> list[tuple[str, int, tuple[int, ...], str | None]]:
    return sorted(
        (
            f.id,
            f.count,
            tuple(e.line for e in f.evidence),
            f.recovery.status if f.recovery else None,
        )
        for f in report.findings
    )


def test_stage_1_finds_what_the_exact_path_reads(tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    path.write_text(mixed_input() * 20)
    exact = Classifier(engine="exact").classify_file(path)
    assert summary(exact) and "handler.mds-unavailable" in ids(exact)
    for engine in available_engines():
        for chunk in (512, 1 << 20):
            fast = Classifier(
                engine=engine, fast_path_min_bytes=0, chunk_bytes=chunk
            ).classify_file(path)
            assert summary(fast) == summary(exact), (engine, chunk)


def test_jobs_never_cut_inside_a_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cutting, "MIN_PIECE_BYTES", 4096)
    path = tmp_path / "mixed.log"
    path.write_text(mixed_input() * 50)
    one = Classifier(engine="exact").classify_file(path)
    for jobs in (2, 7):
        assert summary(classify_parallel(Classifier(), [path], jobs)) == summary(one), jobs


def test_explain_line_tells_where_a_documents_record_came_from(tmp_path: Path) -> None:
    doc = loki_query_range([(LABELS, [(NS_1, MDS_DOWN_BARE)])])
    path = tmp_path / "loki.json"
    path.write_text(json.dumps(doc, indent=2))
    number = next(i for i, line in enumerate(path.read_text().splitlines(), 1) if "MDS is" in line)
    expl = explain_file_line(Classifier(), path, number)
    assert any(
        "JSON document opened on line 1" in note for line in expl.lines for note in line.notes
    )
    (record,) = expl.records
    assert [m.id for m in record.matched] == ["handler.mds-unavailable"]
    origins = {c.key: c.origin for c in record.read.context}
    assert "envelope" in origins["workload"]


@pytest.mark.parametrize("shape", ["loki", "search", "cloudwatch"])
def test_an_answer_longer_than_the_line_cap_gives_the_records_its_start_holds(
    tmp_path: Path, shape: str
) -> None:
    if shape == "loki":
        doc: dict = loki_query_range([(LABELS, [(NS_1, MDS_DOWN)] * 100)])  # type: ignore[type-arg]
    elif shape == "search":
        source = {
            "message": MDS_DOWN,
            "kubernetes": {"pod_name": POD, "namespace_name": "metadata-store"},
        }
        doc = elasticsearch_search(
            [{"_index": "logs", "_id": str(i), "_source": source} for i in range(100)]
        )
    else:
        doc = {
            "events": [
                {"timestamp": 1738709121233, "message": MDS_DOWN, "eventId": str(i)}
                for i in range(100)
            ]
        }
    path = tmp_path / "answer.json"
    path.write_text(json.dumps(doc))
    exact = Classifier(engine="exact", max_line_length=8192).classify_file(path)
    down = finding(exact, "handler.mds-unavailable")
    assert 10 < down.count < 100  # what the first 8 KiB hold whole, no more
    assert exact.stats.sources[0].truncated_lines == 1
    fast = Classifier(max_line_length=8192, fast_path_min_bytes=0).classify_file(path)
    assert summary(fast) == summary(exact)


def test_lone_brackets_without_end_are_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amr_logpatterns.peel import document_buffer

    monkeypatch.setattr(document_buffer, "MAX_LINES", 50)
    text = "{\n" * 400 + MDS_DOWN + "\n"
    lines = list(read_lines(text))
    assert [line.number for line in lines] == list(range(1, 402))
    report = scan(tmp_path, "brackets.log", text)
    assert report.stats.lines_read == 401 and "handler.mds-unavailable" in ids(report)


def test_cloudwatch_export_to_s3_lines() -> None:
    # ``aws logs create-export-task`` writes each event as its time, a space, its message
    (line,) = text_lines("2025-02-04T22:45:21.233Z " + MDS_DOWN_BARE)
    assert line.text == MDS_DOWN_BARE
    assert line.context["capture_ts"] == "2025-02-04T22:45:21.233Z"
