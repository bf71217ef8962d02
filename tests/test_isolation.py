"""Isolation: the command reads logs and writes reports; it never uses the network or runs a program.

Every way to open a connection, resolve a name or start a process is replaced by a blocker
that records the attempt, then the whole command runs in-process over every shipped example
log in every format, and ``timeline``, ``suggest``, ``explain-line``, ``list`` and ``explain``.
``--jobs 1`` keeps it in one process: with more jobs, worker processes are started by
``multiprocessing`` (a fork of this interpreter, not ``subprocess``), which these blockers
would also refuse.
"""

from __future__ import annotations

import _posixsubprocess
import io
import os
import pty
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT

from amr_logpatterns.cli import main

LOGS = sorted(str(p) for p in (ROOT / "examples" / "logs").iterdir() if p.name != "EXPECTED.yaml")
BUNDLES = sorted(str(p) for p in (FIXTURES / "bundles").iterdir())
FORMATS = ["text", "json", "jsonl", "sarif", "junit", "github", "markdown"]
CONFIG = ROOT / "examples" / "ci" / "amr-logpatterns.yaml"

SOCKET_METHODS = ("connect", "connect_ex", "sendto", "sendmsg", "bind", "listen")
SOCKET_FUNCTIONS = (
    "create_connection",
    "create_server",
    "getaddrinfo",
    "gethostbyname",
    "gethostbyname_ex",
    "gethostbyaddr",
    "getnameinfo",
)
OS_FUNCTIONS = (
    "system",
    "popen",
    "fork",
    "forkpty",
    "posix_spawn",
    "posix_spawnp",
    *(f"exec{s}" for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")),
    *(f"spawn{s}" for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")),
)


@pytest.fixture()
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Block the network and process creation; the list collects every attempt."""
    attempted: list[str] = []

    def blocker(name: str) -> Callable[..., Any]:
        def blocked(*args: object, **kwargs: object) -> Any:
            attempted.append(name)
            raise OSError(f"isolation test: {name} is blocked")

        return blocked

    for name in SOCKET_METHODS:
        monkeypatch.setattr(socket.socket, name, blocker(f"socket.socket.{name}"))
    for name in SOCKET_FUNCTIONS:
        monkeypatch.setattr(socket, name, blocker(f"socket.{name}"))
    for name in OS_FUNCTIONS:
        if hasattr(os, name):
            monkeypatch.setattr(os, name, blocker(f"os.{name}"))
    monkeypatch.setattr(subprocess.Popen, "_execute_child", blocker("subprocess.Popen"))
    monkeypatch.setattr(_posixsubprocess, "fork_exec", blocker("_posixsubprocess.fork_exec"))
    monkeypatch.setattr(pty, "fork", blocker("pty.fork"))
    return attempted


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_blockers_catch_each_kind_of_attempt(attempts: list[str]) -> None:
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("example.org", 443))
    with pytest.raises(OSError, match="blocked"):
        socket.socket().connect(("127.0.0.1", 9))
    with pytest.raises(OSError, match="blocked"):
        subprocess.run(["true"], check=False)
    with pytest.raises(OSError, match="blocked"):
        os.system("true")
    assert attempts == [
        "socket.create_connection",
        "socket.socket.connect",
        "subprocess.Popen",
        "os.system",
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_scan_in_every_format_stays_isolated(
    attempts: list[str], fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    for log in LOGS:
        code, out, err = run("scan", "--jobs", "1", "--format", fmt, log)
        assert code in (0, 1), err
        assert out
    code, out, err = run("scan", "--jobs", "1", "--format", fmt, "--progress", *LOGS, *BUNDLES)
    assert code in (0, 1), err
    assert attempts == []


def test_every_other_command_stays_isolated(attempts: list[str], tmp_path: Path) -> None:
    outputs = [f"{kind}:{tmp_path / f'report.{kind}'}" for kind in ("sarif", "junit", "markdown")]
    commands = [
        ["scan", "--jobs", "1", "--config", str(CONFIG), *[f"-o{o}" for o in outputs], *LOGS],
        ["scan", "--jobs", "1", "--write-baseline", str(tmp_path / "base.json"), *LOGS],
        ["scan", "--jobs", "1", "--baseline", str(tmp_path / "base.json"), *LOGS],
        *(["timeline", "--format", fmt, *LOGS] for fmt in ("text", "markdown", "json")),
        ["suggest", *LOGS],
        ["suggest", "-o", str(tmp_path / "drafts"), *LOGS],
        ["explain-line", "--file", LOGS[0], "--line", "3"],
        ["explain-line", "--format", "json", "--file", LOGS[-1], "--line", "1"],
        ["explain-line", "E0530 05:01:20.297972 1 leaderelection.go:367] Failed to update lock"],
        *(["list", "--format", fmt] for fmt in ("text", "json", "markdown")),
        ["explain", "observer.unsupported-protocol-scheme"],
        ["--version"],
    ]
    for command in commands:
        code, _, err = run(*command)
        assert code in (0, 1), (command, err)
    assert attempts == []
