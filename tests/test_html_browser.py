"""The HTML report and the timeline picture in a real browser (Chromium through Playwright).

Pages are written by the command (``scan --format html``, ``-o FILE.html``, ``timeline
--format html|svg``) and opened from files, as a reader would open an attachment. What is
checked: no console error or CSP violation on any example; the timeline's lanes and spans
against the model; filtering and sorting the findings with the mouse and the keyboard;
evidence links; the page without JavaScript and on paper; hostile log text and file names;
colour contrast in both schemes; the Markdown report's Mermaid gantt rendered by Mermaid.

Needs a Chromium (``scripts/install-test-browser``); without one these tests skip, or fail
under ``AMR_REQUIRE_BROWSER=1``. Screenshots are kept in ``build/test-artifacts/screenshots``.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import (
    IS_SEEN,
    BrowserSession,
    OpenedPage,
    browser_session,
    contrast,
    mermaid_script,
    screenshot,
)
from conftest import FIXTURES, ROOT

from amr_logpatterns import Classifier
from amr_logpatterns.analyse.timeline import STATE_RANK, Timeline, build_timeline
from amr_logpatterns.cli import main
from amr_logpatterns.formatters.anchors import evidence_anchor

EXAMPLES = ROOT / "examples" / "logs"
EXAMPLE_LOGS = sorted(p.name for p in EXAMPLES.iterdir() if p.name != "EXPECTED.yaml")
OUTAGE = FIXTURES / "incidents" / "amr-graphql-outage"
HOSTILE = FIXTURES / "hostile" / "html-injection.log"
SECRET = "abcDEF123456ghiJKL789"

#: Where the page keeps the picture (the brief's ``svg.timeline``: the page names it so).
TIMELINE_SVG = "#timeline svg.amr-timeline"
SORT_KEYS = ("severity", "id", "component", "count", "first", "status")


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[BrowserSession]:
    yield from browser_session()


@pytest.fixture
def browser(chromium: BrowserSession) -> Iterator[BrowserSession]:
    """The session's browser; the test's pages are closed after it."""
    yield chromium
    chromium.close_pages()


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--no-config"], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


class Pages:
    """Pages the command writes, each made once per module (lazily, inside a test, so the
    command's pack cache is the test's private one)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made: dict[tuple[str, ...], Path] = {}

    def write(self, name: str, *argv: str) -> Path:
        """``argv``'s standard output, saved as ``name``; the command must succeed (0 or 1)."""
        key = (name, *argv)
        if key not in self._made:
            code, out, err = run(*argv)
            assert code in (0, 1), err
            path = self.folder / name
            path.write_text(out, encoding="utf-8")
            self._made[key] = path
        return self._made[key]

    def scan(self, *inputs: Path | str, extra: tuple[str, ...] = ()) -> Path:
        """``scan --format html`` of ``inputs``."""
        name = "-".join(Path(i).name for i in inputs) + "-".join(extra) + ".html"
        return self.write(name, "scan", "--format", "html", *extra, *map(str, inputs))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Pages:
    return Pages(tmp_path_factory.mktemp("html-pages"))


def example(name: str) -> Path:
    return EXAMPLES / name


def report_json(*inputs: Path | str, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    code, out, err = run("scan", "--format", "json", *extra, *map(str, inputs))
    assert code in (0, 1), err
    result: dict[str, Any] = json.loads(out)
    return result


def model(classifier: Classifier, *inputs: Path) -> Timeline:
    paths = [p for i in inputs for p in (sorted(i.iterdir()) if i.is_dir() else [i])]
    return build_timeline(classifier.classify_files(paths))


def clean(opened: OpenedPage) -> None:
    problems = opened.problems()
    assert problems == [], "\n".join(problems)


def visible(opened: OpenedPage, selector: str) -> list[bool]:
    """Whether each element ``selector`` matches has a box (is laid out) in the page."""
    result: list[bool] = opened.page.eval_on_selector_all(selector, f"els => els.map({IS_SEEN})")
    return result


def shown_rows(opened: OpenedPage) -> list[dict[str, str]]:
    """The findings table's rows a reader sees, in order, with their data attributes."""
    result: list[dict[str, str]] = opened.page.eval_on_selector_all(
        "#findings-table tbody tr.finding",
        f"rows => rows.filter({IS_SEEN})"
        ".map(r => Object.assign({text: r.innerText}, r.dataset))",
    )
    return result


# --- every example ------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_LOGS)
def test_every_example_renders_without_errors(browser: BrowserSession, tmp_path: Path, name: str) -> None:
    # -o FILE.html, the way a user asks for the page (its suffix names the format)
    page_file = tmp_path / f"{name}.html"
    code, _, err = run("scan", "--format", "compact", "-o", str(page_file), str(example(name)))
    assert code in (0, 1), err
    opened = browser.open_page(page_file)
    clean(opened)
    screenshot(opened.page, f"example-{name}-light")
    page = opened.page
    assert page.locator("header h1").inner_text().strip()
    report = report_json(example(name))
    gate = "failed" if report["gate"]["failed"] else "passed"
    assert page.get_attribute("#verdict", "data-gate") == gate == ("failed" if code else "passed")
    assert page.locator("#findings-table tbody tr.finding").count() == len(report["findings"])
    assert page.locator("section#root-causes article.root-cause").count() == len(report["diagnoses"])
    assert page.locator("#tap-release").inner_text().strip()
    assert page.locator("#counts").inner_text().strip()
    if report["unknown"]:
        assert page.locator("section#unknown tbody tr").count() == len(report["unknown"])
    ids: list[str] = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert sorted({i for i in ids if ids.count(i) > 1}) == [], "ids used twice"


def test_page_head_and_policy(browser: BrowserSession, pages: Pages) -> None:
    opened = browser.open_page(pages.scan(OUTAGE))
    page = opened.page
    assert page.get_attribute("html", "lang") == "en"
    csp = page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content") or ""
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"]
    assert page.locator("style").count() == 1 and page.locator("script").count() == 1
    style_hashes = [s for s in directives["style-src"] if s.startswith("'sha256-")]
    script_hashes = [s for s in directives["script-src"] if s.startswith("'sha256-")]
    assert len(style_hashes) == 1 and len(script_hashes) == 1, csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    # the script ran (it shows the filters) and nothing was blocked
    assert page.locator("form#filters").is_visible()
    clean(opened)


def test_dark_scheme_example(browser: BrowserSession, pages: Pages) -> None:
    opened = browser.open_page(pages.scan(example("store-upgrade-checkpoint.log")), color_scheme="dark")
    clean(opened)
    screenshot(opened.page, "example-store-upgrade-checkpoint.log-dark")
    body = contrast(opened.page.locator("main p").first)[0]
    dark = [int(v) for v in re.findall(r"\d+", body.bg)]
    assert max(dark) < 64, f"the dark scheme left a light background: {body}"


# --- the timeline against the model --------------------------------------------------------

TIMELINE_INPUTS = {
    "outage": [OUTAGE],
    "crash-loop-pods": [example("handler-crash-loop.txt")],
    "upgrade-degraded-pods": [example("store-upgrade-checkpoint.log")],
    "degraded-then-failing": [example("observer-missing-scheme.log")],
}


@pytest.mark.parametrize("case", sorted(TIMELINE_INPUTS))
def test_timeline_lanes_and_spans_match_the_model(browser: BrowserSession, pages: Pages, classifier: Classifier, case: str) -> None:
    inputs = TIMELINE_INPUTS[case]
    timeline = model(classifier, *inputs)
    opened = browser.open_page(pages.scan(*inputs))
    drawn = opened.page.eval_on_selector_all(
        f"{TIMELINE_SVG} g.lane[data-component]",
        """lanes => lanes.map(g => ({
            component: g.dataset.component,
            pod: g.hasAttribute('data-pod') ? g.dataset.pod : null,
            states: [...g.querySelectorAll('rect.span')].map(r => r.dataset.state),
            recoveries: g.querySelectorAll('.recovery').length,
        }))""",
    )
    expected = [
        {
            "component": lane.component,
            "pod": lane.pod,
            "states": [s.state for s in lane.spans],
            "recoveries": sum(
                STATE_RANK[c.state] < STATE_RANK[c.previous] for c in timeline.lane_changes(lane)
            ),
        }
        for lane in timeline.lanes()
    ]
    assert drawn == expected
    assert timeline.components, "the case needs a timeline"
    clean(opened)


# --- filtering and sorting -----------------------------------------------------------------


def test_filters_hide_other_rows_and_say_how_many_are_shown(browser: BrowserSession, pages: Pages) -> None:
    report = report_json(OUTAGE)
    findings = report["findings"]
    total = len(findings)
    opened = browser.open_page(pages.scan(OUTAGE))
    page = opened.page
    assert len(shown_rows(opened)) == total
    assert str(total) in page.inner_text("#filter-count")
    assert page.get_attribute("#filter-count", "aria-live") in ("polite", "assertive")

    def status(f: dict[str, Any]) -> str:
        return str((f.get("recovery") or {}).get("status", "none"))

    for select, value, key in (
        ("#filter-severity", "error", lambda f: f["severity"]),
        ("#filter-component", "handler", lambda f: f["component"]),
        ("#filter-status", "recovered", status),
    ):
        page.select_option(select, value)
        rows = shown_rows(opened)
        want = sorted(f["id"] for f in findings if key(f) == value)
        assert sorted(r["sortId"] for r in rows) == want, select
        count = page.inner_text("#filter-count")
        assert re.search(rf"\b{len(want)}\b.*\b{total}\b", count), count
        page.select_option(select, "")
    assert len(shown_rows(opened)) == total

    # two at once: the errors of the handler
    page.select_option("#filter-severity", "error")
    page.select_option("#filter-component", "handler")
    want = [f["id"] for f in findings if f["severity"] == "error" and f["component"] == "handler"]
    assert [r["sortId"] for r in shown_rows(opened)] == want
    # and none at all: the count says so
    page.select_option("#filter-status", "ongoing")
    assert shown_rows(opened) == []
    assert re.search(rf"\b0\b.*\b{total}\b", page.inner_text("#filter-count"))
    clean(opened)


def test_filters_work_by_keyboard(browser: BrowserSession, pages: Pages) -> None:
    opened = browser.open_page(pages.scan(OUTAGE))
    page = opened.page
    total = len(shown_rows(opened))
    page.focus("#filter-severity")
    page.keyboard.press("ArrowDown")  # from "all" to the first severity
    chosen = page.eval_on_selector("#filter-severity", "s => s.value")
    assert chosen
    rows = shown_rows(opened)
    assert rows and len(rows) < total and {r["severity"] for r in rows} == {chosen}
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filter-component"
    page.keyboard.press("ArrowDown")
    component = page.eval_on_selector("#filter-component", "s => s.value")
    every = page.eval_on_selector_all("tr.finding", "rows => rows.map(r => Object.assign({}, r.dataset))")
    want = [r["sortId"] for r in every if (r["severity"], r["component"]) == (chosen, component)]
    assert component and [r["sortId"] for r in shown_rows(opened)] == want
    # back to all with the keyboard
    page.keyboard.press("Home")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Home")
    assert len(shown_rows(opened)) == total
    clean(opened)


def test_sorting_by_a_header_reorders_rows_and_sets_aria_sort(browser: BrowserSession, pages: Pages) -> None:
    opened = browser.open_page(pages.scan(OUTAGE))
    page = opened.page
    keys = page.eval_on_selector_all("thead th[scope=col] button.sort", "bs => bs.map(b => b.dataset.key)")
    assert sorted(keys) == sorted(SORT_KEYS)

    def counts() -> list[int]:
        return [int(r["sortCount"]) for r in shown_rows(opened)]

    def cell_counts() -> list[int]:  # what the reader sees in the Count column
        return [int(t) for t in page.eval_on_selector_all(
            "#findings-table tbody tr.finding td.num", "tds => tds.map(td => td.innerText.trim())")]

    button = page.locator("button.sort[data-key=count]")
    button.click()
    th = page.locator("th:has(button.sort[data-key=count])")
    assert th.get_attribute("aria-sort") == "ascending"
    assert cell_counts() == sorted(cell_counts()) and counts() == sorted(counts())
    assert len(set(cell_counts())) > 1, "the example needs different counts"
    button.click()
    assert th.get_attribute("aria-sort") == "descending"
    assert cell_counts() == sorted(cell_counts(), reverse=True)
    # only the sorted column says it is sorted
    assert page.locator("th[aria-sort]").count() == 1

    # by keyboard: focus the severity header's button, Enter, then Space to turn it round
    severity = page.locator("button.sort[data-key=severity]")
    severity.focus()
    page.keyboard.press("Enter")
    sev_th = page.locator("th:has(button.sort[data-key=severity])")
    first = sev_th.get_attribute("aria-sort")
    assert first in ("ascending", "descending")
    assert page.locator("th[aria-sort]").count() == 1 and th.get_attribute("aria-sort") is None
    order = [r["severity"] for r in shown_rows(opened)]
    rank = {"error": 2, "warning": 1, "info": 0}
    ranks = [rank[s] for s in order]
    assert ranks in (sorted(ranks), sorted(ranks, reverse=True)) and len(set(ranks)) > 1
    page.keyboard.press("Space")
    assert sev_th.get_attribute("aria-sort") not in (first, None)
    assert [rank[r["severity"]] for r in shown_rows(opened)] == ranks[::-1]

    # by id: in the order of the ids' text
    page.locator("button.sort[data-key=id]").click()
    ids = [r["sortId"] for r in shown_rows(opened)]
    assert ids == sorted(ids)

    # sorting keeps a filter: hidden rows stay hidden
    page.select_option("#filter-severity", "error")
    button.click()
    assert {r["severity"] for r in shown_rows(opened)} == {"error"}
    clean(opened)


def test_copy_button_copies_the_command(browser: BrowserSession, pages: Pages) -> None:
    opened = browser.open_page(pages.scan(OUTAGE))
    page = opened.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    buttons = page.locator("section#root-causes .fix button.copy")
    assert buttons.count() > 1 and all(visible(opened, "section#root-causes .fix button.copy"))
    for index in (0, 1):
        button = buttons.nth(index)
        command = page.locator(f"[id='{button.get_attribute('data-copy')}']").text_content()
        assert command and command.strip()
        if index == 0:
            button.click()
        else:  # by keyboard
            button.focus()
            page.keyboard.press("Enter")
        page.wait_for_function("b => b.textContent !== 'Copy'", arg=button.element_handle())
        assert button.inner_text() == "Copied"
        assert page.evaluate("navigator.clipboard.readText()") == command
    clean(opened)


# --- evidence links -----------------------------------------------------------------------

_WHERE = re.compile(r"^(?P<source>.+):(?P<line>\d+)(?:-\d+)?(?: \(.*\))?$")


def test_every_tick_points_at_an_evidence_line_that_exists(browser: BrowserSession, pages: Pages) -> None:
    opened = browser.open_page(pages.scan(OUTAGE))
    page = opened.page
    hrefs: list[str] = page.eval_on_selector_all(
        f'{TIMELINE_SVG} a.tick[href^="#ev-"]', "as => as.map(a => a.getAttribute('href'))"
    )
    assert hrefs, "no ticks"
    missing = [h for h in hrefs if page.locator(f"[id='{h[1:]}']").count() != 1]
    assert missing == []
    # every evidence line is where its id says: the id is built from its source and line
    for li in page.locator('section#evidence ol.evidence li[id^="ev-"]').all():
        where = li.locator(".where").inner_text().strip()
        m = _WHERE.match(where)
        assert m, where
        assert li.get_attribute("id") == evidence_anchor(m["source"], int(m["line"])), where
        assert li.locator("code").inner_text().strip()


def _topmost_tick(opened: OpenedPage) -> int:
    """The index of the first tick that is on top at its own centre (a click reaches it)."""
    index: int = opened.page.eval_on_selector_all(
        f"{TIMELINE_SVG} a.tick",
        """ticks => ticks.findIndex(t => {
            t.scrollIntoView({block: 'center'});
            const b = t.getBoundingClientRect();
            const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
            return hit && hit.closest('a.tick') === t;
        })""",
    )
    assert index >= 0, "no tick can be clicked: each is covered by something else"
    return index


def test_clicking_a_tick_goes_to_its_evidence(browser: BrowserSession, pages: Pages) -> None:
    opened = browser.open_page(pages.scan(OUTAGE))
    page = opened.page
    tick = page.locator(f"{TIMELINE_SVG} a.tick").nth(_topmost_tick(opened))
    href = tick.get_attribute("href") or ""
    title = tick.locator("title").text_content() or ""
    tick.click()
    page.wait_for_function("h => location.hash === h", arg=href)
    target = page.locator(f"[id='{href[1:]}']")
    assert target.is_visible()
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == href[1:]
    where = target.locator(".where").inner_text()
    m = _WHERE.match(where.strip())
    assert m and f"{m['source']}:{m['line']}" in title, (where, title)
    code = " ".join(target.locator("code").inner_text().split())
    said = title.split(f"{m['source']}:{m['line']}: ", 1)[1].rstrip("…").rstrip(".")
    assert code.startswith(said[:60]), (code, title)
    # the evidence line is in view
    assert page.evaluate(
        "id => { const r = document.getElementById(id).getBoundingClientRect();"
        " return r.bottom > 0 && r.top < innerHeight; }",
        href[1:],
    )

    # and by keyboard: focus another tick, Enter
    page.evaluate("history.replaceState(null, '', location.pathname)")
    other = page.locator(f"{TIMELINE_SVG} a.tick").last
    other_href = other.get_attribute("href")
    other.focus()
    assert page.evaluate("document.activeElement.closest('a.tick') !== null")
    page.keyboard.press("Enter")
    page.wait_for_function("h => location.hash === h", arg=other_href)
    clean(opened)


# --- without JavaScript, and on paper -----------------------------------------------------


def test_everything_is_readable_without_javascript(browser: BrowserSession, pages: Pages) -> None:
    report = report_json(OUTAGE)
    opened = browser.open_page(pages.scan(OUTAGE), javascript=False)
    page = opened.page
    screenshot(page, "outage-no-javascript")
    assert all(visible(opened, "section#root-causes article.root-cause"))
    assert all(visible(opened, "section#root-causes .status"))
    commands = page.eval_on_selector_all(
        "section#root-causes .fix pre code", f"cs => cs.filter({IS_SEEN}).map(c => c.innerText)"
    )
    plain = [s["command"] for d in report["diagnoses"] for s in d["remediation"] if s["command"] and not s.get("tap")]
    assert plain and all(any(c in shown for shown in commands) for c in plain), commands
    assert visible(opened, "button.copy") and not any(visible(opened, "button.copy"))
    assert not page.locator("form#filters").is_visible()
    rows = visible(opened, "#findings-table tbody tr.finding")
    assert len(rows) == len(report["findings"]) and all(rows)
    assert page.locator("#findings-table thead th[scope=col]").count() >= len(SORT_KEYS)
    evidence = visible(opened, 'section#evidence ol.evidence li[id^="ev-"]')
    assert len(evidence) == sum(len(f["evidence"]) for f in report["findings"]) and all(evidence)
    assert page.locator(TIMELINE_SVG).is_visible()
    assert page.locator("#tap-release").is_visible() and page.locator("#counts").is_visible()
    # no hidden error from the page: it has no script to run
    assert opened.problems() == []


def test_print_shows_folded_details_and_evidence(browser: BrowserSession, pages: Pages) -> None:
    opened = browser.open_page(pages.scan(OUTAGE))
    page = opened.page
    page.select_option("#filter-severity", "error")  # a filter left on must not cut the paper
    assert not all(visible(opened, "#findings-table tbody tr.finding"))
    page.emulate_media(media="print")
    for selector in (
        "details.symptoms ul.members li",
        "details .command-box",
        'section#evidence ol.evidence li[id^="ev-"]',
        "section#evidence ol.evidence li code",
        "section#root-causes .fix pre code",
        "#findings-table tbody tr.finding",
    ):
        shown = visible(opened, selector)
        assert shown and all(shown), f"{selector}: {shown.count(False)} of {len(shown)} not printed"
    for selector in ("form#filters", "button.copy"):
        assert not any(visible(opened, selector)), f"{selector} is printed"
    clean(opened)


# --- hostile input ------------------------------------------------------------------------

PAYLOADS = (
    "<script>window.__pwned=1;alert(1)</script>",
    '<img src=x onerror="window.__pwned=2">',
    "\"'><svg onload=window.__pwned=3>",
    '<a href="javascript:alert(1)">click</a>',
    "<svg/onload=window.__pwned=5>`<b>`",
)


def _assert_inert(opened: OpenedPage) -> None:
    page = opened.page
    assert opened.dialogs == []
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # nothing of the log became markup: no element, attribute or link from it
    assert page.locator("img, iframe, object, embed, b").count() == 0
    assert page.locator("[onload], [onerror]").count() == 0
    assert page.eval_on_selector_all(
        "[href]", "els => els.filter(e => /^\\s*javascript:/i.test(e.getAttribute('href'))).length"
    ) == 0
    assert page.locator("script").count() == 1 and page.locator("svg").count() == page.locator("svg.amr-timeline").count()


def test_hostile_log_text_is_shown_as_text(browser: BrowserSession, pages: Pages) -> None:
    opened = browser.open_page(pages.scan(HOSTILE))
    page = opened.page
    _assert_inert(opened)
    evidence = page.locator("section#evidence").inner_text()
    for payload in PAYLOADS:
        assert payload in evidence, payload
    unknown = page.locator("section#unknown").inner_text()
    assert PAYLOADS[0] in unknown and PAYLOADS[2] in unknown and "javascript:alert(1)" in unknown
    # the extracted url went into the fix's configuration: still text
    config = page.eval_on_selector_all("section#evidence details.fix code.config", "cs => cs.map(c => c.textContent)")
    assert any("endpoint: https://javascript:alert(1)//<script>" in c for c in config), config
    assert page.get_by_text("<script>window.__pwned=1;alert(1)</script>").first.is_visible()
    # clicking around does not wake anything up
    page.locator(f"{TIMELINE_SVG} a.tick").first.focus()
    page.keyboard.press("Enter")
    _assert_inert(opened)
    clean(opened)


def test_hostile_file_name(browser: BrowserSession, pages: Pages, tmp_path: Path) -> None:
    name = '"><img src=x onerror=alert(1)>.log'
    try:
        hostile = tmp_path / name
        shutil.copy(HOSTILE, hostile)
    except OSError:
        pytest.skip("the file system refuses the name")
    page_file = tmp_path / "report.html"
    code, _, err = run("scan", "-o", f"html:{page_file}", str(hostile))
    assert code in (0, 1), err
    opened = browser.open_page(page_file)
    _assert_inert(opened)
    wheres = opened.page.eval_on_selector_all(".where", "ws => ws.map(w => w.innerText)")
    assert wheres and all(name in w for w in wheres)
    clean(opened)


def test_redact_keeps_a_secret_out_of_the_page(pages: Pages) -> None:
    # the secret is in the page without --redact (so this test can fail)...
    assert SECRET in pages.scan(HOSTILE).read_text(encoding="utf-8")
    # ...and nowhere in it, markup included, with --redact
    redacted = pages.scan(HOSTILE, extra=("--redact",)).read_text(encoding="utf-8")
    assert SECRET not in redacted and SECRET[:12] not in redacted


# --- colour contrast ----------------------------------------------------------------------

CONTRAST_TARGETS = {
    "main text": "main p, main li, footer p, figcaption, summary, .facts, .note",
    "verdict": "#verdict",
    "code": "main code",
    "status words": "section#root-causes .status, .badge",
    "table headers": "thead th, thead th button.sort",
    "links": "main a[href]:not(.tick), nav a[href]",
    "evidence places": ".where",
    "filter count": "#filter-count",
    "lane labels": f"{TIMELINE_SVG} g.lane text.lane-name, {TIMELINE_SVG} g.lane text.lane-state",
    "span labels": f"{TIMELINE_SVG} text.span-label",
    "axis labels": f"{TIMELINE_SVG} text.axis-label",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_meets_wcag_aa(browser: BrowserSession, pages: Pages, scheme: str) -> None:
    # an upgrade: healthy, degraded and failing lanes, pods, every badge colour
    opened = browser.open_page(pages.scan(example("store-upgrade-checkpoint.log")), color_scheme=scheme)  # type: ignore[arg-type]
    low = []
    for what, selector in CONTRAST_TARGETS.items():
        measured = contrast(opened.page.locator(selector))
        assert measured or what == "span labels", f"nothing matched {what}: {selector}"
        low += [f"{what}: {m}" for m in measured if m.ratio < 4.5]
    assert low == [], "\n".join(low)


# --- the Markdown report's Mermaid gantt ---------------------------------------------------

MERMAID_INPUTS = {
    "outage": [OUTAGE],
    "upgrade-degraded-pods": [example("store-upgrade-checkpoint.log")],
    "crash-loop-pods": [example("handler-crash-loop.txt")],
    "leader-election": [FIXTURES / "incidents" / "leader-election"],
    "hostile": [HOSTILE],
}
_BLOCK = re.compile(r"^```mermaid\n(.*?)^```$", re.S | re.M)


def test_mermaid_gantt_renders_a_task_per_unwell_span(browser: BrowserSession, classifier: Classifier, tmp_path: Path) -> None:
    script = mermaid_script()
    blank = tmp_path / "blank.html"
    blank.write_text('<!DOCTYPE html><html lang="en"><body></body></html>', encoding="utf-8")
    opened = browser.open_page(blank)
    page = opened.page
    page.add_script_tag(path=str(script))
    page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
    failures = []
    for case, inputs in sorted(MERMAID_INPUTS.items()):
        code, markdown, err = run("scan", "--format", "markdown", *map(str, inputs))
        assert code in (0, 1), err
        blocks = _BLOCK.findall(markdown)
        timeline = model(classifier, *inputs)
        unwell = [(lane, s) for lane in timeline.lanes() for s in lane.spans if s.state != "healthy"]
        if not unwell:
            assert blocks == [], f"{case}: a gantt with nothing unwell"
            continue
        assert len(blocks) == 1, f"{case}: {len(blocks)} mermaid blocks"
        result = page.evaluate(
            """async ([id, source]) => {
                try {
                    await mermaid.parse(source);
                    const {svg} = await mermaid.render(id, source);
                    const holder = document.createElement('div');
                    holder.innerHTML = svg;
                    document.body.appendChild(holder);
                    const tasks = [...holder.querySelectorAll('rect.task')];
                    const texts = [...holder.querySelectorAll('text.taskText, text.taskTextOutsideRight, text.taskTextOutsideLeft')];
                    const kind = (k) => tasks.filter(t => [...t.classList].some(c => c.startsWith(k) && c.slice(k.length) !== '' && !isNaN(c.slice(k.length)))).length;
                    return {tasks: tasks.length, crit: kind('crit'), active: kind('active'),
                            texts: texts.map(t => t.textContent), error: null};
                } catch (e) {
                    return {error: String(e && e.message || e)};
                }
            }""",
            [f"gantt-{case}", blocks[0]],
        )
        if result["error"]:
            failures.append(f"{case}: {result['error']}\n{blocks[0]}")
            continue
        failing = sum(s.state == "failing" for _, s in unwell)
        drawn = (result["tasks"], result["crit"], result["active"])
        if drawn != (len(unwell), failing, len(unwell) - failing):
            failures.append(f"{case}: (tasks, crit, active) {drawn}, want {(len(unwell), failing, len(unwell) - failing)}\n{blocks[0]}")
        # a task names its span's first finding (the rest may be "and 2 more")
        named = " ".join(result["texts"])
        failures += [f"{case}: no task names {s.finding_ids[0]}" for _, s in unwell if s.finding_ids[0] not in named]
    assert failures == [], "\n\n".join(failures)
    screenshot(page, "mermaid-gantts")
    clean(opened)


# --- timeline --format html | svg ------------------------------------------------------------


def test_timeline_page(browser: BrowserSession, pages: Pages, classifier: Classifier) -> None:
    path = pages.write("timeline.html", "timeline", "--format", "html", str(OUTAGE))
    opened = browser.open_page(path)
    clean(opened)
    screenshot(opened.page, "timeline-outage")
    page = opened.page
    assert page.locator(TIMELINE_SVG).is_visible()
    lanes = model(classifier, OUTAGE).lanes()
    assert page.locator(f"{TIMELINE_SVG} g.lane[data-component]").count() == len(lanes)
    # its ticks lead to evidence on the same page
    hrefs = page.eval_on_selector_all(f'{TIMELINE_SVG} a.tick[href^="#ev-"]', "as => as.map(a => a.getAttribute('href'))")
    assert hrefs and all(page.locator(f"[id='{h[1:]}']").count() == 1 for h in hrefs)


def test_timeline_svg_opens_as_an_svg_document(browser: BrowserSession, classifier: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "timeline.svg"
    code, _, err = run("timeline", "-o", str(path), str(OUTAGE))
    assert code == 0, err
    opened = browser.open_page(path)
    page = opened.page
    assert page.evaluate("document.documentElement instanceof SVGSVGElement")
    assert page.evaluate("document.documentElement.namespaceURI") == "http://www.w3.org/2000/svg"
    assert page.locator("parsererror").count() == 0
    lanes = model(classifier, OUTAGE).lanes()
    drawn = page.eval_on_selector_all(
        "g.lane[data-component]",
        "ls => ls.map(g => [g.dataset.component, [...g.querySelectorAll('rect.span')].map(r => r.dataset.state)])",
    )
    assert drawn == [[lane.component, [s.state for s in lane.spans]] for lane in lanes]
    # its own style applies: a failing span is not drawn in the default black
    fills = page.eval_on_selector_all("rect.span[data-state=failing]", "rs => rs.map(r => getComputedStyle(r).fill)")
    assert fills and "rgb(0, 0, 0)" not in fills
    # standalone: no links to a page that is not there
    assert page.locator('a.tick[href^="#ev-"]').count() == 0
    screenshot(page, "timeline-outage-svg")
    clean(opened)
