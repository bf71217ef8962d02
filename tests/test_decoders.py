"""Decoders: each encoding is read into message, level, logger, caller and fields."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amr_logpatterns.decode import decode_text


def one(text: str):  # type: ignore[no-untyped-def]
    decoded = decode_text(text)
    assert len(decoded) == 1, decoded
    return decoded[0]


@pytest.mark.parametrize("sep", ["\t", "  "])
def test_zap_console_with_tabs_or_spaces(sep: str) -> None:
    line = sep.join(
        ["2023-06-20T15:51:50Z", "INFO", "httpclient.circuitbreaker",
         "Received response with status", '{"status": "204 No Content"}']
    )
    d = one(line)
    assert (d.encoding, d.level, d.logger, d.message) == (
        "zap-console", "info", "httpclient.circuitbreaker", "Received response with status"
    )
    assert d.fields == {"status": "204 No Content"}


@pytest.mark.parametrize(
    "line",
    [
        '2023-06-20T19:01:58Z  ERROR  httpclient    {"error": "request failed with status 503"}',
        '2023-06-20T19:01:58Z\tERROR\thttpclient\t\t{"error": "request failed with status 503"}',
    ],
)
def test_zap_console_empty_message_keeps_the_logger(line: str) -> None:
    d = one(line)
    assert (d.level, d.logger, d.message) == ("error", "httpclient", "")
    assert d.fields == {"error": "request failed with status 503"}


def test_zap_console_verbosity_level_and_no_logger() -> None:
    d = one('2023-06-20T15:42:39Z  LEVEL(-3)  httpclient.circuitbreaker  AMR CloudEventHandler  {"availability": true, "State": "closed"}')
    assert d.level == "level(-3)" and d.fields == {"availability": True, "State": "closed"}
    d = one('2023-06-28T17:56:43Z  INFO  Starting Controller  {"controller": "imagevulnerabilityscan"}')
    assert d.logger is None and d.message == "Starting Controller"


def test_zap_console_caller_and_message_without_fields() -> None:
    d = one("2024-03-02T08:11:09.123+0000\tINFO\tsetup\tcmd/main.go:88\tstarting manager")
    assert (d.logger, d.caller, d.message, d.fields) == ("setup", "cmd/main.go:88", "starting manager", {})


def test_zap_json_with_escaped_quotes_stacktrace_and_extra_keys() -> None:
    d = one(
        '{"level":"error","ts":"2023-06-20T15:15:04.321672436Z","caller":"amr-persister/main.go:99",'
        '"msg":"AMR is unavailable: Get \\"https://amr-graphql-app:8443/play\\": refused",'
        '"stacktrace":"main.main\\n\\tamr-persister/main.go:99","attempt":3}'
    )
    assert d.encoding == "zap-json" and d.level == "error"
    assert d.message == 'AMR is unavailable: Get "https://amr-graphql-app:8443/play": refused'
    assert d.caller == "amr-persister/main.go:99"
    assert d.continuation == ()
    assert d.fields == {"attempt": 3}


def test_zap_json_epoch_float_timestamp_and_verbosity_level() -> None:
    d = one('{"level":"Level(-3)","ts":1709367069.5,"logger":"x","msg":"m"}')
    assert d.level == "level(-3)" and d.ts is not None and d.ts.startswith("2024-03-02T08:11:09")
    # written with Z, as every other time in a report is (not +00:00)
    assert d.ts == "2024-03-02T08:11:09.500000Z"


def test_a_json_record_cut_short_keeps_the_members_before_the_cut() -> None:
    whole = '{"level":"error","ts":"2025-01-21T08:02:40Z","msg":"AMR is unavailable: boom","big":[1,2,3]}'
    assert decode_text(whole[:40])[0].encoding == "plain", "uncut text is not guessed at"
    d = decode_text(whole[:-12], cut=True)[0]
    assert (d.encoding, d.level, d.ts, d.message) == ("zap-json", "error", "2025-01-21T08:02:40Z", "AMR is unavailable: boom")
    assert d.fields == {} and d.raw == whole[:-12]
    d = decode_text(whole[:70], cut=True)[0]
    assert d.message == "AMR is unavailable" and d.level == "error"
    d = decode_text('{"level":"warn","msg":"caf\\u00e9 \\u00', cut=True)[0]
    assert (d.level, d.message) == ("warn", "café")
    assert decode_text('{"lev', cut=True)[0].encoding == "plain"


def test_json_that_is_not_a_log_is_plain() -> None:
    assert one('{"alias": "x"}').encoding == "plain"
    assert one("{not json").encoding == "plain"


def test_klog_and_structured_klog() -> None:
    d = one("E0530 05:01:20.297972       1 leaderelection.go:367] Failed to update lock: boom")
    assert (d.encoding, d.level, d.caller, d.message) == ("klog", "error", "leaderelection.go:367", "Failed to update lock: boom")
    d = one('I0302 08:11:09.000001   7 leaderelection.go:250] "attempting to acquire leader lease" lease="amr-observer-system/abc"')
    assert d.message == "attempting to acquire leader lease" and d.fields == {"lease": "amr-observer-system/abc"}


def test_go_standard_log() -> None:
    d = one("2023/06/28 19:09:06 No certs appended, using system certs only")
    assert (d.encoding, d.ts, d.message) == ("golog", "2023/06/28 19:09:06", "No certs appended, using system certs only")


def test_describe_event_row() -> None:
    d = one('Warning  Unhealthy  3m35s (x3 over 4m15s)  kubelet            Liveness probe failed: Get "http://10.1.2.3:8081/healthz": context deadline exceeded')
    assert (d.encoding, d.level, d.logger) == ("event", "warn", "kubelet")
    assert d.fields["count"] == 3 and d.fields["reason"] == "Unhealthy"
    assert d.message.startswith("Liveness probe failed")


def test_get_events_row_names_its_object() -> None:
    d = one("2m1s        Warning   Unhealthy   pod/amr-persister-6b8f-x2   Readiness probe failed: HTTP probe failed with statuscode: 500")
    assert d.context == {"workload": "amr-persister-6b8f-x2"}
    d = one("metadata-store   2m1s   Warning   Unhealthy   pod/amr-persister-6b8f-x2   Readiness probe failed: x")
    assert d.context == {"workload": "amr-persister-6b8f-x2", "namespace": "metadata-store"}


def test_glued_klog_records_are_split() -> None:
    decoded = decode_text(
        "E0530 05:01:20.297972       1 leaderelection.go:367] Failed to update lock: i/o timeout"
        "I0530 05:01:20.298127       1 leaderelection.go:283] failed to renew lease a/b: timed out"
    )
    assert [d.message for d in decoded] == ["Failed to update lock: i/o timeout", "failed to renew lease a/b: timed out"]


def test_json_objects_glued_on_one_line_are_split() -> None:
    decoded = decode_text('{"level":"error","msg":"one"} {"level":"info","msg":"two"}')
    assert [(d.level, d.message) for d in decoded] == [("error", "one"), ("info", "two")]


def test_json_glued_after_plain_text() -> None:
    decoded = decode_text('garbage before{"level":"info","msg":"two"}')
    assert [(d.encoding, d.message) for d in decoded] == [("plain", "garbage before"), ("zap-json", "two")]


def test_zap_console_copied_with_single_spaces() -> None:
    d = one('2023-06-20T15:47:09Z INFO setup Establishing {"locationId": "x"}')
    assert (d.logger, d.message, d.fields) == ("setup", "Establishing", {"locationId": "x"})
    d = one('2023-06-20T15:47:09Z INFO Starting Controller {"controller": "x"}')
    assert (d.logger, d.message) == (None, "Starting Controller")
    d = one('2023-06-20T15:47:09Z ERROR httpclient {"error": "request failed with status 503"}')
    assert (d.logger, d.message) == ("httpclient", "")


def test_zap_console_with_epoch_time() -> None:
    d = one('1.7093670695e+09\tINFO\tsetup\tEstablishing\t{"locationId": "x"}')
    assert (d.encoding, d.ts, d.logger, d.message) == ("zap-console", "1.7093670695e+09", "setup", "Establishing")


def test_kubectl_events_row_with_capitalised_kind() -> None:
    d = one("3m35s (x3 over 4m15s)   Warning   Unhealthy   Pod/amr-observer-controller-manager-6d-x   Liveness probe failed: x")
    assert d.context == {"workload": "amr-observer-controller-manager-6d-x"} and d.fields["count"] == 3


def test_a_record_after_a_space_is_not_glued() -> None:
    assert [d.encoding for d in decode_text('some words here and {"level":"info","msg":"x"}')] == ["plain"]


def test_trailing_text_after_json_stays_in_its_raw() -> None:
    decoded = decode_text('{"level":"info","msg":"one"} trailing}')
    assert [(d.message, d.raw) for d in decoded] == [("one", '{"level":"info","msg":"one"} trailing}')]


def test_zap_console_fields_nested_too_deeply_stay_in_the_message() -> None:
    """JSON deeper than Python's recursion limit is no field object, and no crash."""
    fields = '{"a":' * 100_000 + "1" + "}" * 100_000
    d = one("2024-09-03T14:22:05Z\tERROR\tsetup\tfailed\t" + fields)
    assert (d.level, d.fields) == ("error", {})
    assert fields in d.message


def test_zap_console_message_full_of_braces_still_finds_the_fields() -> None:
    """Only the first and last openings are tried: a parse that fails costs time in
    proportion to its offset, so trying them all would be quadratic."""
    message = "  {" * 50_000
    d = one(f'2024-09-03T14:22:05Z  ERROR  setup  {message}y  {{"status": 503}}')
    assert d.fields == {"status": 503} and d.message.endswith("y")


_GLUE_PIECES = [
    '{"level":"info","msg":"x"}',
    '{ "ts" : 1}',
    "2023-06-20T15:47:05.123Z\tINFO\tsetup\t",
    "2023-06-20 15:47:05 WARN ",
    "1700000000.123\terror\t",
    "1.7e+09\tinfo\t",
    "E1207 10:00:00.123456 1 a.go:12] ",
    "W0101 00:00:00.000000    77 pkg/x.go:3] ",
    "a",
    " ",
    "\t",
    "{",
    "1234",
    "-",
    "INFO",
    "level(2)",
    "x=1",
]


@given(st.lists(st.sampled_from(_GLUE_PIECES), min_size=1, max_size=8))
def test_the_fast_glued_record_search_finds_what_the_whole_pattern_finds(
    pieces: list[str],
) -> None:
    from amr_logpatterns.models.shapes import GLUED_START, glued_start

    text = "".join(pieces)
    whole = GLUED_START.search(text, 1)
    assert glued_start(text) == (whole.start() if whole else None)


@pytest.mark.parametrize(
    ("line", "level", "ts", "message"),
    [
        (
            '2024-05-14 09:21:17.412 UTC [231] FATAL:  password authentication failed for user "metadata-store-user"',
            "fatal",
            "2024-05-14T09:21:17.412Z",
            'password authentication failed for user "metadata-store-user"',
        ),
        (
            "2023-01-01 00:00:00.000 UTC [14] PANIC:  could not locate a valid checkpoint record",
            "panic",
            "2023-01-01T00:00:00.000Z",
            "could not locate a valid checkpoint record",
        ),
        (
            "2022-09-19 18:05:26.576 +02 [13097] LOG:  could not accept SSL connection: EOF detected",
            "info",
            "2022-09-19T18:05:26.576+02",
            "could not accept SSL connection: EOF detected",
        ),
        (
            "2024-05-14 09:21:17 CEST [7] WARNING:  worker took too long",
            "warn",
            "2024-05-14T09:21:17",
            "worker took too long",
        ),
    ],
    ids=["fatal", "panic", "offset", "zone-name"],
)
def test_postgresql_server_log(line: str, level: str, ts: str, message: str) -> None:
    d = one(line)
    assert (d.encoding, d.level, d.ts, d.message) == ("postgres", level, ts, message)
    assert d.fields["severity"] == line.split("] ", 1)[1].split(":", 1)[0]


def test_a_postgresql_time_is_no_capture_time() -> None:
    from amr_logpatterns.peel.lines import read_lines

    line = "2024-05-14 09:21:17.412 UTC [231] FATAL:  terminating connection"
    (read,) = read_lines(line)
    assert read.text == line and "capture_ts" not in read.context
    (captured,) = read_lines("2024-05-14T09:21:17.412999Z " + line)  # kubectl --timestamps
    assert captured.text == line and captured.context["capture_ts"] == "2024-05-14T09:21:17.412999Z"
