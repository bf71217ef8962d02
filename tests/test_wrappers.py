"""Wrappers: what capture tools and pastes add is peeled, and its names become context."""

from __future__ import annotations

from amr_logpatterns.peel.ansi import strip_ansi
from amr_logpatterns.peel.command import command_context
from amr_logpatterns.peel.lines import read_lines
from amr_logpatterns.peel.paths import path_context

ZAP = '2024-03-02T08:11:09Z\tINFO\tsetup\tEstablishing\t{"locationId": "0b4e"}'


def only(text: str):  # type: ignore[no-untyped-def]
    lines = [line for line in read_lines(text) if line.kind == "text"]
    assert len(lines) == 1, lines
    return lines[0]


def test_kubectl_prefix() -> None:
    line = only(f"[pod/amr-observer-controller-manager-5f7b9-abcde/manager] {ZAP}")
    assert line.text == ZAP
    assert line.context["workload"] == "amr-observer-controller-manager-5f7b9-abcde"
    assert line.context["container"] == "manager"


def test_kubectl_timestamps_before_zap_klog_and_plain() -> None:
    ts = "2024-03-02T08:11:09.123456789Z "
    assert only(ts + ZAP).text == ZAP
    assert only(ts + "I0302 08:11:09.000001       1 x.go:1] hi").text.startswith("I0302")
    assert only(ts + "sent: type: x").text == "sent: type: x"


def test_zap_console_line_with_spaces_is_not_mistaken_for_a_timestamp_wrapper() -> None:
    text = '2023-06-20T15:42:39Z  LEVEL(-3)  httpclient.circuitbreaker  AMR CloudEventHandler  {"State": "closed"}'
    assert only(text).text == text
    single = "2023-06-20T15:42:39Z INFO setup Establishing"
    assert only(single).text == single


def test_prefix_and_timestamps_together() -> None:
    line = only(f"[pod/amr-persister-7d9-x1/amr-persister] 2024-03-02T08:11:09.1Z {ZAP}")
    assert line.text == ZAP and line.context["container"] == "amr-persister"


def test_cri_full_and_partial_entries() -> None:
    lines = list(
        read_lines(
            "2024-03-02T08:11:09.123456789Z stderr F " + ZAP + "\n"
            "2024-03-02T08:11:10.1Z stdout P first half, \n"
            "2024-03-02T08:11:10.2Z stdout F second half\n"
        )
    )
    assert [(line.number, line.last, line.text) for line in lines] == [
        (1, 1, ZAP),
        (2, 3, "first half, second half"),
    ]


def test_partial_entry_at_end_of_input_is_kept() -> None:
    lines = list(read_lines("2024-03-02T08:11:10.1Z stdout P dangling"))
    assert [line.text for line in lines] == ["dangling"]


def test_stern_prefix_with_colours_is_learned_for_plain_lines() -> None:
    pod = "\x1b[32mamr-observer-controller-manager-7c9d8b6f4-qx2lm\x1b[0m \x1b[34mmanager\x1b[0m "
    lines = list(read_lines(pod + ZAP + "\n" + pod + "sent: type: foo\n"))
    assert [line.text for line in lines] == [ZAP, "sent: type: foo"]
    assert all(line.context["workload"].startswith("amr-observer") for line in lines)
    assert all(line.context["container"] == "manager" for line in lines)


def test_ansi_and_copied_colour_remnants_are_removed() -> None:
    assert strip_ansi("\x1b[34mINFO\x1b[0m ok") == "INFO ok"
    assert strip_ansi("[34mINFO[0m ok") == "INFO ok"
    assert strip_ansi("array[3m] stays") == "array[3m] stays"


def test_ticket_decorations_are_skipped_not_lost() -> None:
    text = (
        "```console\n"
        "$ kubectl -n amr-observer-system logs deployments/amr-observer-controller-manager\n"
        "> > 2023/06/28 19:09:06 No certs appended, using system certs only\n"
        "...\n"
        "    indented line\n"
        "==> observer.log <==\n"
        "after the header\n"
        "```\n"
    )
    lines = list(read_lines(text))
    assert [(line.number, line.kind) for line in lines] == [
        (1, "skipped"), (2, "skipped"), (3, "text"), (4, "skipped"),
        (5, "text"), (6, "skipped"), (7, "text"), (8, "skipped"),
    ]
    assert lines[2].text == "2023/06/28 19:09:06 No certs appended, using system certs only"
    assert lines[2].context == {
        "namespace": "amr-observer-system",
        "workload": "amr-observer-controller-manager",
    }
    assert lines[4].text == "indented line"
    assert lines[6].context == {"file": "observer.log"}


def test_command_context() -> None:
    assert command_context("-n metadata-store logs deployments/amr-persister -c x") == {
        "namespace": "metadata-store", "workload": "amr-persister", "container": "x",
    }
    assert command_context('--namespace=amr-observer-system describe pods "<amr-observer-controller-manager-...>"') == {
        "namespace": "amr-observer-system", "workload": "amr-observer-controller-manager-",
    }
    assert command_context("get events -A") == {}


def test_describe_header_sets_context_for_following_rows() -> None:
    lines = list(read_lines("Name:         cert-manager-6d5f-abc12\nNamespace:    cert-manager\nEvents:\n"))
    assert lines[2].context == {"workload": "cert-manager-6d5f-abc12", "namespace": "cert-manager"}


def test_node_log_paths_name_pod_namespace_and_container() -> None:
    header = "==> /var/log/containers/cert-manager-6d8c5d9b7f-qk9xz_cert-manager_cert-manager-controller-" + "a" * 64 + ".log <==\n"
    lines = list(read_lines(header + "2024/01/01 00:00:00 hello\n"))
    assert lines[1].context["namespace"] == "cert-manager"
    assert lines[1].context["workload"] == "cert-manager-6d8c5d9b7f-qk9xz"
    assert lines[1].context["container"] == "cert-manager-controller"
    pods = "/var/log/pods/metadata-store_amr-persister-5c9d-x1_0b4e9a2c-1111-4222-8333-444455556666/amr-persister/0.log"
    assert path_context(pods) == {"workload": "amr-persister-5c9d-x1", "namespace": "metadata-store", "container": "amr-persister"}


def test_a_closing_fence_ends_the_pasted_command_context() -> None:
    text = (
        "```\n$ kubectl -n amr-observer-system logs deployments/amr-observer-controller-manager\n"
        "inside\n```\nafter\n"
    )
    lines = [line for line in read_lines(text) if line.kind == "text"]
    assert lines[0].context["namespace"] == "amr-observer-system"
    assert lines[1].context == {}


def test_loki_logcli_label_set_becomes_context() -> None:
    line = only(
        '2024-03-02T08:11:09Z {app="amr-persister", container="amr-persister", namespace="metadata-store", '
        'pod="amr-persister-5c9d-x1"} {"level":"info","msg":"Start Receiving"}'
    )
    assert line.text == '{"level":"info","msg":"Start Receiving"}'
    assert line.context["namespace"] == "metadata-store"
    assert line.context["workload"] == "amr-persister-5c9d-x1"


def test_docker_json_file_and_fluent_bit_records() -> None:
    inner = '2024-03-02T08:11:09Z\\tINFO\\tsetup\\tEstablishing\\t{\\"locationId\\": \\"0b4e\\"}\\n'
    line = only('{"log":"' + inner + '","stream":"stderr","time":"2024-03-02T08:11:09.5Z"}')
    assert line.text == ZAP
    line = only(
        '{"log":"hello\\n","kubernetes":{"pod_name":"cert-manager-1-a","namespace_name":"cert-manager",'
        '"container_name":"cert-manager"}}'
    )
    assert line.text == "hello"
    assert line.context == {"workload": "cert-manager-1-a", "namespace": "cert-manager", "container": "cert-manager"}


def test_docker_json_partial_entries_are_joined() -> None:
    lines = list(
        read_lines(
            '{"log":"first half, ","stream":"stdout","time":"t"}\n'
            '{"log":"second half\\n","stream":"stdout","time":"t"}\n'
        )
    )
    assert [(line.number, line.last, line.text) for line in lines] == [(1, 2, "first half, second half")]


def test_capture_timestamp_separated_by_a_tab() -> None:
    assert only("2024-03-02T08:11:09.123Z\t" + ZAP).text == ZAP


def test_command_context_stops_at_a_pipe() -> None:
    assert command_context("-n amr-observer-system logs pod-x -c manager --previous | tail -n 15") == {
        "namespace": "amr-observer-system", "workload": "pod-x", "container": "manager",
    }


def test_describe_context_ends_where_log_records_start() -> None:
    text = "Name:         cert-manager-6d5f-abc12\nNamespace:    cert-manager\nEvents:\n" + ZAP + "\n"
    lines = list(read_lines(text))
    assert lines[2].context == {"workload": "cert-manager-6d5f-abc12", "namespace": "cert-manager"}
    assert lines[3].context == {}


def test_a_shipper_record_that_starts_with_its_time_is_still_unwrapped() -> None:
    line = only('{"time":"2024-03-02T08:11:09Z","log":"hello\\n","stream":"stdout"}')
    assert line.text == "hello"
