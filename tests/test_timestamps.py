"""Timestamps as records carry them become UTC datetimes, and durations work across formats."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from amr_logpatterns import Classifier, Seen
from amr_logpatterns.analyse.timestamps import (
    DEFAULT_YEAR,
    chronology,
    duration_between,
    elapsed,
    format_duration,
    instants,
    parse_timestamp,
)

UTC = timezone.utc


def at(ts: str | None, line: int = 1, source: str = "observer.log") -> Seen:
    return Seen(source=source, line=line, ts=ts)


@pytest.mark.parametrize(
    ("ts", "expected"),
    [
        # zap JSON and kubectl --timestamps: RFC 3339 with nanoseconds (cut to microseconds)
        ("2025-03-11T08:11:04.981422170Z", datetime(2025, 3, 11, 8, 11, 4, 981422, tzinfo=UTC)),
        ("2024-09-03T14:22:05.119076564Z", datetime(2024, 9, 3, 14, 22, 5, 119076, tzinfo=UTC)),
        # zap console's development time, and ISO 8601 with an offset, with or without a colon
        ("2023-06-20T19:01:58Z", datetime(2023, 6, 20, 19, 1, 58, tzinfo=UTC)),
        ("2024-03-02T08:11:09.5+01:00", datetime(2024, 3, 2, 7, 11, 9, 500000, tzinfo=UTC)),
        ("2024-03-02T08:11:09.123-0530", datetime(2024, 3, 2, 13, 41, 9, 123000, tzinfo=UTC)),
        # zap's production console encoder: epoch seconds as text
        ("1718910227.0067", datetime(2024, 6, 20, 19, 3, 47, 6700, tzinfo=UTC)),
        ("1.7189102270067e+09", datetime(2024, 6, 20, 19, 3, 47, 6700, tzinfo=UTC)),
        # Go's standard log package
        ("2023/06/28 19:09:06", datetime(2023, 6, 28, 19, 9, 6, tzinfo=UTC)),
        ("2023/06/28 19:09:06.250000", datetime(2023, 6, 28, 19, 9, 6, 250000, tzinfo=UTC)),
        # klog has no year: the default is a leap year, so 29 February is a date
        ("0530 05:01:20.297972", datetime(DEFAULT_YEAR, 5, 30, 5, 1, 20, 297972, tzinfo=UTC)),
        ("0229 23:59:59.999999", datetime(DEFAULT_YEAR, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_every_format_records_carry(ts: str, expected: datetime) -> None:
    got = parse_timestamp(ts)
    assert got == expected
    assert got is not None and got.utcoffset() is not None  # aware, never naive


def test_default_year_is_a_leap_year() -> None:
    assert DEFAULT_YEAR % 4 == 0 and (DEFAULT_YEAR % 100 != 0 or DEFAULT_YEAR % 400 == 0)


def test_klog_takes_the_year_it_is_given() -> None:
    assert parse_timestamp("0530 05:01:20.297972", year=2023) == datetime(2023, 5, 30, 5, 1, 20, 297972, tzinfo=UTC)
    assert parse_timestamp("0229 10:00:00.000000", year=2023) is None  # not a date that year
    # a year given does not override the one a timestamp carries
    assert parse_timestamp("2025-01-01T00:00:00Z", year=1999) == datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "ts",
    ["", "   ", "yesterday", "<nil>", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z",
     "1230 25:00:00.000000", "0230 10:00:00.000000", "2024/06/31 10:00:00", "12345",
     "2024-03-02T08:11:09+99:99", "99999999999999999999999", "1e999", "nan", "2024-03-02"],
)
def test_what_cannot_be_read_is_none(ts: str) -> None:
    assert parse_timestamp(ts) is None


def test_never_raises_on_noise() -> None:
    rng = random.Random(7)
    alphabet = "0123456789 :-./TZ+e"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 32)))
        result = parse_timestamp(text)
        assert result is None or result.tzinfo is not None


def test_duration_between_zap_and_go_log_records() -> None:
    # `No certs appended` comes from Go's log package, `Establishing` from zap
    no_certs = at("2023/06/28 19:09:06", 1)
    establishing = at("2023-06-28T19:09:36Z", 3)
    assert duration_between(no_certs, establishing) == 30.0
    assert duration_between(at("2023/06/28 19:09:06.5", 1), at("2023/06/28 19:19:06", 9)) == 599.5


def test_klog_durations_run_forward_over_new_year() -> None:
    lost = at("1231 23:59:48.100000", 6)
    acquired = at("0101 00:00:21.500000", 12)
    assert duration_between(lost, acquired) == pytest.approx(33.4)
    # a yearless stamp takes the year that puts it next to the other point, either way round
    assert duration_between(at("1231 23:59:59.000000"), at("2025-01-01T00:00:01Z", 2)) == 2.0
    assert duration_between(at("2024-12-31T23:59:59Z"), at("0101 00:00:01.000000", 2)) == 2.0


def test_no_duration_without_both_timestamps() -> None:
    assert duration_between(at(None), at("2023-06-28T19:09:36Z")) is None
    assert duration_between(at("2023-06-28T19:09:36Z"), at("not a time")) is None


def test_elapsed_refuses_time_that_runs_backwards() -> None:
    # a quote of an older log pasted below a newer one: no duration can be told
    june, march = at("2025-06-12T08:44:51Z", 57), at("2025-03-02T10:14:55Z", 76)
    backwards = duration_between(june, march)
    assert backwards is not None and backwards < 0
    assert elapsed(june, march) is None
    assert elapsed(march, june) == duration_between(march, june)


def test_instants_resolve_klog_years_in_input_order() -> None:
    points = [at("0101 00:00:05.000000", 3), at("2024-12-31T23:59:00Z", 1), at("1231 23:59:30.000000", 2)]
    assert instants(points) == [
        datetime(2025, 1, 1, 0, 0, 5, tzinfo=UTC),
        datetime(2024, 12, 31, 23, 59, tzinfo=UTC),
        datetime(2024, 12, 31, 23, 59, 30, tzinfo=UTC),
    ]


def test_chronology_uses_clocks_only_when_every_point_has_one() -> None:
    handler = at("2025-03-11T08:11:04.981Z", 6, "handler.jsonl")
    observer = at("2025-03-11T08:11:05.251Z", 6, "observer.log")
    later_handler = at("2025-03-11T08:20:13.140Z", 18, "handler.jsonl")
    sources = ["handler.jsonl", "observer.log"]
    by_time = chronology([handler, observer, later_handler], sources)
    assert sorted([later_handler, observer, handler], key=by_time) == [handler, observer, later_handler]
    describe = at(None, 111, "describe.txt")
    by_input = chronology([handler, observer, later_handler, describe], [*sources, "describe.txt"])
    assert sorted([describe, observer, later_handler, handler], key=by_input) == [
        handler, later_handler, observer, describe,
    ]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (45.4, "45s"), (548.036, "9m08s"), (7500, "2h05m00s"), (93784, "1d02h03m"), (-90, "-1m30s")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_a_record_without_its_own_time_takes_the_capture_timestamp(classifier: Classifier) -> None:
    # `kubectl logs --timestamps`: the CloudEvent dump has no time of its own
    lines = [
        '2024-09-03T14:22:05.395503667Z 2024-09-03T14:22:05Z\tINFO\tsetup\tEstablishing\t{"locationId": "d6141530-0e4e-449b-b2b7-dda6a9ee6e6c"}',
        "2024-09-03T14:22:05.396113802Z sent: type: vmware.tanzu.apps.location.created.v1",
        "2024-09-03T14:22:05.396120011Z   source: d6141530-0e4e-449b-b2b7-dda6a9ee6e6c",
        "2024-09-03T14:22:05.396124733Z   id: 1667244096281455275",
        "2024-09-03T14:22:05.396128917Z Extensions:",
        "2024-09-03T14:22:05.396133004Z map[]",
    ]
    report = classifier.classify("\n".join(lines) + "\n")
    seen = {f.id: f.first_seen.ts for f in report.findings}
    assert seen["observer.location-establishing"] == "2024-09-03T14:22:05Z"  # the record's own
    assert seen["observer.cloudevent-sent"] == "2024-09-03T14:22:05.396113802Z"
