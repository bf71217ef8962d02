"""The documentation: the generated reference matches the packs, and every link lands.

``mkdocs build --strict`` (in ``.ci/run``) checks the site's own links too; these tests
also cover ``README.md``, which the site does not build, and run without mkdocs.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from test_architecture import STAGES

from amr_logpatterns.authoring.reference import COMMAND, render_reference

DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference" / "signatures.md"
PAGES = sorted(DOCS.rglob("*.md"))
LINKED = [ROOT / "README.md", *PAGES]

_FENCE = re.compile(r"^(`{3,}|~{3,})")
_LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+\{#([^}\s]+)\})?\s*$")


def _prose(text: str) -> list[str]:
    """The lines of a Markdown text outside fenced code blocks."""
    out, fence = [], ""
    for line in text.splitlines():
        m = _FENCE.match(line.strip())
        if fence:
            if (
                m
                and m[1][0] == fence[0]
                and len(m[1]) >= len(fence)
                and not line.strip()[len(m[1]) :]
            ):
                fence = ""
        elif m:
            fence = m[1]
        else:
            out.append(line)
    return out


def _slug_mkdocs(title: str) -> str:
    """Python-Markdown's ``toc`` slug of a heading's text (what MkDocs links to)."""
    text = re.sub(r"`+", "", title)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _slug_github(title: str) -> str:
    """GitHub's anchor of a heading (what README.md links to, rendered on GitHub)."""
    text = re.sub(r"`+", "", title).strip().lower()
    return re.sub(r" ", "-", re.sub(r"[^\w\- ]", "", text))


def _anchors(path: Path) -> set[str]:
    slug = _slug_github if path.parent == ROOT else _slug_mkdocs
    anchors = set()
    for line in _prose(path.read_text()):
        m = _HEADING.match(line)
        if m:
            anchors.add(m[3] or slug(m[2]))
    return anchors


def test_the_signature_reference_is_what_the_packs_generate() -> None:
    assert REFERENCE.read_text() == render_reference(), f"regenerate it: {COMMAND}"


def test_the_reference_says_how_to_regenerate_it() -> None:
    assert COMMAND in REFERENCE.read_text().split("\n# ", 1)[0]


def test_every_page_mkdocs_lists_exists_and_every_page_is_listed() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    assert config["docs_dir"] == "docs" and config["site_dir"] == "site"
    listed: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            listed.append(node)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)

    walk(config["nav"])
    missing = [page for page in listed if not (DOCS / page).is_file()]
    assert not missing, f"mkdocs.yml lists pages that do not exist: {missing}"
    unlisted = sorted(
        str(p.relative_to(DOCS)) for p in PAGES if str(p.relative_to(DOCS)) not in listed
    )
    assert not unlisted, f"pages mkdocs.yml does not list: {unlisted}"
    assert "site/" in (ROOT / ".gitignore").read_text().split()


@pytest.mark.parametrize("page", LINKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_lands(page: Path) -> None:
    broken = []
    for line in _prose(page.read_text()):
        for target in _LINK.findall(line):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
                continue
            path_part, _, anchor = target.partition("#")
            dest = (page.parent / path_part).resolve() if path_part else page
            if not dest.exists():
                broken.append(f"{target}: no such file")
            elif anchor and (dest.suffix != ".md" or anchor not in _anchors(dest)):
                broken.append(f"{target}: no such heading")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_readme_stays_a_front_door() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250


def test_the_architecture_page_draws_the_stages_the_architecture_test_enforces() -> None:
    page = (DOCS / "architecture.md").read_text()
    section = page[page.index("## The stages") :]
    block = section[
        section.index("```text\n") + 8 : section.index("```\n", section.index("```text\n") + 8)
    ]
    drawn = [
        tuple(m[1].split(" · "))
        for m in (
            re.match(r"  ([a-z]+(?: · [a-z]+)*)(?:\s{2,}|$)", line) for line in block.splitlines()
        )
        if m
    ]
    assert drawn[::-1] == [tuple(stage) for stage in STAGES]


def test_the_architecture_page_names_modules_that_exist() -> None:
    page = (DOCS / "architecture.md").read_text()
    named = set(re.findall(r"`((?:[a-z_0-9]+/)+[a-z_0-9]*(?:\.py)?)`", page))
    assert named, "the page names no module"
    missing = sorted(
        name
        for name in named
        if not (ROOT / "amr_logpatterns" / name).exists() and not (ROOT / name).exists()
    )
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"
