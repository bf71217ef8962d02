"""The templates of the HTML page and the timeline picture, and the one way they are filled.

Every value a template prints is escaped (autoescaping) and stripped of the
characters XML cannot hold (a log line may carry control characters), so log
text can only ever be text in the page or the picture. Our own prose marks
code with backticks; ``prose`` turns those spans into ``<code>`` after
escaping the rest.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import jinja2
from markupsafe import Markup, escape

#: Characters XML 1.0 cannot hold even escaped (controls, surrogates, non-characters);
#: shown as U+FFFD instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: object) -> object:
    """Every printed string without the characters XML cannot hold (markup stays markup)."""
    if isinstance(value, Markup):
        return Markup(_NOT_XML.sub("\ufffd", value))
    return _NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value


def prose(text: str) -> Markup:
    """Our own words with their `code` spans as ``<code>``; everything escaped first."""
    text = str(xml_safe(text))
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as written
        return escape(text)
    code = Markup("<code>{}</code>")
    return Markup("").join(code.format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


@functools.cache
def environment() -> jinja2.Environment:
    """The package's templates, every printed value escaped and made XML-safe."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("amr_logpatterns.formatters", "templates"),
        autoescape=True,
        finalize=xml_safe,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["prose"] = prose
    return env


def asset(name: str) -> str:
    """The text of one of the templates folder's own files (a stylesheet, a script)."""
    folder = resources.files("amr_logpatterns.formatters").joinpath("templates")
    return folder.joinpath(name).read_text(encoding="utf-8")
