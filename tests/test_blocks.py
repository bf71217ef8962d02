"""Blocks: stack traces and CloudEvent dumps join the record they belong to."""

from __future__ import annotations

from helpers import records

TRACE = (
    '2023-06-20T19:01:58Z  ERROR  httpclient    {"error": "request failed with status 503"}\n'
    "gitlab.eng.vmware.com/tanzu-image-signing/amr-observer/internal/cloud/event/client.(*CloudEventClient).do\n"
    "  /workspace/internal/cloud/event/client/client.go:102\n"
    "github.com/sony/gobreaker.(*CircuitBreaker).Execute\n"
    "\t/go/pkg/mod/github.com/sony/gobreaker@v0.5.0/gobreaker.go:242\n"
    "2023-06-20T19:02:00Z  INFO  setup  next\n"
)


def test_stack_trace_frames_belong_to_the_error_record() -> None:
    got = records(TRACE)
    assert [(r.line, r.end_line, r.encoding) for r in got] == [(1, 5, "zap-console"), (6, 6, "zap-console")]
    assert len(got[0].continuation) == 4
    assert got[0].text.endswith("gobreaker.go:242")


def test_prefixed_stack_trace_still_attaches() -> None:
    prefixed = "".join(f"[pod/amr-observer-controller-manager-1-a/manager] {line}\n" for line in TRACE.splitlines())
    got = records(prefixed)
    assert [(r.line, r.end_line) for r in got] == [(1, 5), (6, 6)]


def test_a_dotted_plain_line_without_a_head_is_its_own_record() -> None:
    got = records("main.main\nruntime.main\n")
    assert [r.line for r in got] == [1, 2]


def test_cloudevent_dump_interrupted_by_a_zap_line() -> None:
    got = records(
        "result: 204: sent: type: dev.knative.apiserver.resource.delete\n"
        "  source: 1b2c3d4e-0000-4000-8000-000000000001\n"
        '2023-06-20T19:01:23Z  INFO  replicaset.sendCloudEvent  received result  {"result": "500: "}\n'
        "  id: 4565357219078868493\n"
        "Extensions:\n"
        "map[kind:ReplicaSet name:web-7ff9bc58f namespace:apps]\n"
        "after\n"
    )
    assert [(r.line, r.end_line, r.encoding) for r in got] == [
        (1, 6, "cloudevent"), (3, 3, "zap-console"), (7, 7, "plain"),
    ]
    event = got[0]
    assert event.fields == {
        "type": "dev.knative.apiserver.resource.delete",
        "result": "204",
        "source": "1b2c3d4e-0000-4000-8000-000000000001",
        "id": "4565357219078868493",
        "extensions": {"kind": "ReplicaSet", "name": "web-7ff9bc58f", "namespace": "apps"},
    }


def test_cloudevent_sdk_string_form() -> None:
    got = records(
        "Context Attributes,\n"
        "  specversion: 1.0\n"
        "  type: vmware.tanzu.apps.location.created.v1\n"
        "  source: 9e8d\n"
        "  id: 42\n"
        "Extensions,\n"
        "  kind: ReplicaSet\n"
        "Data,\n"
        '  {"a": 1}\n'
        '{"level":"info","msg":"next"}\n'
    )
    assert [(r.line, r.end_line, r.encoding) for r in got] == [(1, 9, "cloudevent"), (10, 10, "zap-json")]
    assert got[0].fields["type"] == "vmware.tanzu.apps.location.created.v1"
    assert got[0].fields["extensions"] == {"kind": "ReplicaSet"}


def test_unfinished_cloudevent_at_end_of_input_is_emitted() -> None:
    got = records("sent: type: a.b.c\n  source: s\n")
    assert [(r.line, r.end_line, r.encoding) for r in got] == [(1, 2, "cloudevent")]


def test_frames_under_kubectl_timestamps_attach() -> None:
    text = "".join(
        f"2024-09-03T14:22:05.57{i}Z {line}\n"
        for i, line in enumerate(
            ['2024-09-03T14:22:05Z\tERROR\tsetup\tunable to registry location\t{"error": "x"}', "main.main", "\t/workspace/main.go:190"]
        )
    )
    assert [(r.line, r.end_line) for r in records(text)] == [(1, 3)]


def test_a_function_frame_joins_only_when_a_file_frame_follows() -> None:
    got = records('{"level":"error","msg":"boom"}\nmain.main\n{"level":"info","msg":"next"}\n')
    assert [(r.line, r.end_line, r.encoding) for r in got] == [(1, 1, "zap-json"), (2, 2, "plain"), (3, 3, "zap-json")]
