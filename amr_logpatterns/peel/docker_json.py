"""Docker's json-file log driver and Fluent Bit: ``{"log": "...", "stream": ..., "time": ...}``.

The record escapes the line it carries, which hides its shape from stage 1:
each such record is read in full, with the two lines before it (it may carry a
stack frame of the record before them).
"""

from __future__ import annotations

import json
import re

from amr_logpatterns.models.stage1 import Pattern
from amr_logpatterns.peel.metadata import known_context
from amr_logpatterns.peel.rules import Peeling, Wrapper

DOCKER_JSON = re.compile(r'^\{\s*"(?:log|stream|time|date|kubernetes)"\s*:')
_DECODER = json.JSONDecoder()


def unwrap_docker_json(text: str, context: dict[str, str]) -> tuple[str, str] | None:
    """The line a Docker or Fluent Bit record carries and its ``F``/``P`` flag, or None."""
    try:
        obj, end = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):  # deeply nested JSON is not a Docker record
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("log"), str) or text[end:].strip():
        return None
    if "msg" in obj or "level" in obj or "message" in obj:
        return None
    kubernetes = obj.get("kubernetes")
    if isinstance(kubernetes, dict):
        context.update(known_context(kubernetes))
    if isinstance(obj.get("time"), str):
        context["capture_ts"] = obj["time"]
    log: str = obj["log"]
    partial = "stream" in obj and not log.endswith("\n")
    return log.rstrip("\r\n"), "P" if partial else "F"


def _envelope(text: str) -> str:
    """The record without its log text: what was peeled around the line."""
    obj, _ = _DECODER.raw_decode(text)
    return json.dumps({**obj, "log": "…"}, ensure_ascii=False)


def peel_docker_json(text: str, peeling: Peeling) -> str | None:
    """The line the record carries; its pod, namespace, container and time become context."""
    if peeling.cri_flag or not DOCKER_JSON.match(text):
        return None
    found: dict[str, str] = {}
    unwrapped = unwrap_docker_json(text, found)
    if unwrapped is None:
        return None
    peeling.context.update(found)
    peeling.note("docker-json", lambda: _envelope(text), found)
    line, peeling.cri_flag = unwrapped
    return line


WRAPPER = Wrapper(
    name="docker-json",
    title="Docker json-file / Fluent Bit envelope",
    peel=peel_docker_json,
    stage1=(Pattern(rb'"log"[^\S\n]*:', frame=True),),
)
