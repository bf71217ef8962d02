"""Masking secrets (and, on request, addresses and host names) before a report leaves the machine.

Logs pasted into a ticket or uploaded as a CI artifact carry whatever the
services printed: bearer tokens, passwords in URLs and JSON, private keys,
cloud credentials. A ``Redactor`` masks them in any string; ``redact_report``,
``redact_match`` and ``redact_model`` pass every printable string of a result
through it, so every formatter prints the masked text.

What stays untouched, so that a redacted report works like the original:
ids, fingerprints (computed from the real values before redaction, so
baselines and ignore entries written against unredacted runs keep matching),
severities, counts, line numbers and timestamps. Source names are text
like any other (a file may be named after a node's address); one redactor
masks a name the same way everywhere, so evidence, stats and the per-source
keys of a finding still agree.

Levels:

``secrets`` (the default)
    Bearer/Basic credentials, ``user:password@`` in URLs, values of
    secret-named keys (``password=``, ``"token": "…"``, ``api_key: …``,
    ``Authorization:``, ``Cookie:``…) in ``key=value``, ``key: value``, JSON and
    Go ``map[…]`` forms, PEM private key blocks, JWTs and other base64-encoded
    JSON (Docker ``auths``), GitHub, GitLab, AWS and Slack tokens, and long
    random-looking base64 runs (the body lines of a key split over records).
    A credential-looking value (6+ characters with a digit, mixed case or a
    symbol) masked because of its key, scheme or URL is also masked wherever
    else it appears in the same report (a field extracted without its key, a
    filled-in explanation).
``all``
    Also IPv4 and IPv6 addresses (``<ip-1>``) and host names (``<host-1>``),
    numbered per ``Redactor`` so a reader can still tell two hosts apart.
    Loopback and unspecified addresses stay, and so do the names in
    ``DEFAULT_KEEP_HOSTS``: Kubernetes in-cluster service names (``*.svc``,
    ``*.svc.cluster.local``), which have the same shape in every cluster and
    are what the advice refers to, and public names (``k8s.io``, ``vmware.com``,
    ``github.com``…) that identify nobody. Anything else with a dot in a URL,
    or ending in a common top-level domain (``.com``, ``.internal``,
    ``.local``…), is masked.

Masks are stable: redacting redacted text changes nothing, and one
``Redactor`` gives one value the same placeholder everywhere it is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

from pydantic import BaseModel

from amr_logpatterns.models.results import Match, Report
from amr_logpatterns.policy.addresses import DEFAULT_KEEP_HOSTS, AddressMasker
from amr_logpatterns.policy.levels import LEVELS, Level
from amr_logpatterns.policy.secret_patterns import (
    B64_JSON,
    B64_RUN,
    BARE_KEY,
    FLAG,
    HEADER,
    KEY_HINTS,
    LOGIN_PASSWORD,
    NOT_SECRET,
    PEM,
    QUOTED_KEY,
    SCHEME_TOKEN,
    SCHEME_WORD,
    TOKEN_SHAPES,
    URL_CREDENTIALS,
    YAML_KEY,
    is_secret_key,
    opaque,
    prose_secret,
    random_looking,
)

#: What a secret is replaced with.
MASK = "***"

#: Model fields that hold no log text (ids, fingerprints, signature titles, enums):
#: never passed through the redactor, so the report stays linkable and gates alike.
KEEP_FIELDS = frozenset(
    {
        "id",
        "ids",
        "fingerprint",
        "signal",
        "signature_id",
        "finding_ids",
        "symptom_ids",
        "explained_by",
        "verify",
        "verify_titles",
        "references",
        "checked",
        "failing",
        "error_signature_sets",
        "title",
        "severity",
        "max_severity",
        "min_severity",
        "fail_on",
        "level",
        "component",
        "category",
        "confidence",
        "status",
        "state",
        "previous",
        "outcome",
        "ordered_by",
        "kind",
        "recovered_by",
        "format",
        "format_description",
        "encoding",
        "ts",
        "time",
        "tap",
        "version",
        "origin",
        "pattern",
        "path",
        "keywords",
        "keywords_present",
        "declared",
    }
)

#: Values masked by their key are masked everywhere only when they look like
#: credentials: a password ``default`` must not blank out every ``default``.
_MIN_LEARNED = 6


class Redactor:
    """Masks secrets (and with ``level="all"`` addresses and host names) in text.

    One instance per report or stream: it numbers hosts and addresses, and
    remembers values masked because of their key, so the same value gets the
    same mask in every string it redacts.
    """

    def __init__(
        self, level: Level = "secrets", *, keep_hosts: Iterable[str] = DEFAULT_KEEP_HOSTS
    ) -> None:
        if level not in LEVELS:
            raise ValueError(f"redaction level must be one of {', '.join(LEVELS)}, not {level!r}")
        self.level: Level = level
        self._addresses = AddressMasker(keep_hosts)
        self._learned: set[str] = set()
        self._learned_re: re.Pattern[str] | None = None
        self._memo: dict[str, str] = {}

    # -- public API ---------------------------------------------------------

    def text(self, s: str) -> str:
        """``s`` with every secret (and at level ``all``, address and host) masked."""
        if not s:
            return s
        done = self._memo.get(s)
        if done is not None:
            return done
        out = self._secrets(s)
        if self.level == "all":
            out = self._addresses.mask(out)
        out = self._apply_learned(out)
        if len(self._memo) < 65536:
            self._memo[s] = out
        return out

    def value(self, key: str, value: object) -> object:
        """A field's value redacted knowing its name: a secret-named key masks it whole."""
        if (
            is_secret_key(key)
            and isinstance(value, str | int | float)
            and not isinstance(value, bool)
        ):
            text = str(value)
            if NOT_SECRET.fullmatch(text):
                return value
            self._learn(text)
            return MASK
        if isinstance(value, str):
            return self.text(value)
        return value

    # -- secrets ------------------------------------------------------------

    def _secrets(self, s: str) -> str:
        if "PRIVATE KEY-----" in s:
            s = PEM.sub(self._pem, s)
        if "eyJ" in s:
            s = B64_JSON.sub(MASK, s)
        s = TOKEN_SHAPES.sub(MASK, s)
        if "://" in s:
            s = URL_CREDENTIALS.sub(self._url_credentials, s)
        s = SCHEME_TOKEN.sub(self._scheme_token, s)
        lowered = s.lower()
        if any(w in lowered for w in ("author", "cookie")):
            s = HEADER.sub(self._header, s)
        if any(w in lowered for w in KEY_HINTS):
            s = QUOTED_KEY.sub(self._keyed, s)
            s = BARE_KEY.sub(self._keyed, s)
            s = YAML_KEY.sub(self._keyed, s)
            s = FLAG.sub(self._keyed, s)
        if "login" in lowered and " -p" in s:
            s = LOGIN_PASSWORD.sub(self._keyed, s)
        return B64_RUN.sub(self._b64_run, s)

    @staticmethod
    def _pem(m: re.Match[str]) -> str:
        kind = m.group("kind")
        end = f"-----END {kind}-----" if m.group("end") else ""
        return f"-----BEGIN {kind}-----{MASK}{end}"

    def _url_credentials(self, m: re.Match[str]) -> str:
        self._learn(m.group("password"))
        return f"{m.group('scheme')}{MASK}:{MASK}@"

    def _scheme_token(self, m: re.Match[str]) -> str:
        value = m.group("value")
        scheme = m.group("scheme").lower()
        if not (opaque(value, 8) if scheme in ("bearer", "basic") else prose_secret(value)):
            return m.group(0)
        self._learn(value)
        return f"{m.group('scheme')}{m.group('space')}{MASK}"

    def _header(self, m: re.Match[str]) -> str:
        name = "v1" if m.group("v1") is not None else "v2"
        return _splice(m, name, self._mask_value(m.group("key"), m.group(name)))

    def _keyed(self, m: re.Match[str]) -> str:
        name = next(n for n in ("v1", "v2", "v3", "v4", "v5") if m.group(n) is not None)
        return _splice(m, name, self._mask_value(m.group("key"), m.group(name)))

    def _mask_value(self, key: str, value: str) -> str:
        """A secret value's mask; an ``Authorization`` keeps its scheme (``Bearer ***``)."""
        if NOT_SECRET.fullmatch(value):
            return value
        if key.lower().endswith("authorization"):
            scheme = SCHEME_WORD.fullmatch(value)
            if scheme is not None:
                rest = scheme.group("rest")
                if NOT_SECRET.fullmatch(rest):
                    return value
                self._learn(rest)
                return f"{scheme.group('scheme')} {MASK}"
        self._learn(value)
        return MASK

    def _b64_run(self, m: re.Match[str]) -> str:
        return MASK if random_looking(m.group(0)) else m.group(0)

    def _learn(self, value: str) -> None:
        value = value.strip()
        if (
            opaque(value, _MIN_LEARNED)
            and MASK not in value
            and "\n" not in value
            and value not in self._learned
        ):
            self._learned.add(value)
            self._learned_re = None
            self._memo.clear()

    def _apply_learned(self, s: str) -> str:
        if not self._learned:
            return s
        if self._learned_re is None:
            alternatives = "|".join(
                re.escape(v) for v in sorted(self._learned, key=lambda v: (-len(v), v))
            )
            self._learned_re = re.compile(
                rf"(?:(?<![A-Za-z0-9\\])|(?<=\\[nrt]))(?:{alternatives})(?![A-Za-z0-9])"
            )
        return self._learned_re.sub(MASK, s)


def _splice(m: re.Match[str], group: str, replacement: str) -> str:
    """The match's text with one group replaced."""
    start, end = m.start(group) - m.start(), m.end(group) - m.start()
    whole = m.group(0)
    return whole[:start] + replacement + whole[end:]


# --- walking results ---------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def _walk(obj: object, redactor: Redactor, key: str | None = None) -> object:
    """``obj`` with every string redacted; ``key`` is the dict key it is the value of."""
    if isinstance(obj, BaseModel):
        updates: dict[str, object] = {}
        for name in type(obj).model_fields:
            if name in KEEP_FIELDS:
                continue
            value = getattr(obj, name)
            new = _walk(value, redactor)
            if new is not value:
                updates[name] = new
        return obj.model_copy(update=updates) if updates else obj
    if isinstance(obj, str):
        return redactor.text(obj) if key is None else redactor.value(key, obj)
    if isinstance(obj, dict):
        return {
            (redactor.text(k) if isinstance(k, str) else k): _walk(
                v, redactor, k if isinstance(k, str) else None
            )
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [_walk(v, redactor) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_walk(v, redactor) for v in obj)
    if key is not None:
        return redactor.value(key, obj)
    return obj


def redact_model(model: M, redactor: Redactor) -> M:
    """A copy of any result model (``LineExplanation``, ``Timeline``…) with its text redacted.

    Walks the model twice: the first pass learns the values masked because of
    their key, so the second masks them in strings read before them too.
    Fields named in ``KEEP_FIELDS`` (ids, fingerprints, titles) are left alone.
    """
    _walk(model, redactor)
    result = _walk(model, redactor)
    assert isinstance(result, type(model))
    return result


def redact_report(report: Report, redactor: Redactor) -> Report:
    """The report with every string a formatter prints redacted.

    Ids, fingerprints (so baselines and ignore entries keep matching), counts,
    line numbers and timestamps stay as they were.
    """
    return redact_model(report, redactor)


def redact_match(match: Match, redactor: Redactor) -> Match:
    """One streamed match (``jsonl``) with its text and field values redacted."""
    return redact_model(match, redactor)


def redactor_for(level: bool | Level | None) -> Redactor | None:
    """The redactor an API or CLI option asks for: ``True`` is ``secrets``; falsy is none."""
    if level is None or level is False:
        return None
    return Redactor("secrets" if level is True else level)
