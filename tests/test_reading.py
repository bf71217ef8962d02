"""Reading: every kind of input becomes physical lines, and no line is lost."""

from __future__ import annotations

import io

from amr_logpatterns.reading import physical_lines, read_lines


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
    assert lines[1].decode_error and "\ufffd" in lines[1].text
    assert lines[2].has_nul and "\x00" not in lines[2].text
    assert not lines[0].decode_error and not lines[0].has_nul


def test_enormous_line_is_truncated_and_counted() -> None:
    big = "x" * 5000
    lines = list(read_lines([big, "after"], max_line_length=1000))
    assert len(lines[0].text) == 1000 and lines[0].truncated
    assert lines[1].text == "after" and not lines[1].truncated


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
