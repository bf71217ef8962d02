"""Reading: every kind of input becomes physical lines, and no line is lost."""

from __future__ import annotations

import io

from amr_logpatterns.ingest.reading import physical_lines
from amr_logpatterns.peel.lines import read_lines


def texts(source: object) -> list[tuple[int, str, str]]:
    return [(line.number, line.kind, line.text) for line in read_lines(source)]  # type: ignore[arg-type]


def test_str_bytes_files_and_iterables_give_the_same_lines() -> None:
    text = "first\nsecond\n\nfourth\n"
    expected = [(1, "text", "first"), (2, "text", "second"), (3, "blank", ""), (4, "text", "fourth")]
    assert texts(text) == expected
    assert texts(text.encode()) == expected
    assert texts(io.StringIO(text)) == expected
    assert texts(io.BytesIO(text.encode())) == expected
    assert texts(["first\n", "second\n", "\n", "fourth\n"]) == expected
    assert texts([b"first", b"second", b"", b"fourth"]) == expected


def test_items_holding_several_lines_are_split() -> None:
    assert texts(["a\nb", "c"]) == [(1, "text", "a"), (2, "text", "b"), (3, "text", "c")]


def test_crlf_and_utf8_bom_are_removed() -> None:
    assert texts(b"\xef\xbb\xbfone\r\ntwo\r\n") == [(1, "text", "one"), (2, "text", "two")]


def test_utf16_with_bom_is_decoded() -> None:
    data = "one\ntwo\n".encode("utf-16")
    assert texts(data) == [(1, "text", "one"), (2, "text", "two")]


def test_invalid_utf8_and_nul_are_flagged_not_dropped() -> None:
    lines = list(read_lines(b"ok\nbad \xff\xfe byte\nnul\x00here\n"))
    assert [line.number for line in lines] == [1, 2, 3]
    assert lines[1].decode_errors == 1 and "\ufffd" in lines[1].text
    assert lines[2].nul_lines == 1 and "\x00" not in lines[2].text
    assert lines[0].decode_errors == lines[0].nul_lines == 0


def test_enormous_line_is_truncated_and_counted() -> None:
    big = "x" * 5000
    lines = list(read_lines([big, "after"], max_line_length=1000))
    assert len(lines[0].text) == 1000 and lines[0].truncated_lines == 1
    assert lines[1].text == "after" and lines[1].truncated_lines == 0


def test_empty_input_gives_no_lines() -> None:
    assert list(read_lines("")) == []
    assert list(read_lines(b"")) == []
    assert list(physical_lines([])) == []


def test_non_text_items_are_a_clear_error() -> None:
    try:
        list(physical_lines([1, 2]))  # type: ignore[list-item]
    except TypeError as exc:
        assert "str or bytes" in str(exc)
    else:
        raise AssertionError("a list of ints was accepted")


def test_flaws_of_joined_partial_entries_are_all_counted() -> None:
    """A CRI entry split into partial lines keeps what was wrong with each of them."""
    data = b"2024-03-02T08:11:09.1Z stdout P abc\xff\n2024-03-02T08:11:09.2Z stdout F def\x00\n"
    (line,) = read_lines(data)
    assert (line.number, line.last, line.text) == (1, 2, "abc\ufffddef\ufffd")
    assert (line.decode_errors, line.nul_lines, line.truncated_lines) == (1, 1, 0)


def test_an_endless_run_of_partial_entries_stops_growing_at_the_cap() -> None:
    """The joined text is capped like one line: the rest is read, counted as cut, not held."""
    part = b"2024-03-02T08:11:09.1Z stdout P " + b"x" * 100 + b"\n"
    (line,) = read_lines(part * 50 + b"2024-03-02T08:11:09.2Z stdout F end\n", max_line_length=1000)
    assert (line.number, line.last) == (1, 51)
    assert line.text == "x" * 1000
    assert line.truncated_lines == 41  # ten pieces fill the cap: the other 40 and ``end`` are cut
