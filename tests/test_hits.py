"""Stage 2 evaluates only the signatures whose literals stage 1 found on a line."""

from __future__ import annotations

import pytest

from amr_logpatterns import Classifier
from amr_logpatterns.analyse import matcher
from amr_logpatterns.analyse.compiling import may_hold_for
from amr_logpatterns.fast.hits import KEEP_LINES, LiteralLines
from amr_logpatterns.fast.prefilter import (
    UNKNOWN_HIT,
    available_engines,
    make_engine,
    patterns_for,
)
from amr_logpatterns.packs.schema import Condition

NOISE = b"2024-05-01T10:00:00Z\tINFO\tcontroller.workload\tReconciling\t{}\n"
#: Warning-level lines of another controller: special at stage 1, and no signature's,
#: though ``Error`` is a keyword of the pod-state signatures (``error-exit``).
WARNINGS = b'{"level":"warn","msg":"Error syncing web-%d, will retry"}\n'


def test_lines_tell_the_hits_found_on_them_and_nothing_before_they_are_known() -> None:
    lines = LiteralLines()
    assert lines.found_on(1, 1) is None
    lines.known = True
    lines.add([(3, 0), (3, 2), (7, 1)])
    assert lines.found_on(3, 3) == {0, 2}
    assert lines.found_on(4, 6) == frozenset()
    assert lines.found_on(1, 9) == {0, 1, 2}
    lines.add_unknown(10, 12)
    assert lines.found_on(11, 11) is None
    assert lines.found_on(13, 13) == frozenset()


def test_forgotten_lines_are_unknown_not_empty() -> None:
    lines = LiteralLines()
    lines.known = True
    lines.add([(5, 0)])
    lines.forget_before(5 + KEEP_LINES + 1)
    assert lines.found_on(5, 5) is None
    assert lines.found_on(KEEP_LINES + 10, KEEP_LINES + 10) == frozenset()


@pytest.mark.parametrize("engine", available_engines())
def test_engines_number_the_literals_they_find(engine: str) -> None:
    found = make_engine(engine, patterns_for(["beta", "alpha"])).scan_hits(
        b"nothing here\nsay beta then alpha\n"
    )
    assert found is not None
    hits = sorted(found[2])
    if engine == "re2":
        assert {hit for _, hit in hits} == {UNKNOWN_HIT}
    else:  # numbered in sorted order (alpha 0, beta 1); beta comes first in the line
        assert [hit for _, hit in hits] == [1, 0]
    assert len(hits) == 2 and all(13 <= at < 32 for at, _ in hits)


def test_an_encoding_test_rules_a_condition_out() -> None:
    pods_only = Condition.model_validate(
        {
            "any": [
                {"fields": {"encoding": "^container$"}},
                {"fields": {"encoding": "^pod$", "status": "^Running$"}},
            ]
        }
    )
    assert not may_hold_for(pods_only, frozenset({"plain", "klog"}))
    assert may_hold_for(pods_only, frozenset({"pod"}))
    either = Condition.model_validate(
        {"any": [{"fields": {"encoding": "^container$"}}, {"message": "x"}]}
    )
    assert may_hold_for(either, frozenset({"plain"}))
    assert may_hold_for(Condition.model_validate({"message": "x"}), frozenset({"plain"}))


def test_pod_state_signatures_send_no_log_line_to_stage_2() -> None:
    pod_only = [cs for cs in Classifier().signatures if not cs.reads_raw]
    assert {"observer.pod-ready", "observer.oom-killed"} <= {cs.signature.id for cs in pod_only}
    assert "observer.no-certs-appended" not in {cs.signature.id for cs in pod_only}


def test_warning_lines_without_a_literal_skip_every_signature(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast path reads warning lines (for the error counts and unknown templates) but
    evaluates no signature on them; a line with a literal evaluates its owners only."""
    tried: list[int] = []
    real = matcher._evaluated

    def counting(cs, view, timeout):  # type: ignore[no-untyped-def]
        tried.append(view.record.line)
        return real(cs, view, timeout)

    monkeypatch.setattr(matcher, "_evaluated", counting)
    lease = (
        b'{"level":"error","ts":"2024-05-01T10:00:01Z","logger":"setup",'
        b'"msg":"problem running manager","error":"leader election lost"}\n'
    )
    data = NOISE * 50 + b"".join(WARNINGS % i for i in range(40)) + lease + NOISE * 50
    fast = Classifier(fast_path_min_bytes=0)
    exact = Classifier(engine="exact")
    want = exact.classify(data, source_name="x.log")
    lease_line = 50 + 40 + 1
    assert len(set(tried)) > 1, "the exact path evaluates the keyword's signatures"
    tried.clear()
    report = fast.classify(data, source_name="x.log")
    assert report == want
    assert set(tried) == {lease_line}, "a warning line without a literal was evaluated"
    assert report.stats.error_records == 1
