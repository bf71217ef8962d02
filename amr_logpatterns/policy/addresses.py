"""Masking addresses and host names (``--redact=all``), numbered so two hosts stay apart.

In-cluster service names and public project domains stay readable: they
have the same shape in every cluster, identify nobody, and are what the
advice refers to.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from amr_logpatterns.policy.secret_patterns import WORD_START

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

_TLDS = (
    "com|net|org|io|dev|app|cloud|ai|co|us|uk|de|fr|nl|eu|ca|au|jp|in|ch|se|no|es|it|be|at|dk"
    "|fi|ie|nz|sg|br|mx|za|kr|cn|ru|gov|edu|mil|int|biz|xyz|tech|online|site|arpa"
    "|local|internal|lan|corp|home|intranet|localdomain|example|localhost|svc"
)
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_FQDN = re.compile(
    rf"(?i){WORD_START}(?P<host>(?:{_LABEL}\.)+(?:{_TLDS}))(?![A-Za-z0-9_-]|\.[A-Za-z0-9])"
)
_URL_HOST = re.compile(
    r"(?P<prefix>\b[A-Za-z][A-Za-z0-9+.-]*://(?:[^\s/@\"'\\<>]*@)?)"
    r"(?P<host>[^\s/:?#\"'\\<>\[\]@]+)"
)
_IPV6 = re.compile(
    r"(?:(?<![A-Za-z0-9_:.\\])|(?<=\\[nrt]))(?=[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]{2,45}(?![A-Za-z0-9_:])"
)
_IPV4 = re.compile(rf"{WORD_START}(?:\d{{1,3}}\.){{3}}\d{{1,3}}(?![A-Za-z0-9_]|\.\d)")
_AWS_NODE = re.compile(rf"(?i){WORD_START}ip(?:-\d{{1,3}}){{4}}(?![A-Za-z0-9_-])")
_HOST_SHAPE = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+\.?")


class AddressMasker:
    """Replaces addresses with ``<ip-N>`` and host names with ``<host-N>``, one number per value."""

    def __init__(self, keep_hosts: Iterable[str] = DEFAULT_KEEP_HOSTS) -> None:
        self.keep_hosts = tuple(h.lower().strip(".") for h in keep_hosts)
        self._numbers: dict[str, dict[str, int]] = {"ip": {}, "host": {}}

    def mask(self, s: str) -> str:
        """``s`` with every address and host name not kept replaced by its placeholder."""
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


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
