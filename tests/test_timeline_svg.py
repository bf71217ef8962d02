"""The timeline picture: well-formed SVG whose lanes, spans, marks and ticks match the model,
an axis that reads at any length, hostile text kept inert, and nothing a strict CSP forbids."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from timeline_cases import START, lasting, problem, report

from amr_logpatterns import Classifier, Report
from amr_logpatterns.analyse.timeline import Timeline, build_timeline
from amr_logpatterns.formatters.anchors import evidence_anchor
from amr_logpatterns.formatters.timeline_axis import label_width
from amr_logpatterns.formatters.timeline_lanes import MIN_SPAN, X0, X1
from amr_logpatterns.formatters.timeline_svg import EMPTY_MESSAGE, timeline_css, timeline_svg

SVG = "{http://www.w3.org/2000/svg}"
INCIDENTS = FIXTURES / "incidents"
OUTAGE = [INCIDENTS / "amr-graphql-outage" / "amr-persister.jsonl", INCIDENTS / "amr-graphql-outage" / "amr-observer.log"]
LOGS = sorted(p for p in (ROOT / "examples" / "logs").iterdir() if p.name != "EXPECTED.yaml")
CASES = [[p] for p in LOGS] + [OUTAGE] + [[p] for p in sorted((INCIDENTS / "leader-election").iterdir())]
#: Every attribute the picture may carry; anything else came from somewhere it should not.
ATTRIBUTES = {
    "xmlns", "class", "viewBox", "width", "height", "preserveAspectRatio", "role", "aria-labelledby",
    "id", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "points", "fill", "href",
    "patternUnits", "patternTransform",
    "data-ordered-by", "data-lane", "data-component", "data-pod", "data-final-state", "data-outcome",
    "data-state", "data-severity",
}
ANCHOR = re.compile(r"^#ev-[0-9a-f]{8}-\d+$")


def classify(classifier: Classifier, *paths: Path) -> Report:
    return classifier.classify_many([(p.name, p.read_text()) for p in paths])


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def local(el: ET.Element) -> str:
    return el.tag.removeprefix(SVG)


def classes(el: ET.Element) -> set[str]:
    return set(el.get("class", "").split())


def find_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in classes(el)]


def title_of(el: ET.Element) -> str:
    title = el.find(f"{SVG}title")
    assert title is not None and title.text, f"{local(el)} has no title"
    return title.text


def lanes_of(root: ET.Element) -> list[ET.Element]:
    return find_class(root, "lane")


def drawn(timeline: Timeline, r: Report, **kw: bool) -> ET.Element:
    return parse(timeline_svg(timeline, r, **kw))


def axis_labels(root: ET.Element) -> list[tuple[float, str]]:
    return [(float(el.get("x", "0")), el.text or "") for el in find_class(root, "axis-label")]


def check_inert(root: ET.Element) -> None:
    """Nothing a strict Content Security Policy forbids, nothing but the attributes we emit."""
    for el in root.iter():
        assert local(el) not in {"script", "foreignObject", "img", "iframe", "use", "image"}
        for name, value in el.attrib.items():
            assert name in ATTRIBUTES, f"unexpected attribute {name}={value!r} on {local(el)}"
            assert not name.lower().startswith("on") and name != "style"
            if name == "href":
                assert ANCHOR.match(value), value
            if name == "fill":
                assert re.fullmatch(r"url\(#[A-Za-z][\w-]*-hatch-(failing|degraded)\)", value)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z][\w-]*", i or "") for i in ids)


@pytest.mark.parametrize("paths", CASES, ids=lambda ps: "+".join(p.name for p in ps))
def test_lanes_and_spans_match_the_model(classifier: Classifier, paths: list[Path]) -> None:
    r = classify(classifier, *paths)
    timeline = build_timeline(r)
    root = drawn(timeline, r)
    check_inert(root)
    lanes = lanes_of(root)
    model = timeline.lanes()
    assert [(el.get("data-component"), el.get("data-pod")) for el in lanes] == [(m.component, m.pod) for m in model]
    for el, lane in zip(lanes, model, strict=True):
        spans = find_class(el, "span")
        assert [s.get("data-state") for s in spans] == [s.state for s in lane.spans]
        assert all(classes(s) == {"span", f"span-{s.get('data-state')}"} for s in spans)
        for rect, span in zip(spans, lane.spans, strict=True):
            title = title_of(rect)
            assert title.startswith(f"{span.state} from ") and all(i in title for i in span.finding_ids)
            assert float(rect.get("width", "0")) >= MIN_SPAN
            assert float(rect.get("x", "0")) >= X0 and float(rect.get("x", "0")) + float(rect.get("width", "0")) <= X1 + 0.01
        # the end state in words, not colour alone
        label = " ".join(t.text or "" for t in find_class(el, "lane-state"))
        assert {"healthy": "no problems", "recovered": "recovered", "ongoing": f"{lane.final_state}, ongoing"}[lane.outcome] in label
        assert el.get("data-final-state") == lane.final_state and el.get("data-outcome") == lane.outcome
    if timeline.components:
        assert root.get("data-ordered-by") in {"time", "input"}
        caption = find_class(root, "axis-caption")[0].text or ""
        assert caption.startswith("time (UTC)" if root.get("data-ordered-by") == "time" else "input order")


def test_outage_recovery_marks_and_ticks(classifier: Classifier) -> None:
    r = classify(classifier, *OUTAGE)
    timeline = build_timeline(r)
    root = drawn(timeline, r)
    handler, observer = lanes_of(root)
    (mark,) = find_class(observer, "recovery")
    assert title_of(mark) == "observer recovered at 08:20:13, shown by observer.health-check-ok, after 9m08s unwell"
    failing = next(s for s in find_class(observer, "span") if s.get("data-state") == "failing")
    # the mark sits where the failing span ends
    assert float(mark.find(f"{SVG}circle").get("cx", "0")) == pytest.approx(float(failing.get("x", "0")) + float(failing.get("width", "0")), abs=0.02)
    assert title_of(failing).startswith("failing from 08:11:05 to 08:20:13 (9m08s): observer.health-check-failed")
    # a tick per evidence record of the lane's findings, linking to its line in the page
    ticks = find_class(handler, "tick")
    expected = [
        (f.id, ev) for f in r.findings if f.component == "handler" for ev in f.evidence
    ]
    assert len(ticks) == len(expected)
    for tick, (fid, ev) in zip(ticks, expected, strict=True):
        assert local(tick) == "a" and tick.get("href") == "#" + evidence_anchor(ev.source, ev.line)
        assert title_of(tick).startswith(f"{fid} at {ev.source}:{ev.line}: ")
        assert tick.get("data-severity") in {"error", "warning", "info"}
    # ticks fall in time order along the axis
    error_ticks = [t for t in ticks if t.get("data-severity") == "error"]
    xs = [float(t.find(f"{SVG}line").get("x1", "0")) for t in error_ticks]
    assert xs == sorted(xs) and len(set(xs)) > 1


def test_failing_and_degraded_differ_by_more_than_colour() -> None:
    r = lasting(600)
    root = drawn(build_timeline(r), r)
    for state in ("failing", "degraded"):
        (span,) = [s for s in find_class(root, "span") if s.get("data-state") == state]
        patterns = [p for p in find_class(root, "span-pattern") if p.get("x") == span.get("x") and p.get("y") == span.get("y")]
        assert [p.get("fill") for p in patterns] == [f"url(#amr-tl-hatch-{state})"]
        assert root.find(f".//{SVG}pattern[@id='amr-tl-hatch-{state}']") is not None
        assert state.upper() in [t.text for t in find_class(root, f"span-label-{state}")]


@pytest.mark.parametrize(
    ("seconds", "label", "caption"),
    [
        (5, r"\d\d:\d\d:\d\d", "time (UTC), 2025-03-11"),
        (4 * 86400, r"\d\d-\d\d", "time (UTC), 2025-03-11 to 2025-03-15"),
        (50 * 60, r"\d\d:\d\d", "time (UTC), 2025-03-11"),
        (30 * 3600, r"\d\d:\d\d", "time (UTC), 2025-03-11 to 2025-03-12"),
    ],
)
def test_axis_labels_are_readable_at_any_length(seconds: int, label: str, caption: str) -> None:
    r = lasting(seconds)
    root = drawn(build_timeline(r), r)
    labels = axis_labels(root)
    assert len(labels) >= 3, labels
    assert all(re.fullmatch(label, text) for _, text in labels), labels
    # no two labels name the same instant: the day under a label holds until the next one
    days = {float(el.get("x", "0")): el.text for el in find_class(root, "axis-sub")}
    day, instants = None, []
    for x, text in labels:
        day = days.get(x, day)
        instants.append((day, text))
    assert len(set(instants)) == len(labels), instants
    for (x1, a), (x2, b) in itertools.pairwise(labels):
        assert x2 - x1 >= (label_width(a) + label_width(b)) / 2 + 8, (a, b)
    for x, text in labels:
        assert x - label_width(text) / 2 >= 0 and x + label_width(text) / 2 <= 960
    assert find_class(root, "axis-caption")[0].text == caption


def test_an_incident_across_midnight_shows_each_date_once() -> None:
    start = START.replace(hour=22)
    r = report(problem("observer.down", start, start + timedelta(hours=4)))
    root = drawn(build_timeline(r), r)
    days = [el.text for el in find_class(root, "axis-sub")]
    assert days == ["03-11", "03-12"]


def test_a_very_short_span_still_shows() -> None:
    r = report(
        problem("observer.down", START, START + timedelta(hours=4), line=10),
        problem("handler.blip", START + timedelta(hours=1), START + timedelta(hours=1, milliseconds=5), line=20),
    )
    root = drawn(build_timeline(r), r)
    (blip,) = [s for s in find_class(lanes_of(root)[1], "span") if s.get("data-state") == "failing"]
    assert float(blip.get("width", "0")) == MIN_SPAN


def test_input_order_is_labelled_by_place() -> None:
    r = report(
        problem("observer.down", START, START + timedelta(minutes=1), line=10, stamped=False),
        problem("handler.down", START, line=40, stamped=False, source="other.log"),
    )
    timeline = build_timeline(r)
    assert timeline.ordered_by == "input"
    root = drawn(timeline, r)
    assert root.get("data-ordered-by") == "input"
    assert find_class(root, "axis-caption")[0].text == "input order (file, then line): not every record has a timestamp"
    places = [t for _, t in axis_labels(root)]
    assert places[0] == "line 10" and all(re.fullmatch(r"line \d+", p) for p in places)
    # each file is named once, under the first of its labelled lines
    assert [el.text for el in find_class(root, "axis-sub")] == ["app.log", "other.log"]
    (mark,) = find_class(root, "recovery")
    assert title_of(mark) == "observer recovered at app.log:12, shown by observer.ok"


HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)"]


def test_hostile_names_and_text_stay_text() -> None:
    script, img, js = HOSTILE
    r = report(
        problem(js, START, START + timedelta(minutes=2), component=script, pod=img, source=js,
                text=f"</title>{script}{img}\x1b[31m\x00 ]]> &amp; {js}"),
        problem("x.y", START + timedelta(minutes=1), component=img, source=f'{script}"', line=30),
    )
    timeline = build_timeline(r)
    for standalone in (False, True):
        svg = timeline_svg(timeline, r, standalone=standalone)
        assert "<script" not in svg and "<img" not in svg and "\x00" not in svg and "\x1b" not in svg
        root = parse(svg)
        check_inert(root)
        texts = " ".join(el.text or "" for el in root.iter())
        # the hostile strings are there, as text the parser read back
        assert all(h in texts for h in HOSTILE)
        assert [el.get("data-component") for el in lanes_of(root)] == [script, script, img]
        assert lanes_of(root)[1].get("data-pod") == img
    ticks = find_class(parse(timeline_svg(timeline, r)), "tick")
    assert ticks and all(ANCHOR.match(t.get("href", "")) for t in ticks)


def test_standalone_carries_its_style_and_no_links(classifier: Classifier) -> None:
    r = classify(classifier, *OUTAGE)
    timeline = build_timeline(r)
    svg = timeline_svg(timeline, r, standalone=True)
    root = parse(svg)
    assert root.tag == f"{SVG}svg" and svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    (style,) = root.iter(f"{SVG}style")
    assert style.text == timeline_css()
    assert not list(root.iter(f"{SVG}a"))
    ticks = find_class(root, "tick")
    assert ticks and all(title_of(t) for t in ticks)
    inline = parse(timeline_svg(timeline, r))
    assert not list(inline.iter(f"{SVG}style")) and list(inline.iter(f"{SVG}a"))


def test_accessible_name_and_summary(classifier: Classifier) -> None:
    r = classify(classifier, ROOT / "examples" / "logs" / "store-upgrade-checkpoint.log")
    root = drawn(build_timeline(r), r)
    # inline, a group: its evidence links stay reachable; alone, one image
    assert root.get("role") == "group" and root.get("width") == "100%"
    alone = ET.fromstring(timeline_svg(build_timeline(r), r, standalone=True))
    assert alone.get("role") == "img"
    names = (root.get("aria-labelledby") or "").split()
    found = {el.get("id"): el for el in root.iter() if el.get("id") in names}
    assert [local(found[n]) for n in names] == ["title", "desc"]
    desc = found[names[1]].text or ""
    assert "3 AMR components in input order" in desc
    assert "store: failing, ongoing" in desc and "handler: no problems" in desc
    assert "store pod metadata-store-db-0: failing, ongoing" in desc


def test_id_prefix_keeps_two_pictures_apart() -> None:
    r = lasting(60)
    timeline = build_timeline(r)
    one = parse(timeline_svg(timeline, r))
    two = parse(timeline_svg(timeline, r, id_prefix='x"><script>'))
    ids_one = {el.get("id") for el in one.iter() if el.get("id")}
    ids_two = {el.get("id") for el in two.iter() if el.get("id")}
    assert ids_one and not ids_one & ids_two
    check_inert(two)


def test_an_empty_timeline_says_so() -> None:
    root = drawn(build_timeline(Report()), Report(), standalone=True)
    assert root.get("role") == "img"
    assert [el.text for el in find_class(root, "empty-note")] == [EMPTY_MESSAGE]
    assert not lanes_of(root) and list(root.iter(f"{SVG}style"))
    check_inert(root)


# --- the stylesheet: colours through classes, readable in light, dark and print


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _palettes(css: str) -> dict[str, dict[str, str]]:
    """The custom properties of each scheme: light (the default), dark, print."""
    blocks = re.findall(r"(@media [^{]+\{\s*)?\.amr-timeline \{([^}]*)\}", css)
    out: dict[str, dict[str, str]] = {}
    for media, body in blocks:
        name = "dark" if "dark" in media else "print" if "print" in media else "light"
        if "--tl-" in body:
            out[name] = dict(re.findall(r"(--tl-[\w-]+):\s*(#[0-9a-fA-F]{6})", body))
    return out


@pytest.mark.parametrize("scheme", ["light", "dark", "print"])
def test_text_meets_wcag_aa(scheme: str) -> None:
    palette = _palettes(timeline_css())[scheme]
    pairs = [
        ("--tl-fg", "--tl-bg"), ("--tl-muted", "--tl-bg"), ("--tl-fg", "--tl-band"), ("--tl-muted", "--tl-band"),
        ("--tl-on-failing", "--tl-failing"), ("--tl-on-degraded", "--tl-degraded"),
    ]
    for fg, bg in pairs:
        assert _contrast(palette[fg], palette[bg]) >= 4.5, (scheme, fg, bg)
    # marks and ticks are graphics: 3:1 against the background
    for mark in ("--tl-recovery", "--tl-tick-error", "--tl-tick-warning", "--tl-tick-info", "--tl-failing-edge", "--tl-healthy-edge"):
        assert _contrast(palette[mark], palette["--tl-bg"]) >= 3, (scheme, mark)


def test_the_stylesheet_is_safe_to_embed_and_styles_every_class(classifier: Classifier) -> None:
    css = timeline_css()
    assert "<" not in css and "&" not in css and "@import" not in css and "url(" not in css
    assert set(_palettes(css)) == {"light", "dark", "print"}
    r = classify(classifier, *OUTAGE)
    root = drawn(build_timeline(r), r)
    used = {c for el in root.iter() for c in classes(el)}
    styled = set(re.findall(r"\.([a-z][\w-]*)", css))
    hooks = {"lanes", "lane", "lane-component", "lane-pod", "lane-label", "lane-name", "legend", "legend-tick", "axis", "hatch", "span", "swatch", "recovery", "tick", "tick-error"}
    assert not used - styled - hooks - {c for c in used if c.startswith("lane-state-")}
    # every state has its colour
    for state in ("healthy", "degraded", "failing"):
        assert f"span-{state}" in styled and f"swatch-{state}" in styled
