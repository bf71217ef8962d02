"""Commands pasted with their output (``$ kubectl -n metadata-store logs deploy/amr-persister``).

The command says whose lines follow (its namespace, pod or deployment,
container), and whether they are a log (``logs``, ``stern``) or something else
(``get``, ``describe``).
"""

from __future__ import annotations

import re

from amr_logpatterns.models.stage1 import literal_pattern
from amr_logpatterns.peel.rules import Marker
from amr_logpatterns.peel.state import PasteState

COMMAND = re.compile(
    r"^(?:[\w.@:~/\-\[\] ]{0,60}[$#%]\s+)?(?:sudo\s+)?"
    r"(?P<tool>kubectl|oc|kctrl|tanzu|stern)\s+(?P<args>\S.*)$"
)

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


def _command_read(m: re.Match[str], state: PasteState) -> None:
    state.session, verb = read_command(m["args"])
    state.describe = {}
    state.capturing = m["tool"] == "stern" or verb in ("logs", "log")


MARKER = Marker(
    name="command",
    title="a pasted command line",
    match=COMMAND.match,
    apply=_command_read,
    # ``oc`` only after a line start, a space, a tab or a quote marker
    stage1=tuple(
        literal_pattern(t)
        for t in (
            *(b"kubectl", b"kctrl", b"tanzu", b"stern"),
            *(b" oc ", b" oc\t", b"\noc ", b"\noc\t", b">oc ", b">oc\t", b"\toc ", b"\toc\t"),
        )
    ),
    hint=rb"kubectl|kctrl|tanzu|stern|(?:^|[\s$#%>])oc\s",
)
