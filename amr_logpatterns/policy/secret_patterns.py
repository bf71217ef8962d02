"""What a secret looks like in a log line: the patterns and tests a ``Redactor`` masks by.

Credentials come in known shapes (PEM blocks, JWTs, vendor tokens,
``user:password@`` in URLs) or after a secret-named key in one of the ways
logs write keys (``key=value``, ``key: value``, JSON, Go maps, command-line
flags, HTTP headers). Keeping them apart from the masking keeps each pattern
readable and testable on its own.
"""

from __future__ import annotations

import re

PEM = re.compile(
    r"-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY)-----"
    r"(?P<body>.*?)(?P<end>-----END (?P=kind)-----|\Z)",
    re.DOTALL,
)
#: JWTs (``eyJ…``.``eyJ…``.sig) and any other base64url-encoded JSON object, such
#: as a Docker config (``eyJhdXRocyI6…`` is ``{"auths":``).
B64_JSON = re.compile(r"(?<![A-Za-z0-9_+/=-])eyJ[A-Za-z0-9_+/=-]{8,}(?:\.[A-Za-z0-9_+/=-]*){0,2}")
TOKEN_SHAPES = re.compile(
    r"(?<![A-Za-z0-9_])(?:"
    r"gh[pousr]_[A-Za-z0-9]{30,}"
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|glpat-[A-Za-z0-9_-]{20,}"
    r"|(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"
    r")(?![A-Za-z0-9_])"
)
URL_CREDENTIALS = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^\s:/@\"'\\<>]+):(?P<password>[^\s/@\"'\\<>]+)@"
)
SCHEME_TOKEN = re.compile(
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
WORD_START = r"(?:(?<![A-Za-z0-9_.\\-])|(?<=\\[nrt]))"
_VALUE = (
    r"(?:\"(?P<v1>(?:[^\"\\\n]|\\.)*)\""
    r"|\\\"(?P<v2>(?:[^\\\n]|\\(?!\"))*)\\\""
    r"|'(?P<v3>[^'\n]*)'"
    r"|(?P<v5><[A-Za-z0-9*-]+>)"
    r"|(?P<v4>[^\s,;&\"'\\)}\]>{\[]+))"
)
#: ``"password": "x"``, ``\"token\":\"x\"``, ``'secret': 'x'`` (any key, headers too).
QUOTED_KEY = re.compile(
    rf"(?i)(?P<q>\\?[\"'])(?P<key>{_KEY}|{_HEADER_KEY})(?P=q)[ \t]*[:=][ \t]*{_VALUE}"
)
#: ``password=x``, ``password = x``, ``?access_token=x&``, ``password:x`` (Go maps).
BARE_KEY = re.compile(
    rf"(?i){WORD_START}(?P<key>{_KEY})(?:[ \t]*=(?!=)[ \t]*|:(?P<bracket>\[?)){_VALUE}"
)
#: Command-line flags in pasted commands: ``--password x``, ``--docker-password=x``.
FLAG = re.compile(rf"(?i)(?<![A-Za-z0-9_.-])--?(?P<key>{_KEY})(?:[ \t]+|=){_VALUE}")
#: ``docker login -u me -p x`` (and podman, helm registry, crane, imgpkg): ``-p`` is the
#: password only after ``login``.
LOGIN_PASSWORD = re.compile(rf"(?i)\blogin\b[^\n]*?[ \t](?P<key>-p)[ \t]+{_VALUE}")
#: ``password: x`` as YAML has it: first on its line, or after ``{``, ``,``, ``;``, ``(``, ``[``.
YAML_KEY = re.compile(
    rf"(?im)(?P<lead>^[ \t]*(?:-[ \t]+)?|(?<=[{{,;(\[|])[ \t]*|(?<=\\n)[ \t]*(?:-[ \t]+)?)"
    rf"(?P<key>{_KEY}):[ \t]+{_VALUE}"
)
#: ``Authorization: Bearer x``, ``Cookie: a=b; c=d``, ``Authorization:[Bearer x]``.
HEADER = re.compile(
    rf"(?i){WORD_START}(?P<key>{_HEADER_KEY})[ \t]*[:=][ \t]*"
    r"(?:\[(?P<v1>[^\]\n]*)\]|(?P<v2>[^\n\"\\]*[^\s\"\\]))"
)
#: Long random-looking base64 runs: API keys, and key material on lines of its own.
B64_RUN = re.compile(
    r"(?:(?<![A-Za-z0-9+/=_\\-])|(?<=\\[nrt]))[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=_-])"
)
SCHEME_WORD = re.compile(r"(?P<scheme>[A-Za-z][\w-]*)[ \t]+(?P<rest>\S.*)", re.DOTALL)
NOT_SECRET = re.compile(r"(?i)\*+|<[a-z0-9*-]+>|null|none|nil|true|false|\s*")


#: Words a text holds before a keyed pattern can match it: a cheap test first.
KEY_HINTS = (
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


def is_secret_key(key: str) -> bool:
    """Whether a field of that name holds a secret (``password``, ``X-Auth-Token``, ``Cookie``)."""
    return _SECRET_KEY.fullmatch(key) is not None


def opaque(value: str, minimum: int) -> bool:
    """Whether a word after ``Bearer``/``token`` looks like a credential, not prose."""
    if len(value) < minimum:
        return False
    tail = value[1:]
    return (
        any(c.isdigit() for c in value)
        or (any(c.isupper() for c in tail) and any(c.islower() for c in tail))
        or any(c in "._~+/=" for c in value)
    )


def prose_secret(value: str) -> bool:
    """Whether a word after ``token``/``password`` in prose is a credential, not a name."""
    return len(value) >= 16 and (
        random_looking(value) or re.fullmatch(r"[0-9a-fA-F]{32,}", value) is not None
    )


def random_looking(run: str) -> bool:
    """A base64 run with upper and lower case and digits that is not a path."""
    return (
        any(c.isupper() for c in run)
        and any(c.islower() for c in run)
        and any(c.isdigit() for c in run)
        and run.count("/") * 10 <= len(run)
    )
