"""Records wrapped onto several lines by a terminal or a mail client are joined back."""

from __future__ import annotations

from amr_logpatterns.peel.lines import read_lines
from amr_logpatterns.peel.rejoin import MAX_WRAPPED_LINES, rejoin


def joined(text: str) -> list[tuple[int, int, str]]:
    return [(line.number, line.last, line.text) for line in rejoin(read_lines(text)) if line.kind == "text"]


def test_wrapped_zap_json_line_is_joined() -> None:
    text = (
        '{"level":"error","ts":"2024-01-09T10:00:00Z","msg":"AMR is unavailable: Get \\"https://amr-gra\n'
        'phql-app.metadata-store.svc.cluster.local:8443/play\\": dial tcp 10.0.0.9:8443: connect: conn\n'
        'ection refused"}\n'
        "next\n"
    )
    got = joined(text)
    assert [(a, b) for a, b, _ in got] == [(1, 3), (4, 4)]
    assert "amr-graphql-app.metadata-store" in got[0][2] and got[0][2].endswith('refused"}')


def test_wrapped_zap_console_fields_are_joined() -> None:
    text = (
        '2023-06-28T18:48:31Z\tERROR\thttpclient\terror sending request to AMR CloudEvent Handler\t{"error": "Get \\"amr-per\n'
        'sister.example.com/healthz\\": unsupported protocol scheme \\"\\""}\n'
    )
    assert [(a, b) for a, b, _ in joined(text)] == [(1, 2)]


def test_unclosed_json_followed_by_a_new_record_is_left_alone() -> None:
    text = '{"level":"info","msg":"cut off\n{"level":"info","msg":"whole"}\n'
    assert joined(text) == [(1, 1, '{"level":"info","msg":"cut off'), (2, 2, '{"level":"info","msg":"whole"}')]


def test_a_blank_line_stops_the_join_and_nothing_is_lost() -> None:
    text = '{"level":"info","msg":"cut off\n\nplain\n'
    assert [line.number for line in rejoin(read_lines(text))] == [1, 2, 3]


def test_join_gives_up_after_a_bounded_number_of_lines() -> None:
    text = '{"level":"info","msg":"never closed\n' + "more\n" * (MAX_WRAPPED_LINES + 5)
    lines = list(rejoin(read_lines(text)))
    assert [line.number for line in lines] == list(range(1, MAX_WRAPPED_LINES + 7))


def test_braces_inside_strings_do_not_count() -> None:
    text = '{"level":"info","msg":"a } and { inside"}\n'
    assert joined(text) == [(1, 1, text.strip())]
