"""The HTML page as a file: self-contained, escaped, its policy matching its own code, and the
command writing it; the browser tests (test_html_browser.py) check it as people see it."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from amr_logpatterns import Classifier, Report
from amr_logpatterns.cli import main
from amr_logpatterns.formatters.html import format_report
from amr_logpatterns.formatters.templating import prose
from amr_logpatterns.models.results import Evidence, Finding, Seen, UnknownTemplate

EXAMPLES = sorted(p for p in (ROOT / "examples" / "logs").iterdir() if p.name != "EXPECTED.yaml")
OUTAGE = FIXTURES / "incidents" / "amr-graphql-outage"

#: What a hostile log line tries: close the element, open a script, break out of an attribute.
HOSTILE = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=2">',
    "javascript:alert(3)",
    "'><svg onload=window.__pwned=4>",
    "</style><style>*{display:none}</style>",
    "{{ 7*7 }} {% raw %}",
]


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each style and script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"style": [], "script": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._in = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self.raw[self._in][-1] += data


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


def digest(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def report_of(classifier: Classifier, *paths: Path) -> Report:
    return classifier.classify_many([(str(p), p.read_text(errors="replace")) for p in paths])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_is_one_self_contained_page(classifier: Classifier, example: Path) -> None:
    page = format_report(report_of(classifier, example))
    found = parse(page)
    tags = [t for t, _ in found.tags]
    assert tags.count("style") == 1 and tags.count("script") == 1
    for tag, attrs in found.tags:
        assert "src" not in attrs, f"<{tag}> loads {attrs['src']}"
        assert "style" not in attrs, f"<{tag}> has a style attribute the policy would block"
        assert not any(name.startswith("on") for name in attrs), f"<{tag}> {attrs}"
        assert tag not in ("link", "iframe", "object", "embed", "img", "base")
        href = attrs.get("href")
        assert href is None or href.startswith(("#", "https://")), href
    css = found.raw["style"][0]
    assert "@import" not in css and not re.search(r"url\((?!#)", css)
    # the policy names exactly the page's own style and script, nothing else
    policy = next(a["content"] for t, a in found.tags if a.get("http-equiv") == "Content-Security-Policy")
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["style-src"] == f"'{digest(css)}'"
    assert directives["script-src"] == f"'{digest(found.raw['script'][0])}'"
    ids = [a["id"] for _, a in found.tags if a.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique"
    for _, attrs in found.tags:
        if (attrs.get("href") or "").startswith("#"):
            assert attrs["href"][1:] in ids, f"{attrs['href']} points nowhere"


def test_page_tells_the_outage_story(classifier: Classifier) -> None:
    report = report_of(classifier, *sorted(OUTAGE.iterdir()))
    page = format_report(report)
    found = parse(page)
    articles = [a for t, a in found.tags if "root-cause" in (a.get("class") or "").split()]
    assert [a["data-status"] for a in articles] == ["recovered"]
    assert "The AMR GraphQL app is not serving" in page
    assert '<code class="command" id="rc-1-1-cmd">kubectl -n metadata-store get pods' in page
    rows = [a for t, a in found.tags if t == "tr" and "finding" in (a.get("class") or "")]
    assert {(r["data-component"], r["data-status"]) for r in rows} >= {("handler", "recovered")}
    # the healthy signal as an id to search for, its title in words
    assert "Fixed when you see <code>handler.location-event</code> (The CloudEvent Handler" in page
    assert 'id="timeline"' in page and "<svg" in page
    assert 'id="tap-release"' in page and "Tanzu Application Platform" in page


def hostile_report(text: str = " ".join(HOSTILE), name: str = '"><script>alert(1)</script>') -> Report:
    """A report whose every log-borne string is ``text`` or ``name``."""
    seen = Seen(source=f"x{name}.log", line=3, ts="2024-01-01T00:00:00Z")
    finding = Finding(
        id="observer.health-check-failed",
        title="The Observer's health check fails",
        severity="error",
        component=f"observer{name}",
        category="connectivity",
        count=1,
        first_seen=seen,
        last_seen=seen,
        evidence=[Evidence(source=seen.source, line=3, end_line=3, text=text, ts=seen.ts)],
        fields={"url": text},
        group_fields={"status_code": f"503{name}"},
        explanation="Plain words.",
        fingerprint="abc",
    )
    unknown = UnknownTemplate(template=text, level="error", count=2, first_seen=seen, example=text)
    return Report(findings=[finding], unknown=[unknown], max_severity="error")


def test_log_text_is_shown_as_text_never_as_markup() -> None:
    page = format_report(hostile_report())
    found = parse(page)
    assert [t for t, _ in found.tags].count("script") == 1  # the page's own
    assert not any(t in ("img", "b", "i") for t, _ in found.tags)
    assert not any(t == "svg" and "onload" in a for t, a in found.tags)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=&#34;window.__pwned=2&#34;&gt;" in page
    assert "{{ 7*7 }}" in page and "49" not in page.split("<body>", 1)[1].split("Lines read")[0]
    for _, attrs in found.tags:
        assert not (attrs.get("href") or "").startswith("javascript:")
    # the same report with harmless strings has the same elements with the same attributes:
    # no quote ended an attribute, no bracket opened an element
    plain = parse(format_report(hostile_report("plain words", "plain")))
    assert [(t, sorted(a)) for t, a in found.tags] == [(t, sorted(a)) for t, a in plain.tags]
    assert found.raw["style"][0].count("</style>") == 0
    assert "display:none}" not in found.raw["style"][0]


def test_prose_marks_code_and_escapes_the_rest() -> None:
    assert str(prose("run `kubectl get <pods>` now")) == (
        "run <code>kubectl get &lt;pods&gt;</code> now"
    )
    assert str(prose("an odd ` backtick <b>")) == "an odd ` backtick &lt;b&gt;"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--no-config"], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_scan_writes_the_page_by_format_and_by_suffix(tmp_path: Path) -> None:
    example = str(ROOT / "examples" / "logs" / "observer-missing-scheme.log")
    code, out, _ = run("scan", "--format", "html", example)
    assert code == 1 and out.startswith("<!DOCTYPE html>")
    target = tmp_path / "out" / "report.html"
    code, out, _ = run("scan", example, "-o", str(target))
    assert code == 1 and out.startswith("Gate: failed")
    page = target.read_text()
    assert 'data-gate="failed"' in page and "Gate failed (--fail-on error)" in page


def test_timeline_writes_the_page_and_the_picture(tmp_path: Path) -> None:
    code, out, _ = run("timeline", "--format", "html", str(OUTAGE))
    assert code == 0 and out.startswith("<!DOCTYPE html>")
    assert out.index('id="timeline"') < out.index('id="root-causes"')
    picture = tmp_path / "t.svg"
    code, out, _ = run("timeline", str(OUTAGE), "-o", str(picture), "-o", "markdown:-")
    assert code == 0 and "```mermaid" in out
    assert picture.read_text().startswith("<svg")


def test_timeline_refuses_a_suffix_it_does_not_write(tmp_path: Path) -> None:
    code, _, err = run("timeline", str(OUTAGE), "-o", str(tmp_path / "t.sarif"))
    assert code == 2
    assert "end it in one of .md, .html, .htm, .svg, .json, .txt" in err


def test_many_root_causes_are_listed_first_each_linking_to_its_story(classifier: Classifier) -> None:
    report = report_of(classifier, *EXAMPLES)
    assert len(report.diagnoses) > 2
    found = parse(format_report(report))
    index = page_between(format_report(report), '<ol class="rc-index"', "</ol>")
    articles = [a["id"] for t, a in found.tags if "root-cause" in (a.get("class") or "").split()]
    assert re.findall(r'href="#(rc-\d+)"', index) == articles
    assert index.count("<li>") == len(articles) == len(report.diagnoses)


def page_between(page: str, start: str, end: str) -> str:
    head = page.index(start)
    return page[head : page.index(end, head)]
