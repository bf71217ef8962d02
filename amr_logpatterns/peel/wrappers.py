"""Peel what capture tools and pastes add around a log line.

Handles kubectl ``--prefix`` and ``--timestamps``, CRI/containerd node logs
(joining ``P`` partial entries), stern-style ``POD CONTAINER`` prefixes (and
any short prefix of names before a recognisable record or a stack-frame or
CloudEvent line), ANSI colour, e-mail
quote markers, indentation, Markdown fences, ``$ kubectl ...`` command lines,
``...`` elisions and ``tail`` headers. The pod, container and namespace that a
wrapper or a pasted command names become the line's context, for attribution.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from amr_logpatterns.models.records import NO_FLAWS, Flaws, Line
from amr_logpatterns.models.shapes import (
    KLOG_HEADER,
    RFC3339,
    STRUCTURED_START,
    ZAP_CONSOLE_START,
    ZAP_LEVEL,
    is_continuation_shape,
)

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_BARE_SGR = re.compile(r"\[[0-9;]{0,12}m")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_FENCE = re.compile(r"^(?:```|~~~)[\w+-]*\s*$")
_ELISION = re.compile(r"^(?:\.{3,}|…|\[\.\.\.\]|<\.\.\.>|\(\.\.\.\)|\[snip\]|<snip>)$", re.I)
_TAIL_HEADER = re.compile(r"^==> (?P<file>.+) <==$")
_COMMAND = re.compile(
    r"^(?:[\w.@:~/\-\[\] ]{0,60}[$#%]\s+)?(?:sudo\s+)?"
    r"(?P<tool>kubectl|oc|kctrl|tanzu|stern)\s+(?P<args>\S.*)$"
)
_CRI = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\dT\S+)\s(?P<stream>stdout|stderr)\s(?P<flag>[FP])(?:\s|$)"
)
_KUBECTL_PREFIX = re.compile(r"^\[pod/(?P<pod>[^/\]\s]+)/(?P<container>[^\]\s]+)\]\s?")
_CAPTURE_TS = re.compile(
    r"^(?P<ts>" + RFC3339 + r")[ \t](?=\S|\t)(?!\t*" + ZAP_LEVEL + r"(?:[\t ]|$))"
)
_LABEL_PAIR = r'[A-Za-z_][\w.]*\s*=\s*"(?:[^"\\]|\\.)*"'
_LABEL_SET = re.compile(
    r"^\{(?P<labels>\s*" + _LABEL_PAIR + r"(?:\s*,\s*" + _LABEL_PAIR + r")*\s*)\}[ \t]+"
)
_LABEL = re.compile(r'(?P<key>[A-Za-z_][\w.]*)\s*=\s*"(?P<value>(?:[^"\\]|\\.)*)"')
_DOCKER_JSON = re.compile(r'^\{\s*"(?:log|stream|time|date|kubernetes)"\s*:')
#: The systemd journal's short formats (``journalctl``, ``-o short-iso``, ``-o short-precise``)
#: and syslog files: time, host, the program and its pid, then the line it wrote.
_JOURNAL = re.compile(
    r"^(?P<ts>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?|" + RFC3339 + r") "
    r"(?!" + ZAP_LEVEL + r" )(?P<host>[A-Za-z0-9][\w.\-]*) "
    r"(?P<ident>[A-Za-z_][\w.\-/@]*?)(?:\[\d+\])?: "
)
#: ``dmesg``: seconds since boot, or a date with ``dmesg -T``.
_DMESG = re.compile(
    r"^\[(?:\s*\d+\.\d+|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4})\] ?"
)
_RFC3339_ONLY = re.compile("^" + RFC3339 + "$")
_CONTEXT_KEYS = {
    "namespace": "namespace",
    "namespace_name": "namespace",
    "k8s_namespace_name": "namespace",
    "pod": "workload",
    "pod_name": "workload",
    "k8s_pod_name": "workload",
    "container": "container",
    "container_name": "container",
    "k8s_container_name": "container",
}
_DECODER = json.JSONDecoder()
_PREFIX_TOKENS = re.compile(r"^(?:[\w.\-:/\[\]@]+[ \t]+){1,3}$")
_LEADING_TOKENS = re.compile(r"^(?:[a-z0-9][-a-z0-9.]*[ \t]+){2,3}")
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?$")
_TIMESTAMPISH = re.compile(r"^\d{4}-\d\d-\d\d|^\d\d:\d\d")
_DESCRIBE_NAME = re.compile(r"^Name:\s+(?P<name>\S+)\s*$")
_DESCRIBE_NAMESPACE = re.compile(r"^Namespace:\s+(?P<namespace>\S+)\s*$")

_VALUE_FLAGS = frozenset(
    [
        "-l",
        "--selector",
        "--since",
        "--tail",
        "--since-time",
        "--context",
        "--kubeconfig",
        "-o",
        "--output",
        "--max-log-requests",
        "--cluster",
        "--user",
        "--field-selector",
        "--template",
    ]
)
_RESOURCE_WORDS = frozenset(
    [
        "pod",
        "pods",
        "po",
        "deployment",
        "deployments",
        "deploy",
        "replicaset",
        "replicasets",
        "rs",
        "statefulset",
        "statefulsets",
        "sts",
        "daemonset",
        "daemonsets",
        "ds",
        "job",
        "jobs",
    ]
)


@dataclass
class PasteState:
    """What earlier lines of the same paste told us about the lines that follow."""

    session: dict[str, str] = field(default_factory=dict)
    describe: dict[str, str] = field(default_factory=dict)
    in_fence: bool = False
    #: The lines now are a component's log as the session names it: the source's path
    #: said so, or a pasted ``kubectl logs`` (``stern``) command or ``tail`` header did
    capturing: bool = False
    #: A partial CRI entry waiting for its continuation: its first piece of text, and
    #: the later pieces (joined once, when it completes) with their total length
    partial: Line | None = None
    partial_pieces: list[str] = field(default_factory=list)
    partial_length: int = 0

    def take_partial(self) -> tuple[Line | None, list[str], int]:
        """The partial entry held, its later pieces and length; none held afterwards."""
        held = (self.partial, self.partial_pieces, self.partial_length)
        self.partial, self.partial_pieces, self.partial_length = None, [], 0
        return held

    def flush(self) -> Iterator[Line]:
        """Yield a partial CRI entry still waiting for its continuation."""
        held, pieces, _ = self.take_partial()
        if held is not None:
            yield _completed(held, pieces)


def _completed(held: Line, pieces: list[str]) -> Line:
    """A partial entry with its later pieces joined on, as one line."""
    text = "".join([held.text, *pieces])
    return replace(held, text=text, kind="text" if text else "blank")


def strip_ansi(text: str) -> str:
    """Remove ANSI escape sequences, and the bare ``[0m`` remnants a copy leaves."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "[0m" in text:
        text = _BARE_SGR.sub("", text)
    return text


def command_context(args: str) -> dict[str, str]:
    """Read the namespace, workload and container a pasted kubectl command names."""
    return read_command(args)[0]


def read_command(args: str) -> tuple[dict[str, str], str]:
    """The context a pasted kubectl command names, and its verb (``logs``, ``get``...)."""
    args = re.split(r"\s(?:\||\|\||&&|;|>|>>|2>&1)(?:\s|$)", f" {args} ", maxsplit=1)[0]
    tokens = [t.strip("'\"") for t in args.split()]
    context: dict[str, str] = {}
    positionals: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("-n", "--namespace") and i + 1 < len(tokens):
            context["namespace"] = tokens[i + 1]
            i += 2
            continue
        if token.startswith("--namespace="):
            context["namespace"] = token.split("=", 1)[1]
        elif token.startswith("-n") and len(token) > 2 and not token.startswith("--"):
            context["namespace"] = token[2:]
        elif token in ("-c", "--container") and i + 1 < len(tokens):
            context["container"] = tokens[i + 1]
            i += 2
            continue
        elif token.startswith("--container="):
            context["container"] = token.split("=", 1)[1]
        elif token in _VALUE_FLAGS:
            i += 2
            continue
        elif not token.startswith("-"):
            positionals.append(token)
        i += 1
    if len(positionals) >= 2 and positionals[0] in ("logs", "describe", "log", "get"):
        rest = [p for p in positionals[1:] if p.lower() not in _RESOURCE_WORDS]
        if rest and positionals[0] != "get":
            name = rest[0].rsplit("/", 1)[-1].strip("<>").rstrip(".")
            if name:
                context["workload"] = name
    return context, positionals[0] if positionals else ""


#: Kubernetes names: a namespace or container is a DNS label, a pod a DNS subdomain.
_LABEL_NAME = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?"
_POD_NAME = r"[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?"
#: Where a path segment starts; ``:`` ends an archive's name in ``bundle.tgz:member``.
_SEGMENT = r"(?:^|[/:])"
_CONTAINER_LOG = re.compile(
    _SEGMENT + r"(?P<pod>[a-z0-9][-a-z0-9.]*)_(?P<namespace>[a-z0-9][-a-z0-9]*)_"
    r"(?P<container>[a-z0-9][-a-z0-9]*)-[0-9a-f]{64}\.log(?:\.gz)?$"
)
#: The kubelet's own files, rotated ones too (``0.log.20240301-101010``, ``.gz``).
_POD_LOG = re.compile(
    _SEGMENT + r"(?P<namespace>[a-z0-9][-a-z0-9]*)_(?P<pod>[a-z0-9][-a-z0-9.]*)_[0-9a-f-]{36}/"
    r"(?P<container>[a-z0-9][-a-z0-9]*)/\d+\.log(?:\.\d{8}-\d{6})?(?:\.gz)?$"
)
#: ``oc adm must-gather`` / ``oc adm inspect``: the container's name appears twice.
_MUST_GATHER_LOG = re.compile(
    _SEGMENT + rf"namespaces/(?P<namespace>{_LABEL_NAME})/pods/(?P<pod>{_POD_NAME})/"
    rf"(?P<container>{_LABEL_NAME})/(?P=container)/logs/"
    r"(?:(?:current|previous)(?:\.insecure)?\.log|rotated/[^/]+)$"
)
#: troubleshoot.sh support bundles (``<container>-previous.log`` for the last restart).
_TROUBLESHOOT_LOG = re.compile(
    _SEGMENT + rf"cluster-resources/pods/logs/(?P<namespace>{_LABEL_NAME})/(?P<pod>{_POD_NAME})/"
    rf"(?P<container>{_LABEL_NAME})\.log$"
)
#: ``kubectl cluster-info dump --output-directory``: every container of a pod in one file.
_CLUSTER_DUMP_LOG = re.compile(
    _SEGMENT + rf"(?P<namespace>{_LABEL_NAME})/(?P<pod>{_POD_NAME})/logs\.txt$"
)
#: ``<namespace>/<pod>/<container>.log`` trees (Harvester's ``logs/<ns>/<pod>/<c>.log``).
_TREE_LOG = re.compile(
    _SEGMENT + rf"(?P<namespace>{_LABEL_NAME})/(?P<pod>{_POD_NAME})/"
    rf"(?P<container>{_LABEL_NAME})\.log(?:\.gz)?$"
)
#: The random suffix of a generated name (vowel-free, so words rarely match) or a
#: StatefulSet ordinal: how a pod segment is told from an arbitrary directory.
_GENERATED_POD = re.compile(r"-(?:[bcdfghjklmnpqrstvwxz2456789]{5}|\d{1,5})$")
#: Directory names of ad-hoc collections that sit where a namespace would.
_NOT_NAMESPACES = frozenset(("logs", "log", "pods", "pod", "containers", "output", "out", "tmp"))
_PREVIOUS = "-previous"


def _without_previous(container: str) -> str:
    """``manager-previous`` (the log before the last restart) belongs to ``manager``."""
    return container[: -len(_PREVIOUS)] if container.endswith(_PREVIOUS) else container


def path_context(path: str) -> dict[str, str]:
    """The pod, namespace and container that a collected log's path names.

    Node logs (``/var/log/pods``, ``/var/log/containers``), must-gather,
    troubleshoot.sh bundles and ``kubectl cluster-info dump`` have fixed layouts.
    A generic ``<namespace>/<pod>/<container>.log`` tree counts only when the pod
    segment looks generated, so that an arbitrary ``ci/run/observer.log`` is not
    taken for a pod: a wrong namespace would attribute AMR's own lines away.
    """
    path = path.replace("\\", "/")
    m = (
        _CONTAINER_LOG.search(path)
        or _POD_LOG.search(path)
        or _MUST_GATHER_LOG.search(path)
        or _TROUBLESHOOT_LOG.search(path)
    )
    if m is not None:
        container = _without_previous(m["container"])
        return {"workload": m["pod"], "namespace": m["namespace"], "container": container}
    m = _CLUSTER_DUMP_LOG.search(path)
    if m is not None and _GENERATED_POD.search(m["pod"]):
        return {"workload": m["pod"], "namespace": m["namespace"]}
    m = _TREE_LOG.search(path)
    if m is None or not _GENERATED_POD.search(m["pod"]):
        return {}
    context = {"workload": m["pod"], "container": _without_previous(m["container"])}
    if m["namespace"] not in _NOT_NAMESPACES:
        context["namespace"] = m["namespace"]
    return context


def journal_context(m: re.Match[str]) -> dict[str, str]:
    """The node and program a journal or syslog prefix names (its time, when it has a year)."""
    context = {"node": m["host"], "ident": m["ident"]}
    if _RFC3339_ONLY.match(m["ts"]):
        context["capture_ts"] = m["ts"]
    return context


def _prefix_context(prefix: str) -> dict[str, str]:
    """Read pod and container names from a stern-like prefix of names."""
    names = [t for t in prefix.split() if _DNS_LABEL.match(t) and not _TIMESTAMPISH.match(t)]
    if len(names) >= 3:
        return {"namespace": names[-3], "workload": names[-2], "container": names[-1]}
    if len(names) == 2:
        return {"workload": names[0], "container": names[1]}
    if len(names) == 1 and "-" in names[0]:
        return {"workload": names[0]}
    return {}


def _known_context(pairs: Mapping[str, object]) -> dict[str, str]:
    """Pod, namespace and container from a log shipper's labels or Kubernetes metadata."""
    return {
        _CONTEXT_KEYS[k]: v for k, v in pairs.items() if k in _CONTEXT_KEYS and isinstance(v, str)
    }


def _docker_json(text: str, context: dict[str, str]) -> tuple[str, str] | None:
    """Docker's json-file and Fluent Bit records: ``{"log": "...", "stream": ..., "time": ...}``."""
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
        context.update(_known_context(kubernetes))
    if isinstance(obj.get("time"), str):
        context["capture_ts"] = obj["time"]
    log: str = obj["log"]
    partial = "stream" in obj and not log.endswith("\n")
    return log.rstrip("\r\n"), "P" if partial else "F"


def _peel_wrappers(text: str, state: PasteState, context: dict[str, str]) -> tuple[str, str]:
    """Remove stacked wrappers; returns the text and the CRI flag ('' when none)."""
    cri_flag = ""
    for _ in range(6):
        before = text
        m = _CRI.match(text)
        if m and not cri_flag:
            cri_flag = m["flag"]
            context["capture_ts"] = m["ts"]
            text = text[m.end() :]
        if not cri_flag and _DOCKER_JSON.match(text):
            unwrapped = _docker_json(text, context)
            if unwrapped is not None:
                text, cri_flag = unwrapped
        m = _LABEL_SET.match(text)
        if m:
            context.update(
                _known_context({k["key"]: k["value"] for k in _LABEL.finditer(m["labels"])})
            )
            text = text[m.end() :]
        m = _JOURNAL.match(text)
        if m:
            context.update(journal_context(m))
            text = text[m.end() :]
        m = _DMESG.match(text)
        if m:
            context.setdefault("ident", "kernel")
            text = text[m.end() :]
        m = _KUBECTL_PREFIX.match(text)
        if m:
            context["workload"] = m["pod"]
            context["container"] = m["container"]
            text = text[m.end() :]
        m = _CAPTURE_TS.match(text)
        if m:
            context.setdefault("capture_ts", m["ts"])
            text = text[m.end() :]
        text = _peel_unknown_prefix(text, context)
        if text == before:
            break
    return text, cri_flag


def _peel_unknown_prefix(text: str, context: dict[str, str]) -> str:
    """Peel a short prefix of names (stern's ``POD CONTAINER``) before a line we recognise.

    What follows must be a log record, or a stack-frame or CloudEvent line: the
    decision rests on the line alone, never on earlier lines.
    """
    if not text or STRUCTURED_START.match(text):
        return text
    m = STRUCTURED_START.search(text, 1, 400)
    if m is not None:
        prefix = text[: m.start()]
        if not _PREFIX_TOKENS.match(prefix):
            return text
        context.update(_prefix_context(prefix))
        return text[m.start() :]
    tokens = _LEADING_TOKENS.match(text)
    if tokens is None:
        return text
    rest = text[tokens.end() :]
    prefix_context = _prefix_context(text[: tokens.end()])
    if not prefix_context or not is_continuation_shape(rest):
        return text
    context.update(prefix_context)
    return rest


def _paste_marker(number: int, text: str, state: PasteState) -> Line | None:
    """Lines people paste along with logs: fences, commands, elisions, tail headers."""
    if _FENCE.match(text):
        if state.in_fence:
            state.session = {}
            state.describe = {}
            state.capturing = False
        state.in_fence = not state.in_fence
        return Line(number=number, text=text, kind="skipped")
    if _ELISION.match(text):
        return Line(number=number, text=text, kind="skipped")
    m = _COMMAND.match(text)
    if m:
        state.session, verb = read_command(m["args"])
        state.describe = {}
        state.capturing = m["tool"] == "stern" or verb in ("logs", "log")
        return Line(number=number, text=text, kind="skipped")
    m = _TAIL_HEADER.match(text)
    if m:
        state.session = {"file": m["file"], **path_context(m["file"])}
        state.describe = {}
        state.capturing = True
        return Line(number=number, text=text, kind="skipped")
    return None


def _note_describe_header(text: str, state: PasteState) -> None:
    m = _DESCRIBE_NAME.match(text)
    if m:
        state.describe["workload"] = m["name"]
        return
    m = _DESCRIBE_NAMESPACE.match(text)
    if m:
        state.describe["namespace"] = m["namespace"]


#: A line that starts with a JSON, zap console or klog record carries no wrapper and is
#: no pasted marker: it skips the wrapper stage (Go log lines do not: a prompt may
#: precede a command in the same shape).
_RECORD_FIRST = re.compile(
    "(?:"
    + "|".join(
        (r'\{\s*"(?:level|ts|msg|message|severity|L|T|M)"\s*:', ZAP_CONSOLE_START, KLOG_HEADER)
    )
    + ")"
)


def _record_line(number: int, text: str, state: PasteState, flaws: Flaws) -> Line:
    state.describe = {}  # log records follow: any describe output has ended
    context = {**state.session} if state.session else {}
    return Line(number, text, context=context, **flaws._asdict())


def peel(
    number: int,
    text: str,
    state: PasteState,
    *,
    flaws: Flaws = NO_FLAWS,
    max_length: int | None = None,
) -> list[Line]:
    """Turn one decoded physical line into the ``Line`` (or lines) it stands for.

    ``flaws`` are the physical line's; CRI partial entries joined into one line add
    theirs up, and their text stops growing at ``max_length`` (the rest is counted as
    cut), so an endless run of them costs neither quadratic time nor unbounded memory.
    """
    text = strip_ansi(text)
    quoted = _QUOTE.match(text)
    if quoted:
        text = text[quoted.end() :]
    stripped = text.lstrip(" \t")
    indent, text = len(text) - len(stripped), stripped
    if not text.strip():
        return [*state.flush(), Line(number, "", kind="blank", **flaws._asdict())]
    if state.partial is None and _RECORD_FIRST.match(text):
        return [_record_line(number, text.rstrip(), state, flaws)]
    marker = _paste_marker(number, text.rstrip(), state)
    if marker is not None:
        return [*state.flush(), replace(marker, **flaws._asdict())]
    context: dict[str, str] = {}
    unwrapped = text
    text, cri_flag = _peel_wrappers(text, state, context)
    out: list[Line] = []
    end = 0
    held, pieces, length = state.take_partial()
    if held is not None and cri_flag:
        context = {**held.context, **context}
        number, end = held.number, number
        if max_length is not None and length + len(text) > max_length:
            text = text[: max(0, max_length - length)]
            flaws = flaws._replace(truncated_lines=1)
        flaws = held.flaws.plus(flaws)
        pieces.append(text)
        length += len(text)
        if cri_flag == "P":
            state.partial = replace(held, end_number=end, context=context, **flaws._asdict())
            state.partial_pieces, state.partial_length = pieces, length
            return out
        text = "".join([held.text, *pieces])
    else:
        if held is not None:
            out.append(_completed(held, pieces))
        if text != unwrapped:  # a wrapper was peeled: the indentation is what follows it
            stripped = text.lstrip(" \t")
            indent, text = len(text) - len(stripped), stripped
    if cri_flag != "P":
        text = text.rstrip()
    if state.describe and STRUCTURED_START.match(text):
        state.describe = {}  # log records follow: the describe output has ended
    _note_describe_header(text, state)
    line = Line(
        number=number,
        text=text,
        kind="text" if text else "blank",
        context={**state.session, **state.describe, **context}
        if state.session or state.describe
        else context,
        end_number=end,
        indent=indent,
        **flaws._asdict(),
    )
    if cri_flag == "P":
        state.partial, state.partial_length = line, len(text)
        return out
    out.append(line)
    return out
