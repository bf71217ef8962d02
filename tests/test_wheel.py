"""The built wheel carries its patterns: an installed package works outside the source tree."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from conftest import ROOT

SAMPLE = (
    "2023-06-28T18:48:31Z  ERROR  httpclient.circuitbreaker  error contacting event handler  "
    '{"error": "Get \\"amr-persister.example.com/healthz\\": unsupported protocol scheme \\"\\""}\n'
)


def test_wheel_installs_into_a_fresh_venv_and_classifies(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(ROOT)],
        check=True,
    )
    (wheel,) = wheels.glob("amr_logpatterns-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # the fresh venv sees this environment's dependencies (pydantic, regex, PyYAML)
    # through a plain path entry; the project itself comes only from the wheel
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "outer-deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "observer.log").write_text(SAMPLE)
    script = (
        "import json, amr_logpatterns\n"
        "from amr_logpatterns.packs.sources import builtin_patterns_dir\n"
        "report = amr_logpatterns.classify_file('observer.log')\n"
        "print(json.dumps({'module': amr_logpatterns.__file__, 'patterns': str(builtin_patterns_dir()),"
        " 'ids': [f.id for f in report.findings]}))\n"
    )
    result = subprocess.run(
        [str(python), "-c", script], cwd=outside, check=True, capture_output=True, text=True
    )
    got = json.loads(result.stdout)
    assert got["module"].startswith(str(env_dir)), got
    assert got["patterns"].startswith(str(env_dir)), got
    assert "observer.unsupported-protocol-scheme" in got["ids"]
    cli = subprocess.run(
        [str(env_dir / "bin" / "amr-logpatterns"), "scan", "--format", "jsonl", "observer.log"],
        cwd=outside, capture_output=True, text=True,
    )
    assert cli.returncode == 1, cli.stderr
    assert json.loads(cli.stdout.splitlines()[0])["id"] == "observer.unsupported-protocol-scheme"
    # the page's templates, stylesheets and script ship in the wheel
    page = subprocess.run(
        [str(env_dir / "bin" / "amr-logpatterns"), "scan", "--no-config", "-o", "r.html", "observer.log"],
        cwd=outside, capture_output=True, text=True,
    )
    assert page.returncode == 1, page.stderr
    html = (outside / "r.html").read_text()
    assert "observer.unsupported-protocol-scheme" in html and "<svg" in html and "<script>" in html
