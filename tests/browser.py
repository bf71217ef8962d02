"""A real browser for the HTML report's tests: Playwright driving the system's Chromium.

Playwright's own browser download is never used (``scripts/install-test-browser`` installs
Debian's ``chromium`` instead). Without a Chromium, or without the Playwright package, the
browser tests skip with the reason; under ``AMR_REQUIRE_BROWSER=1`` (``.ci/run``) they fail.

- :func:`find_chromium`: ``$AMR_CHROMIUM``, else ``chromium``, ``chromium-browser`` or
  ``google-chrome`` on PATH;
- :class:`BrowserSession`: one browser for the whole session; :meth:`BrowserSession.open_page`
  opens a file in a fresh context (JavaScript on or off, light or dark scheme) and collects
  everything that went wrong on it (:class:`OpenedPage`);
- :func:`screenshot`: full-page PNGs under ``$AMR_TEST_ARTIFACTS`` (default
  ``build/test-artifacts/screenshots/``, ignored by git), kept for a person to look at;
- :func:`contrast`: the WCAG contrast ratio of elements' text against what is behind it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Dialog, Locator, Page, Request

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
INSTALL_HINT = "run scripts/install-test-browser (or set AMR_CHROMIUM=/path/to/chrome)"

ColorScheme = Literal["light", "dark"]

#: Whether an element is seen: laid out, not in a closed ``<details>`` (content-visibility), not
#: ``visibility: hidden`` or fully transparent. (``getClientRects`` alone counts folded content.)
IS_SEEN = "(e) => e.checkVisibility({visibilityProperty: true, opacityProperty: true})"


def required() -> bool:
    """Whether a missing browser (or tool) is a failure rather than a skip."""
    return os.environ.get("AMR_REQUIRE_BROWSER", "") not in ("", "0")


def unavailable(reason: str) -> NoReturn:
    """Skip the test for ``reason``, or fail it under ``AMR_REQUIRE_BROWSER=1``."""
    if required():
        pytest.fail(f"{reason} (AMR_REQUIRE_BROWSER is set)", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    """The Chromium to drive: ``$AMR_CHROMIUM``, else the first of the usual names on PATH."""
    chosen = os.environ.get("AMR_CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def tools_dir() -> Path:
    """Where ``scripts/install-test-browser`` keeps the tools it fetched."""
    return Path(os.environ.get("AMR_TEST_TOOLS") or ROOT / "build" / "test-tools")


def mermaid_script() -> Path:
    """Mermaid's bundled script, or skip/fail when the install script could not fetch it."""
    path = tools_dir() / "mermaid" / "mermaid.min.js"
    if not path.is_file():
        unavailable(f"no {path}: run scripts/install-test-browser with npm on PATH")
    return path


def artifacts_dir() -> Path:
    """Where screenshots go (made on first use)."""
    base = os.environ.get("AMR_TEST_ARTIFACTS")
    path = Path(base) if base else ROOT / "build" / "test-artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG of ``page`` as ``name`` (made safe for a file name); return its path."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "page"
    path = artifacts_dir() / f"{safe}.png"
    # an SVG document has no page to scroll: its viewport is the picture
    whole = not page.evaluate("document.documentElement instanceof SVGSVGElement")
    page.screenshot(path=str(path), full_page=whole, animations="disabled")
    return path


# Runs before the page's own scripts and is not subject to its CSP. It records violations
# (Chromium also logs them to the console, which is collected too).
_WATCH = """
(() => {
  const seen = [];
  Object.defineProperty(window, '__amrViolations', { value: seen });
  document.addEventListener('securitypolicyviolation', (e) => {
    seen.push(`${e.effectiveDirective || e.violatedDirective} blocked ${e.blockedURI || 'inline'}`
      + (e.sourceFile ? ` (${e.sourceFile}:${e.lineNumber})` : '') + (e.sample ? `: ${e.sample}` : ''));
  }, true);
})();
"""

_SETTLE = "() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))"


@dataclass
class OpenedPage:
    """A page and what went wrong on it: console errors and warnings, uncaught exceptions,
    CSP violations, dialogs (dismissed) and requests for anything but the page itself."""

    page: Page
    url: str
    javascript: bool
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        """CSP violations the page reported (none can be seen with JavaScript off but in
        the console)."""
        found: list[str] = self.page.evaluate("() => Array.from(window.__amrViolations || [])")
        return [f"CSP: {v}" for v in found]

    def problems(self) -> list[str]:
        """Everything collected so far, after letting pending events arrive."""
        self.settle()
        return [*self.console, *self.errors, *self.violations(), *self.dialogs, *self.requests]

    def settle(self) -> None:
        """Wait for a frame and a task, so events of what was just done are delivered (with
        JavaScript off, timers never fire: a round trip to the page is all there is)."""
        self.page.evaluate(_SETTLE if self.javascript else "() => 0")


class BrowserSession:
    """One Chromium for the session; each :meth:`open_page` gets its own context."""

    def __init__(self, executable: str) -> None:
        from playwright.sync_api import sync_playwright

        self._manager = sync_playwright()
        self._playwright = self._manager.start()
        try:
            self.browser: Browser = self._playwright.chromium.launch(
                executable_path=executable,
                # root in a container has no user namespaces for the sandbox; the pages are
                # our own reports, opened from files
                args=["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"],
            )
        except Exception:
            self._manager.__exit__(None, None, None)
            raise
        self._contexts: list[Any] = []

    def open_page(
        self,
        path: Path | str,
        *,
        javascript: bool = True,
        color_scheme: ColorScheme = "light",
        width: int = 1280,
        height: int = 900,
    ) -> OpenedPage:
        """Open ``path`` (a file) and wait for it to load; the context closes at :meth:`close`
        or at the next :meth:`close_pages`."""
        context = self.browser.new_context(
            java_script_enabled=javascript,
            color_scheme=color_scheme,
            viewport={"width": width, "height": height},
            reduced_motion="reduce",
            locale="en-US",
            timezone_id="UTC",
        )
        context.set_default_timeout(10_000)  # a missing element fails in seconds, not 30
        self._contexts.append(context)
        context.add_init_script(_WATCH)
        page = context.new_page()
        url = Path(path).resolve().as_uri()
        opened = OpenedPage(page, url, javascript)

        def on_console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                where = message.location
                at = f" ({where.get('url', '')}:{where.get('lineNumber', '')})" if where else ""
                opened.console.append(f"console.{message.type}: {message.text}{at}")

        def on_dialog(dialog: Dialog) -> None:
            opened.dialogs.append(f"dialog {dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_request(request: Request) -> None:
            if request.url != url and not request.url.startswith(("data:", "about:")):
                opened.requests.append(f"request: {request.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: opened.errors.append(f"page error: {exc}"))
        page.on("dialog", on_dialog)
        page.on("request", on_request)
        page.goto(url, wait_until="load")
        return opened

    def close_pages(self) -> None:
        for context in self._contexts:
            context.close()
        self._contexts.clear()

    def close(self) -> None:
        self.close_pages()
        self.browser.close()
        self._manager.__exit__(None, None, None)


def browser_session() -> Iterator[BrowserSession]:
    """The body of a session fixture: one browser, or skip/fail with the reason there is none."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("the playwright package is not installed: pip install -e '.[test]'")
    executable = find_chromium()
    if executable is None:
        unavailable(f"no Chromium found: {INSTALL_HINT}")
    try:
        session = BrowserSession(executable)
    except Exception as exc:
        unavailable(f"{executable} did not start under Playwright: {exc}")
    try:
        yield session
    finally:
        session.close()


# --- colour contrast (WCAG 2.x) ---------------------------------------------------------

# For each element: its text colour (``fill`` for SVG text) and the colour behind it: the
# backgrounds of its ancestors laid over the canvas (``Canvas`` of the root's colour scheme),
# and for SVG text the shapes drawn before it whose box holds its centre. Colours are read
# back through a 2D canvas, so any CSS colour syntax (oklch, color-mix...) resolves to sRGB.
# Not accounted for: background images and patterns, opacity of HTML ancestors, text shadows
# and outlines (an SVG label's halo is the colour of the bar it sits on, so that is the same).
_CONTRAST = """
(elements) => {
  const ctx = Object.assign(document.createElement('canvas'), { width: 1, height: 1 })
    .getContext('2d', { willReadFrequently: true });
  // null for what is not a colour (a fill of url(#pattern), none)
  const rgba = (css) => {
    if (!CSS.supports('color', css)) return null;
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const withAlpha = (c, a) => [c[0], c[1], c[2], c[3] * a];
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const probe = document.createElement('span');
  probe.style.backgroundColor = 'Canvas';
  document.documentElement.appendChild(probe);
  const canvasColour = rgba(getComputedStyle(probe).backgroundColor);
  probe.remove();
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    for (const c of el.classList) s += '.' + c;
    return s;
  };
  const htmlBackground = (start) => {
    const chain = [];
    const images = [];
    for (let el = start; el; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (!(el instanceof SVGElement) || el instanceof SVGSVGElement) {
        chain.push(rgba(style.backgroundColor) || [0, 0, 0, 0]);
        if (style.backgroundImage && style.backgroundImage !== 'none') images.push(describe(el));
      }
    }
    let bg = canvasColour;
    for (const c of chain.reverse()) bg = over(c, bg);
    return [bg, images];
  };
  return elements.map((el) => {
    const style = getComputedStyle(el);
    const isSvg = el instanceof SVGElement && !(el instanceof SVGSVGElement);
    let fg = rgba(isSvg ? style.fill : style.color) || [0, 0, 0, 1];
    if (isSvg) fg = withAlpha(fg, parseFloat(style.fillOpacity || '1'));
    let [bg, images] = htmlBackground(isSvg ? el.ownerSVGElement : el);
    if (isSvg) {
      const box = el.getBoundingClientRect();
      const x = box.left + box.width / 2, y = box.top + box.height / 2;
      const shapes = el.ownerSVGElement.querySelectorAll('rect, path, circle, ellipse, polygon');
      for (const shape of shapes) {
        if (!(el.compareDocumentPosition(shape) & Node.DOCUMENT_POSITION_PRECEDING)) continue;
        if (shape.contains(el)) continue;
        const s = getComputedStyle(shape);
        // a pattern (hatching) is left out: it covers a fraction of what it is drawn on
        const fill = rgba(s.fill);
        if (s.display === 'none' || s.visibility === 'hidden' || fill === null) continue;
        const b = shape.getBoundingClientRect();
        if (x < b.left || x > b.right || y < b.top || y > b.bottom) continue;
        let opacity = parseFloat(s.fillOpacity || '1');
        for (let p = shape; p && p !== el.ownerSVGElement; p = p.parentElement) {
          opacity *= parseFloat(getComputedStyle(p).opacity || '1');
        }
        bg = over(withAlpha(fill, opacity), bg);
      }
    }
    fg = over(fg, bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    return {
      element: describe(el),
      text: (el.textContent || '').trim().slice(0, 40),
      fg: `rgb(${fg.slice(0, 3).map(Math.round).join(', ')})`,
      bg: `rgb(${bg.slice(0, 3).map(Math.round).join(', ')})`,
      ratio: (hi + 0.05) / (lo + 0.05),
      images,
    };
  });
}
"""


@dataclass(frozen=True)
class Contrast:
    """One element's text colour against its background, and their WCAG contrast ratio.
    ``images``: ancestors with a background image, which the ratio does not account for."""

    element: str
    text: str
    fg: str
    bg: str
    ratio: float
    images: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.element} {self.text!r}: {self.fg} on {self.bg} = {self.ratio:.2f}:1"


def contrast(locator: Locator) -> list[Contrast]:
    """The contrast of every visible element ``locator`` matches (empty text left out)."""
    rows = locator.evaluate_all(
        f"(els) => ({_CONTRAST})(els.filter((e) => (e.textContent || '').trim() && ({IS_SEEN})(e)))"
    )
    return [Contrast(**{**r, "images": tuple(r["images"])}) for r in rows]
