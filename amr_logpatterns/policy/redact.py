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

import ipaddress
import re
from collections.abc import Iterable
from typing import Literal, TypeVar

from pydantic import BaseModel

from amr_logpatterns.models.results import Match, Report

Level = Literal["secrets", "all"]
LEVELS: tuple[Level, ...] = ("secrets", "all")

#: What a secret is replaced with.
MASK = "***"

#: Host names (and their subdomains) that ``all`` keeps readable: in-cluster
#: service names and public names that identify no installation.
DEFAULT_KEEP_HOSTS: tuple[str, ...] = (
    "svc",
    "svc.cluster.local",
    "cluster.local",
    "k8s.io",
    "x-k8s.io",
    "kubernetes.io",
    "vmware.com",
    "broadcom.com",
    "github.com",
    "golang.org",
    "go.dev",
    "docker.io",
    "docker.com",
    "gcr.io",
    "ghcr.io",
    "quay.io",
    "knative.dev",
    "tekton.dev",
    "carvel.dev",
    "k14s.io",
    "cert-manager.io",
    "projectcontour.io",
    "servicebinding.io",
    "spring.io",
    "istio.io",
)

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

# --- secrets -----------------------------------------------------------------

_PEM = re.compile(
    r"-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY)-----"
    r"(?P<body>.*?)(?P<end>-----END (?P=kind)-----|\Z)",
    re.DOTALL,
)
#: JWTs (``eyJ…``.``eyJ…``.sig) and any other base64url-encoded JSON object, such
#: as a Docker config (``eyJhdXRocyI6…`` is ``{"auths":``).
_B64_JSON = re.compile(r"(?<![A-Za-z0-9_+/=-])eyJ[A-Za-z0-9_+/=-]{8,}(?:\.[A-Za-z0-9_+/=-]*){0,2}")
_TOKEN_SHAPES = re.compile(
    r"(?<![A-Za-z0-9_])(?:"
    r"gh[pousr]_[A-Za-z0-9]{30,}"
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|glpat-[A-Za-z0-9_-]{20,}"
    r"|(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"
    r")(?![A-Za-z0-9_])"
)
_URL_CREDENTIALS = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^\s:/@\"'\\<>]+):(?P<password>[^\s/@\"'\\<>]+)@"
)
_SCHEME_TOKEN = re.compile(
    r"(?i)(?<![A-Za-z0-9_-])(?P<scheme>bearer|basic|token|password|passwd|secret|api[_ -]?key)"
    r"(?P<space>[ \t]+)(?P<value>[A-Za-z0-9._~+/-]+=*)(?![A-Za-z0-9._~+/=\"'-])"
)

#: Key names whose value is a secret, matched at the end of the key
#: (``client_secret``, ``X-Auth-Token``, ``aws_secret_access_key``).
_KEY_WORDS = (
    r"password|passwd|passphrase|pwd|token|secret|api[_-]?key|access[_-]?key|secret[_-]?key"
    r"|private[_-]?key|credentials?"
)
_KEY = rf"(?:[A-Za-z0-9_.-]*?(?:{_KEY_WORDS})|auth|\.?dockerconfigjson)"
_HEADER_KEY = r"(?:proxy-)?authorization|(?:set-)?cookie"
#: Where a word starts: after a non-word character, or after an escaped ``\n``/``\t``
#: in JSON-encoded text (whose ``n`` would otherwise look like part of the word).
_START = r"(?:(?<![A-Za-z0-9_.\\-])|(?<=\\[nrt]))"
_VALUE = (
    r"(?:\"(?P<v1>(?:[^\"\\\n]|\\.)*)\""
    r"|\\\"(?P<v2>(?:[^\\\n]|\\(?!\"))*)\\\""
    r"|'(?P<v3>[^'\n]*)'"
    r"|(?P<v5><[A-Za-z0-9*-]+>)"
    r"|(?P<v4>[^\s,;&\"'\\)}\]>{\[]+))"
)
#: ``"password": "x"``, ``\"token\":\"x\"``, ``'secret': 'x'`` (any key, headers too).
_QUOTED_KEY = re.compile(
    rf"(?i)(?P<q>\\?[\"'])(?P<key>{_KEY}|{_HEADER_KEY})(?P=q)[ \t]*[:=][ \t]*{_VALUE}"
)
#: ``password=x``, ``password = x``, ``?access_token=x&``, ``password:x`` (Go maps).
_BARE_KEY = re.compile(
    rf"(?i){_START}(?P<key>{_KEY})(?:[ \t]*=(?!=)[ \t]*|:(?P<bracket>\[?)){_VALUE}"
)
#: Command-line flags in pasted commands: ``--password x``, ``--docker-password=x``.
_FLAG = re.compile(rf"(?i)(?<![A-Za-z0-9_.-])--?(?P<key>{_KEY})(?:[ \t]+|=){_VALUE}")
#: ``docker login -u me -p x`` (and podman, helm registry, crane, imgpkg): ``-p`` is the
#: password only after ``login``.
_LOGIN_PASSWORD = re.compile(rf"(?i)\blogin\b[^\n]*?[ \t](?P<key>-p)[ \t]+{_VALUE}")
#: ``password: x`` as YAML has it: first on its line, or after ``{``, ``,``, ``;``, ``(``, ``[``.
_YAML_KEY = re.compile(
    rf"(?im)(?P<lead>^[ \t]*(?:-[ \t]+)?|(?<=[{{,;(\[|])[ \t]*|(?<=\\n)[ \t]*(?:-[ \t]+)?)"
    rf"(?P<key>{_KEY}):[ \t]+{_VALUE}"
)
#: ``Authorization: Bearer x``, ``Cookie: a=b; c=d``, ``Authorization:[Bearer x]``.
_HEADER = re.compile(
    rf"(?i){_START}(?P<key>{_HEADER_KEY})[ \t]*[:=][ \t]*"
    r"(?:\[(?P<v1>[^\]\n]*)\]|(?P<v2>[^\n\"\\]*[^\s\"\\]))"
)
#: Long random-looking base64 runs: API keys, and key material on lines of its own.
_B64_RUN = re.compile(
    r"(?:(?<![A-Za-z0-9+/=_\\-])|(?<=\\[nrt]))[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=_-])"
)
_SCHEME_WORD = re.compile(r"(?P<scheme>[A-Za-z][\w-]*)[ \t]+(?P<rest>\S.*)", re.DOTALL)
_NOT_SECRET = re.compile(r"(?i)\*+|<[a-z0-9*-]+>|null|none|nil|true|false|\s*")
#: Values masked by their key are masked everywhere only when they look like
#: credentials: a password ``default`` must not blank out every ``default``.
_MIN_LEARNED = 6

# --- identifying data --------------------------------------------------------

_TLDS = (
    "com|net|org|io|dev|app|cloud|ai|co|us|uk|de|fr|nl|eu|ca|au|jp|in|ch|se|no|es|it|be|at|dk"
    "|fi|ie|nz|sg|br|mx|za|kr|cn|ru|gov|edu|mil|int|biz|xyz|tech|online|site|arpa"
    "|local|internal|lan|corp|home|intranet|localdomain|example|localhost|svc"
)
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_FQDN = re.compile(
    rf"(?i){_START}(?P<host>(?:{_LABEL}\.)+(?:{_TLDS}))(?![A-Za-z0-9_-]|\.[A-Za-z0-9])"
)
_URL_HOST = re.compile(
    r"(?P<prefix>\b[A-Za-z][A-Za-z0-9+.-]*://(?:[^\s/@\"'\\<>]*@)?)"
    r"(?P<host>[^\s/:?#\"'\\<>\[\]@]+)"
)
_IPV6 = re.compile(
    r"(?:(?<![A-Za-z0-9_:.\\])|(?<=\\[nrt]))(?=[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]{2,45}(?![A-Za-z0-9_:])"
)
_IPV4 = re.compile(rf"{_START}(?:\d{{1,3}}\.){{3}}\d{{1,3}}(?![A-Za-z0-9_]|\.\d)")
_AWS_NODE = re.compile(rf"(?i){_START}ip(?:-\d{{1,3}}){{4}}(?![A-Za-z0-9_-])")
_HOST_SHAPE = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+\.?")


def _opaque(value: str, minimum: int) -> bool:
    """Whether a word after ``Bearer``/``token`` looks like a credential, not prose."""
    if len(value) < minimum:
        return False
    tail = value[1:]
    return (
        any(c.isdigit() for c in value)
        or (any(c.isupper() for c in tail) and any(c.islower() for c in tail))
        or any(c in "._~+/=" for c in value)
    )


def _prose_secret(value: str) -> bool:
    """Whether a word after ``token``/``password`` in prose is a credential, not a name."""
    return len(value) >= 16 and (
        _random_looking(value) or re.fullmatch(r"[0-9a-fA-F]{32,}", value) is not None
    )


def _random_looking(run: str) -> bool:
    """A base64 run with upper and lower case and digits that is not a path."""
    return (
        any(c.isupper() for c in run)
        and any(c.islower() for c in run)
        and any(c.isdigit() for c in run)
        and run.count("/") * 10 <= len(run)
    )


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
        self.keep_hosts = tuple(h.lower().strip(".") for h in keep_hosts)
        self._learned: set[str] = set()
        self._learned_re: re.Pattern[str] | None = None
        self._numbers: dict[str, dict[str, int]] = {"ip": {}, "host": {}}
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
            out = self._identifying(out)
        out = self._apply_learned(out)
        if len(self._memo) < 65536:
            self._memo[s] = out
        return out

    def value(self, key: str, value: object) -> object:
        """A field's value redacted knowing its name: a secret-named key masks it whole."""
        if (
            _is_secret_key(key)
            and isinstance(value, str | int | float)
            and not isinstance(value, bool)
        ):
            text = str(value)
            if _NOT_SECRET.fullmatch(text):
                return value
            self._learn(text)
            return MASK
        if isinstance(value, str):
            return self.text(value)
        return value

    # -- secrets ------------------------------------------------------------

    def _secrets(self, s: str) -> str:
        if "PRIVATE KEY-----" in s:
            s = _PEM.sub(self._pem, s)
        if "eyJ" in s:
            s = _B64_JSON.sub(MASK, s)
        s = _TOKEN_SHAPES.sub(MASK, s)
        if "://" in s:
            s = _URL_CREDENTIALS.sub(self._url_credentials, s)
        s = _SCHEME_TOKEN.sub(self._scheme_token, s)
        lowered = s.lower()
        if any(w in lowered for w in ("author", "cookie")):
            s = _HEADER.sub(self._header, s)
        if any(w in lowered for w in _KEY_HINTS):
            s = _QUOTED_KEY.sub(self._keyed, s)
            s = _BARE_KEY.sub(self._keyed, s)
            s = _YAML_KEY.sub(self._keyed, s)
            s = _FLAG.sub(self._keyed, s)
        if "login" in lowered and " -p" in s:
            s = _LOGIN_PASSWORD.sub(self._keyed, s)
        return _B64_RUN.sub(self._b64_run, s)

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
        if not (_opaque(value, 8) if scheme in ("bearer", "basic") else _prose_secret(value)):
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
        if _NOT_SECRET.fullmatch(value):
            return value
        if key.lower().endswith("authorization"):
            scheme = _SCHEME_WORD.fullmatch(value)
            if scheme is not None:
                rest = scheme.group("rest")
                if _NOT_SECRET.fullmatch(rest):
                    return value
                self._learn(rest)
                return f"{scheme.group('scheme')} {MASK}"
        self._learn(value)
        return MASK

    def _b64_run(self, m: re.Match[str]) -> str:
        return MASK if _random_looking(m.group(0)) else m.group(0)

    def _learn(self, value: str) -> None:
        value = value.strip()
        if (
            _opaque(value, _MIN_LEARNED)
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

    # -- identifying data ---------------------------------------------------

    def _identifying(self, s: str) -> str:
        if "://" in s:
            s = _URL_HOST.sub(self._url_host, s)
        if "." in s:
            s = _FQDN.sub(self._fqdn, s)
        if s.count(":") >= 2:
            s = _IPV6.sub(self._ipv6, s)
        if "." in s:
            s = _IPV4.sub(self._ipv4, s)
        if "ip-" in s.lower():
            s = _AWS_NODE.sub(lambda m: self._placeholder("host", m.group(0).lower()), s)
        return s

    def _placeholder(self, kind: str, value: str) -> str:
        numbers = self._numbers[kind]
        number = numbers.setdefault(value, len(numbers) + 1)
        return f"<{kind}-{number}>"

    def _kept(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == k or host.endswith("." + k) for k in self.keep_hosts)

    def _host(self, host: str) -> str:
        if not _HOST_SHAPE.fullmatch(host) or self._kept(host) or _is_ip(host):
            return host
        return self._placeholder("host", host.lower().rstrip("."))

    def _url_host(self, m: re.Match[str]) -> str:
        return m.group("prefix") + self._host(m.group("host"))

    def _fqdn(self, m: re.Match[str]) -> str:
        return self._host(m.group("host"))

    def _ipv6(self, m: re.Match[str]) -> str:
        candidate = m.group(0).rstrip(".")
        try:
            address = ipaddress.IPv6Address(candidate)
        except ValueError:
            return m.group(0)
        if address.is_loopback or address.is_unspecified:
            return m.group(0)
        return self._placeholder("ip", address.compressed) + m.group(0)[len(candidate) :]

    def _ipv4(self, m: re.Match[str]) -> str:
        try:
            address = ipaddress.IPv4Address(m.group(0))
        except ValueError:
            return m.group(0)
        if address.is_loopback or address.is_unspecified:
            return m.group(0)
        return self._placeholder("ip", str(address))


_KEY_HINTS = (
    "pass",
    "pwd",
    "token",
    "secret",
    "key",
    "credential",
    "auth",
    "dockerconfigjson",
)
_SECRET_KEY = re.compile(rf"(?i)(?:{_KEY}|{_HEADER_KEY})")


def _is_secret_key(key: str) -> bool:
    return _SECRET_KEY.fullmatch(key) is not None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


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
