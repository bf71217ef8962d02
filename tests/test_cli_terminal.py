"""Pasting at a real terminal: one end-of-file ends the input, and the command says what it waits for."""

from __future__ import annotations

import os
import select
import sys
import time

import pytest

pty = pytest.importorskip("pty")

LINE = b'2023-06-20T19:01:58Z  ERROR  httpclient    {"error": "request failed with status 503"}\n'


def _read(fd: int, until: bytes | None, timeout: float) -> bytes:
    """What the terminal shows until ``until`` appears (None: until the child closes it)."""
    out = b""
    end = time.monotonic() + timeout
    while (until is None or until not in out) and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        out += data
    return out


def _wait(pid: int, timeout: float) -> int | None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    return None


@pytest.mark.parametrize("args", [[], ["-"]])
def test_one_end_of_file_ends_a_paste_and_the_command_says_what_it_waits_for(args: list[str]) -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command on the terminal's other end
        os.execv(sys.executable, [sys.executable, "-m", "amr_logpatterns", "scan", "--no-config", "--no-color", *args])
    code = None
    try:
        hint = _read(fd, b"Ctrl-D", 30)
        assert b"paste it, then press Ctrl-D on a line of its own" in hint
        os.write(fd, LINE)
        os.write(fd, b"\x04")  # Ctrl-D once, on a line of its own
        out = _read(fd, None, 30)  # the whole report: "Gate:" comes first, the ids after
        assert b"observer.health-check-failed" in out and b"Gate: failed" in out
        code = _wait(pid, 30)
        assert code == 1
    finally:
        if code is None:  # still waiting for more input: the bug this test is about
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)


def test_a_file_or_a_pipe_gets_no_hint(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    log = tmp_path / "a.log"
    log.write_bytes(LINE)
    for argv, stdin in ((["scan", "--no-config", str(log)], subprocess.DEVNULL), (["scan", "--no-config"], log.open("rb"))):
        run = subprocess.run([sys.executable, "-m", "amr_logpatterns", *argv], stdin=stdin, capture_output=True, timeout=60)
        assert run.returncode == 1 and b"Ctrl-D" not in run.stderr
