"""Where a SARIF result points: a log's name as an artifact URI, a record as a region.

A log line plays the part of a line of code. Relative paths stay relative to
``%SRCROOT%`` (where the command ran, the repository root in CI) so code
scanning finds the file; absolute paths become ``file://`` URIs; ``<stdin>``
and the like lose their brackets. A location names its entry in
``run.artifacts`` when the run lists that file.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from amr_logpatterns.models.results import Evidence, Finding

JSON = dict[str, Any]

#: Relative artifact URIs are relative to where the command ran (the repository root in CI).
SRCROOT = "%SRCROOT%"

_DRIVE = re.compile(r"^[A-Za-z]:/")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_PSEUDO = re.compile(r"^<([^<>]*)>$")
# Characters a URI may hold as they are: RFC 3986 reserved and unreserved ones, and ``%``.
_URI_SAFE = "/:?#[]@!$&'()*+,;=%~"


def _quote(text: str, safe: str) -> str:
    """Percent-encode ``text``; a file name's undecodable bytes (``surrogateescape``) are
    encoded as the bytes they stand for."""
    return quote(text, safe=safe, errors="surrogateescape")


def source_uri(source: str) -> str:
    """A source name as a URI reference that SARIF accepts and still names the same file.

    Relative paths stay relative (forward slashes, unsafe characters percent-encoded, a
    leading ``./`` dropped so one file has one name across runs); absolute paths become
    ``file://`` URIs; ``<stdin>``-like names, which are not paths, lose their brackets.
    """
    pseudo = _PSEUDO.match(source)
    if pseudo:
        source = pseudo.group(1)
    if _SCHEME.match(source):
        return _quote(source, _URI_SAFE)
    path = source.replace("\\", "/")
    if path.startswith("//"):
        return "file:" + _quote(path, "/")
    if _DRIVE.match(path):
        return "file:///" + path[:2] + _quote(path[2:], "/")
    if path.startswith("/"):
        return "file://" + _quote(path, "/")
    while path.startswith("./"):
        path = path[2:]
    return _quote(path, "/") or "input"


def artifact_location(uri: str) -> JSON:
    """A relative URI names its base, as SARIF asks; an absolute one needs none."""
    return {"uri": uri} if _SCHEME.match(uri) else {"uri": uri, "uriBaseId": SRCROOT}


def physical_location(artifact: JSON, region: JSON) -> JSON:
    """A region of an artifact, as SARIF nests them."""
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


class Locator:
    """Builds locations, pointing each at its entry in ``run.artifacts`` when it has one."""

    def __init__(self, artifact_uris: list[str]) -> None:
        self.index = {uri: i for i, uri in enumerate(artifact_uris)}

    def artifact(self, source: str) -> JSON:
        """The artifact location of a source, with its index in the run when it has one."""
        uri = source_uri(source)
        loc = artifact_location(uri)
        if uri in self.index:
            loc["index"] = self.index[uri]
        return loc

    def evidence(self, ev: Evidence) -> JSON:
        """An evidence record as a location: its lines, with its text as the snippet."""
        region: JSON = {"startLine": max(ev.line, 1)}
        if ev.end_line > ev.line:
            region["endLine"] = ev.end_line
        region["snippet"] = {"text": ev.text}
        return physical_location(self.artifact(ev.source), region)

    def first(self, f: Finding) -> JSON:
        """Where a finding shows first: its first evidence, or its first sighting without one."""
        if f.evidence:
            return self.evidence(f.evidence[0])
        region = {"startLine": max(f.first_seen.line, 1)}
        return physical_location(self.artifact(f.first_seen.source), region)
