"""The ``amr-logpatterns`` command: the only place that touches stdin, stdout, files and exit codes.

Exit codes: 0 the gate passed, 1 the gate failed (a finding or diagnosis at or
above ``--fail-on`` remains after suppressions and the baseline), 2 usage
errors, unreadable input and bad packs, config or baseline.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, NoReturn

from amr_logpatterns.about import __version__
from amr_logpatterns.analyse.matcher import DEFAULT_REGEX_TIMEOUT
from amr_logpatterns.errors import BaselineError, ConfigError, InputError, PackError, UsageError
from amr_logpatterns.formatters import PLAIN, REPORT_FORMATS, STREAMING, Options, formatters
from amr_logpatterns.formatters.json_report import format_match
from amr_logpatterns.formatters.terminal import steps_lines
from amr_logpatterns.ingest.inputs import (
    LogInput,
    all_plain_files,
    expand_inputs,
    open_inputs,
    total_size,
)
from amr_logpatterns.ingest.progress import ProgressBar, should_show
from amr_logpatterns.ingest.reading import DEFAULT_MAX_LINE_LENGTH
from amr_logpatterns.models.results import Report
from amr_logpatterns.packs.loader import Pack, load_packs
from amr_logpatterns.packs.schema import SEVERITY_RANK, RemediationStep, Signature
from amr_logpatterns.pipeline.classifier import Classifier
from amr_logpatterns.policy.baseline import read_baseline
from amr_logpatterns.policy.config import (
    DEFAULT_NAME,
    LoadedConfig,
    check_against_pack,
    config_problems,
    expectable_components,
    find_config,
)
from amr_logpatterns.policy.gate import Ignore, Policy, apply_policy, reaches
from amr_logpatterns.policy.redact import (
    LEVELS,
    Redactor,
    redact_match,
    redact_model,
    redact_report,
)
from amr_logpatterns.policy.selectors import names_any, selected
from amr_logpatterns.wording import did_you_mean

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2

_EPILOG = """\
exit codes:
  0  the gate passed: nothing at or above --fail-on remains after suppressions
  1  the gate failed: a finding or diagnosis at or above --fail-on (default: error),
     a component named by --expect with no record, or at --fail-on info a
     warning-or-worse message no signature knows (signals and harmless findings
     never fail it)
  2  usage error, unreadable input, or a bad signature pack, config or baseline
"""

#: File name endings that say which format an ``-o FILE`` wants when no ``FORMAT:`` is given.
_BY_SUFFIX = {
    ".sarif": "sarif",
    ".sarif.json": "sarif",
    ".xml": "junit",
    ".md": "markdown",
    ".json": "json",
    ".jsonl": "jsonl",
    ".txt": "text",
}
_LONGEST_FIRST = sorted(_BY_SUFFIX, key=len, reverse=True)


class _Version(argparse.Action):
    """``--version``: the version and the stage-1 engine that is active (looked up only here)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from amr_logpatterns.fast.prefilter import available_engines

        engines = available_engines()
        parser.exit(
            0,
            f"amr-logpatterns {__version__}\n"
            f"stage-1 engine: {engines[0]} (available: {', '.join(engines)})\n",
        )


def cache_dir() -> Path | None:
    """Where the command keeps validated packs: ``$AMR_LOGPATTERNS_CACHE`` (``off`` to
    disable), else ``$XDG_CACHE_HOME/amr-logpatterns`` or ``~/.cache/amr-logpatterns``."""
    setting = os.environ.get("AMR_LOGPATTERNS_CACHE")
    if setting is not None:
        return None if setting.lower() in ("", "off", "0", "no") else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "amr-logpatterns"


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors raised (so ``main`` prints them where it prints everything)
    and a "did you mean" for a mistyped option, subcommand or choice."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}{_suggestion(message)}; see '{self.prog} --help'")

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        """Parse, and name the subcommand's own options when a word is none of them."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = getattr(parsed, "command", None)
            hint = _stray_hint(extras, command, self._commands())
            prog = f"{self.prog} {command}" if command else self.prog
            raise UsageError(
                f"unrecognized arguments: {' '.join(extras)}{hint}; see '{prog} --help'"
            )
        return parsed

    def _commands(self) -> dict[str, argparse.ArgumentParser]:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}


_CHOICE = re.compile(r"invalid choice: '(?P<given>[^']*)' \(choose from (?P<choices>.*)\)")


def _suggestion(message: str) -> str:
    """`` (did you mean 'scan'?)`` for a choice close to a known one, else nothing."""
    m = _CHOICE.search(message)
    if m is None:
        return ""
    known = re.findall(r"'([^']*)'", m["choices"])
    close = difflib.get_close_matches(m["given"], known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _stray_hint(
    extras: list[str], command: str | None, commands: dict[str, argparse.ArgumentParser]
) -> str:
    """For words a subcommand does not take: the option meant, or the subcommands taking it."""
    own = list(commands[command]._option_string_actions) if command in commands else []
    hints = []
    for word in (w.split("=", 1)[0] for w in extras if w.startswith("-")):
        close = difflib.get_close_matches(word, own, n=1)
        if close and close[0] != word:
            hints.append(f"did you mean {close[0]!r}?")
            continue
        elsewhere = [name for name, p in commands.items() if word in p._option_string_actions]
        if elsewhere:
            hints.append(f"{word} is an option of {', '.join(elsewhere)}, not of {command}")
    return f" ({'; '.join(hints)})" if hints else ""


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="amr-logpatterns",
        description="Explain Artifact Metadata Repository (AMR) logs: problems, evidence, fixes.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and engine")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def packs_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--patterns",
            metavar="DIR",
            action="append",
            default=[],
            help="add a directory of signature YAML files (repeatable)",
        )
        p.add_argument(
            "--config",
            metavar="FILE",
            help=f"config file (default: {DEFAULT_NAME} in the working directory, if present)",
        )
        p.add_argument(
            "--no-config", action="store_true", help=f"do not read {DEFAULT_NAME}"
        )

    scan = sub.add_parser(
        "scan",
        help="classify log files, directories, archives (or stdin) and gate on the result",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    out = scan.add_argument_group("output")
    out.add_argument(
        "--format",
        choices=[*REPORT_FORMATS, *STREAMING],
        help="format for stdout, or for -o FILE without a FORMAT: prefix (default: text)",
    )
    out.add_argument(
        "-o",
        "--output",
        metavar="[FORMAT:]FILE",
        action="append",
        default=[],
        help="also write a report to FILE (repeatable), in FORMAT when given, else by the "
        "file's suffix (.sarif .xml .md .json .jsonl .txt); FORMAT:- replaces stdout's "
        "(--format decides standard output only)",
    )
    out.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=None,
        help="text: the full story, with evidence, explanations and each finding's own fix"
        " (default: the short answer)",
    )
    out.add_argument(
        "--color",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="colour the text format (default: only on a terminal and when NO_COLOR is unset)",
    )
    show = scan.add_argument_group("what counts")
    show.add_argument(
        "--fail-on",
        choices=["info", "warning", "error", "never"],
        help="exit 1 when a finding or diagnosis at or above this remains (default: error)",
    )
    show.add_argument(
        "--min-severity",
        choices=["info", "warning", "error"],
        help="show only findings at or above this (hidden ones still count for --fail-on)",
    )
    show.add_argument(
        "--only",
        metavar="ID|COMPONENT",
        action="append",
        default=[],
        help="keep only these signature ids (globs like 'observer.*') or components (repeatable)",
    )
    show.add_argument(
        "--exclude",
        metavar="ID|COMPONENT",
        action="append",
        default=[],
        help="leave out these signature ids or components (repeatable)",
    )
    show.add_argument(
        "--expect",
        metavar="COMPONENT",
        action="append",
        default=[],
        help="fail when the input holds no record (logs or pod state) of this AMR component:"
        " observer, handler, graphql, store, or any (repeatable)",
    )
    show.add_argument(
        "--ignore-recovered",
        action="store_true",
        default=None,
        help="do not fail on problems whose healthy signal appears later in the same input",
    )
    show.add_argument(
        "--baseline",
        metavar="FILE",
        help="a JSON report of known problems: only findings not in it fail the gate",
    )
    show.add_argument(
        "--write-baseline", metavar="FILE", help="write this run's findings as a baseline"
    )
    inputs_options(scan)
    packs_option(scan)

    listing = sub.add_parser("list", help="list the signatures and diagnoses")
    listing.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    packs_option(listing)

    explain = sub.add_parser("explain", help="show one signature or diagnosis in full")
    explain.add_argument("id", metavar="ID")
    packs_option(explain)

    timeline = sub.add_parser(
        "timeline", help="each component's state over time: failing, degraded, recovered"
    )
    timeline.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    inputs_options(timeline)
    packs_option(timeline)

    why = sub.add_parser(
        "explain-line", help="how one line was read, what matched it, and why others did not"
    )
    why.add_argument("line", nargs="?", metavar="LINE", help="the line, as pasted")
    why.add_argument("--file", metavar="FILE", help="read the line from this file...")
    why.add_argument(
        "--line", dest="line_number", type=_positive, metavar="N", help="...at line N"
    )
    why.add_argument(
        "--context-file", metavar="FILE", help="lines that came before LINE (describe headers...)"
    )
    why.add_argument("--signature", metavar="ID", help="explain this signature's verdict")
    why.add_argument("--format", choices=["text", "json"], default="text")
    redact_option(why)
    packs_option(why)

    lint = sub.add_parser(
        "lint", help="check signature packs: schema, regexes, examples, fields, overlaps"
    )
    lint.add_argument("dirs", nargs="*", metavar="DIR", help="pack directories (default: built-in)")
    lint.add_argument("--strict", action="store_true", help="exit 1 on warnings")
    lint.add_argument(
        "--no-builtin", action="store_true", help="do not load the built-in packs alongside"
    )
    lint.add_argument("--format", choices=["text", "json"], default="text")

    test = sub.add_parser("test", help="run every signature's examples; a pass/fail table")
    test.add_argument("dirs", nargs="*", metavar="DIR", help="pack directories (default: built-in)")
    test.add_argument(
        "--no-builtin", action="store_true", help="do not load the built-in packs alongside"
    )

    schema = sub.add_parser("schema", help="print the JSON Schema of pack files or the config")
    schema.add_argument(
        "--kind",
        choices=["pack", "signature", "diagnosis", "component", "config"],
        default="pack",
        help="which file format (default: pack, any pack file)",
    )

    suggest = sub.add_parser(
        "suggest", help="draft a signature YAML for each unknown error template in the input"
    )
    suggest.add_argument(
        "-o", "--output", metavar="DIR", help="write one file per draft here (default: stdout)"
    )
    suggest.add_argument("--prefix", default="custom", help="id prefix of the drafts")
    suggest.add_argument("--force", action="store_true", help="overwrite existing files in DIR")
    inputs_options(suggest)
    packs_option(suggest)
    return parser


def _seconds(text: str) -> float | None:
    """``--regex-timeout``: seconds above 0, or ``off``."""
    if text.lower() in ("off", "none", "0"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, or off: {text!r}")
    return value


def _positive(text: str) -> int:
    """``--jobs``, ``--max-line-length``, ``--line``: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return value


def redact_option(p: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--redact`` (secrets) or ``--redact=all`` (also IP addresses and host names)."""
    p.add_argument(
        "--redact",
        choices=LEVELS,
        nargs="?",
        const="secrets",
        default=None,
        metavar="secrets|all",
        help="mask secrets (tokens, passwords, keys) in everything printed (--redact alone:"
        " secrets); --redact all also masks IP addresses and host names",
    )


def inputs_options(p: argparse.ArgumentParser) -> None:
    """The options of every command that reads logs."""
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="log files (.gz too), directories, .tar/.tgz/.zip bundles; '-' or none for stdin",
    )
    inputs = p.add_argument_group("inputs")
    inputs.add_argument(
        "--glob",
        metavar="PATTERN",
        action="append",
        default=[],
        help="in directories and archives, read only files matching this (repeatable)",
    )
    inputs.add_argument(
        "--tap-version",
        metavar="X.Y",
        help="the Tanzu Application Platform release, for key names in the advice "
        "(default: inferred from the input when it can be)",
    )
    inputs.add_argument(
        "--jobs",
        type=_positive,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes for large files (default: the number of CPUs)",
    )
    inputs.add_argument(
        "--engine",
        default="auto",
        choices=["auto", "hyperscan", "re2", "stdlib", "exact"],
        help="stage-1 engine of the fast path; exact reads every line (default: auto)",
    )
    redact_option(inputs)
    inputs.add_argument(
        "--regex-timeout",
        type=_seconds,
        default=DEFAULT_REGEX_TIMEOUT,
        metavar="SECONDS|off",
        help="time limit of one regex search on one record; longer ones count as no match "
        f"and are reported (default: {DEFAULT_REGEX_TIMEOUT})",
    )
    inputs.add_argument(
        "--max-line-length",
        type=_positive,
        default=DEFAULT_MAX_LINE_LENGTH,
        metavar="BYTES",
        help="match only this many bytes of longer lines, counted as truncated (default: 1 MiB)",
    )
    inputs.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: for large inputs when stderr is a terminal)",
    )


def _outputs(args: argparse.Namespace, fmt: str) -> list[tuple[str, str | None]]:
    """Each requested report as (format, file or None for stdout).

    Standard output gets ``fmt`` (``--format``); each ``-o`` gets its ``FORMAT:`` prefix,
    else the format its name's suffix says (``.sarif`` SARIF, ``.xml`` JUnit, ...); a
    name that says neither is an error, never a silent default.
    """
    known = (*REPORT_FORMATS, *STREAMING)
    out: list[tuple[str, str | None]] = [(fmt, None)]
    for spec in args.output:
        prefix, colon, rest = spec.partition(":")
        if colon and prefix in known and rest:
            out.append((prefix, None if rest == "-" else rest))
            continue
        suffix = next((s for s in _LONGEST_FIRST if spec.endswith(s)), None)
        if suffix is None:
            raise UsageError(
                f"-o {spec}: its suffix names no format; write FORMAT:{spec} (FORMAT one of"
                f" {', '.join(known)}) or end it in one of {', '.join(_BY_SUFFIX)}"
            )
        out.append((_BY_SUFFIX[suffix], spec))
    stdout = [f for f, dest in out if dest is None]
    if len(stdout) > 2:
        raise UsageError(f"-o: {', '.join(f'{f}:-' for f in stdout[1:])}: only one can take stdout")
    if len(stdout) > 1:  # -o FORMAT:- takes standard output instead of --format
        out = [(f, d) for f, d in out[1:]]
    files = [d for _, d in out if d is not None]
    twice = {d for d in files if files.count(d) > 1}
    if twice:
        raise UsageError(f"-o: {', '.join(sorted(twice))} is asked for twice")
    if "jsonl" in (f for f, _ in out) and len(out) > 1:
        raise UsageError("jsonl streams matches; it cannot be combined with other outputs")
    return out


def _policy(args: argparse.Namespace, loaded: LoadedConfig) -> Policy:
    config = loaded.config
    ignores = tuple(
        Ignore(entry=e, origin=o)
        for e, o in zip(config.ignore, loaded.ignore_origins, strict=True)
    )
    baseline_path = args.baseline or (config.baseline and loaded.resolve(config.baseline))
    baseline = read_baseline(baseline_path) if baseline_path else frozenset()
    return Policy(
        fail_on=args.fail_on or config.fail_on or "error",
        min_severity=args.min_severity or config.min_severity or "info",
        only=tuple(args.only or config.only),
        exclude=tuple(args.exclude or config.exclude),
        ignores=ignores,
        baseline=baseline,
        baseline_origin=baseline_path or "",
        ignore_recovered=bool(args.ignore_recovered or config.ignore_recovered),
        expect=tuple(args.expect or config.expect),
    )


def _check_selectors(policy: Policy, pack: Pack) -> None:
    known = {s.id for s in pack.signatures} | {d.id for d in pack.diagnoses}
    components = {c.id for c in pack.components} | {"diagnosis"}
    expectable = expectable_components(pack)
    for value in policy.expect:
        if value not in expectable:
            raise UsageError(
                f"--expect {value}: not an AMR component{did_you_mean(value, expectable)}"
                f" (choose from {', '.join(expectable)})"
            )
    for flag, values in (("--only", policy.only), ("--exclude", policy.exclude)):
        for value in values:
            if not names_any(value, known, components):
                hint = did_you_mean(value, [*known, *components])
                raise UsageError(
                    f"{flag} {value}: names no signature, diagnosis or component{hint}"
                    " (see 'amr-logpatterns list')"
                )


def _render_options(
    args: argparse.Namespace, loaded: LoadedConfig, stream: IO[str] | None
) -> Options:
    """Colour and width for the terminal (``stream``); files get plain text at the default width."""
    guide = loaded.config.guide_url or PLAIN.guide_url
    verbose = bool(getattr(args, "verbose", None) or loaded.config.verbose)
    if stream is None:
        return Options(guide_url=guide, verbose=verbose)
    tty = stream.isatty() if hasattr(stream, "isatty") else False
    color = getattr(args, "color", None)
    if color is None:
        color = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    width = max(40, min(160, shutil.get_terminal_size((100, 24)).columns)) if tty else 100
    return Options(color=bool(color), width=width, guide_url=guide, verbose=verbose)


def _scan(
    args: argparse.Namespace, pack: Pack, loaded: LoadedConfig, out: IO[str], err: IO[str]
) -> int:
    fmt = args.format or loaded.config.format or "text"
    if fmt not in (*REPORT_FORMATS, *STREAMING):
        raise UsageError(f"{loaded.path}: format: unknown format {fmt!r}")
    outputs = _outputs(args, fmt)
    policy = _policy(args, loaded)
    _check_selectors(policy, pack)
    classifier = _classifier(args, pack)
    inputs = _inputs(args, err)
    redactor = _redactor(args)
    if outputs[0][0] == "jsonl":
        if args.write_baseline:
            raise UsageError("--write-baseline needs a report; jsonl streams matches")
        return _stream_jsonl(classifier, inputs, args, policy, outputs[0][1], out, err, redactor)
    report = _classify(classifier, inputs, args, err)
    if args.write_baseline:
        written = report if redactor is None else redact_report(report, redactor)
        _write(args.write_baseline, formatters()["json"](written, PLAIN), out)
    # the policy sees real values (ignore entries compare fields); what is printed is redacted
    gated = apply_policy(report, policy)
    if redactor is not None:
        gated = redact_report(gated, redactor)
    for fmt_name, dest in outputs:
        stream = out if dest is None or dest == "-" else None
        _write(dest, formatters()[fmt_name](gated, _render_options(args, loaded, stream)), out)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary and any(f == "github" for f, _ in outputs):
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(formatters()["markdown"](gated, _render_options(args, loaded, None)))
    assert gated.gate is not None
    for notice in gated.gate.notices:
        print(f"amr-logpatterns: warning: {notice}", file=err)
    if _read_errors(gated, err) == EXIT_USAGE:
        return EXIT_USAGE
    return EXIT_FOUND if gated.gate.failed else EXIT_OK


def _redactor(args: argparse.Namespace) -> Redactor | None:
    """One redactor per command run, so its ``<ip-N>``/``<host-N>`` numbers agree everywhere."""
    return Redactor(args.redact) if getattr(args, "redact", None) else None


def _classifier(args: argparse.Namespace, pack: Pack) -> Classifier:
    try:
        return Classifier(
            pack,
            engine=args.engine,
            cache_dir=cache_dir(),
            tap_version=args.tap_version,
            regex_timeout=args.regex_timeout,
            max_line_length=args.max_line_length,
        )
    except ImportError as exc:
        raise UsageError(f"--engine {args.engine}: {exc}") from exc
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _timeline(args: argparse.Namespace, pack: Pack, out: IO[str], err: IO[str]) -> int:
    from amr_logpatterns.analyse.timeline import (
        build_timeline,
        format_timeline_markdown,
        format_timeline_text,
    )

    classifier = _classifier(args, pack)
    report = _classify(classifier, _inputs(args, err), args, err)
    timeline = build_timeline(report)
    redactor = _redactor(args)
    if redactor is not None:
        timeline = redact_model(timeline, redactor)
        report = redact_report(report, redactor)
    if args.format == "json":
        out.write(timeline.model_dump_json(indent=2) + "\n")
    elif args.format == "markdown":
        out.write(format_timeline_markdown(timeline))
    else:
        width = _render_options(args, LoadedConfig(), out).width
        out.write(format_timeline_text(timeline, width=width))
    return _read_errors(report, err)


def _explain_line(args: argparse.Namespace, pack: Pack, out: IO[str], err: IO[str]) -> int:
    from amr_logpatterns.explain.whynot import explain_file_line, explain_line, format_explanation

    classifier = Classifier(pack, cache_dir=cache_dir())
    try:
        if args.file is not None:
            if args.line_number is None or args.line is not None:
                raise UsageError("explain-line: give either LINE, or --file FILE --line N")
            expl = explain_file_line(
                classifier, args.file, args.line_number, signature_id=args.signature
            )
        else:
            if args.line is None:
                raise UsageError("explain-line: give the LINE, or --file FILE --line N")
            context = None
            if args.context_file is not None:
                try:
                    context = Path(args.context_file).read_bytes()
                except OSError as exc:
                    raise UsageError(f"{args.context_file}: cannot read: {exc.strerror}") from exc
            expl = explain_line(classifier, args.line, context=context, signature_id=args.signature)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    redactor = _redactor(args)
    if redactor is not None:
        expl = redact_model(expl, redactor)
    if args.format == "json":
        out.write(expl.model_dump_json(indent=2) + "\n")
    else:
        out.write(format_explanation(expl))
    return EXIT_OK


def _suggest(args: argparse.Namespace, pack: Pack, out: IO[str], err: IO[str]) -> int:
    from amr_logpatterns.authoring.suggest import suggest_signatures, write_drafts

    classifier = _classifier(args, pack)
    report = _classify(classifier, _inputs(args, err), args, err)
    redactor = _redactor(args)
    if redactor is not None:
        report = redact_report(report, redactor)
    drafts = suggest_signatures(report.unknown, pack, prefix=args.prefix)
    if not drafts:
        print("amr-logpatterns: no unknown warning or error template in the input", file=err)
    elif args.output:
        try:
            written = write_drafts(drafts, args.output, overwrite=args.force)
        except (FileExistsError, OSError) as exc:
            raise UsageError(f"{args.output}: {exc}") from exc
        for path in written:
            print(path, file=out)
    else:
        for name, text in drafts.items():
            out.write(f"# --- {name} ---\n{text}")
    return _read_errors(report, err)


def _read_errors(report: Report, err: IO[str]) -> int:
    errors = [src.read_error for src in report.stats.sources if src.read_error]
    for message in errors:
        print(f"amr-logpatterns: {message}", file=err)
    return EXIT_USAGE if errors else EXIT_OK


def _write(dest: str | None, text: str, out: IO[str]) -> None:
    if dest is None or dest == "-":
        out.write(text)
        return
    try:
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        Path(dest).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{dest}: cannot write: {exc.strerror or exc}") from exc


def _progress(inputs: list[LogInput], args: argparse.Namespace, err: IO[str]) -> ProgressBar | None:
    total = total_size(inputs)
    mode = {None: "auto", True: "always", False: "never"}[args.progress]
    tty = err.isatty() if hasattr(err, "isatty") else False
    return ProgressBar(total, stream=err, tty=tty) if should_show(mode, total, tty) else None


def _inputs(args: argparse.Namespace, err: IO[str]) -> list[LogInput]:
    """The PATH arguments as inputs; what a directory walk could not read is said on stderr."""
    skipped: list[str] = []
    inputs = expand_inputs(args.paths or ["-"], args.glob, skipped=skipped)
    for entry in skipped:
        err.write(f"amr-logpatterns: skipped {entry}\n")
    if any(i.is_stdin for i in inputs) and _terminal(sys.stdin):
        err.write(f"amr-logpatterns: reading the log from the terminal: {_PASTE_HINT}\n")
        err.flush()
    return inputs


#: How to end a paste at a terminal, where the end of input is a key, not a file's end.
_PASTE_HINT = (
    "paste it, then press Ctrl-Z and Enter on a line of its own"
    if sys.platform == "win32"
    else "paste it, then press Ctrl-D on a line of its own"
)


def _terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def _classify(
    classifier: Classifier, inputs: list[LogInput], args: argparse.Namespace, err: IO[str]
) -> Report:
    bar = _progress(inputs, args, err)
    try:
        if args.jobs > 1 and all_plain_files(inputs):
            from amr_logpatterns.pipeline.parallel import classify_parallel

            paths = [i.path for i in inputs if i.path is not None]
            advance = bar.advance if bar else None
            return classify_parallel(classifier, paths, args.jobs, on_progress=advance)
        return classifier.classify_many(open_inputs(inputs, progress=bar))
    finally:
        if bar:
            bar.finish()


def _stream_jsonl(
    classifier: Classifier,
    inputs: list[LogInput],
    args: argparse.Namespace,
    policy: Policy,
    dest: str | None,
    out: IO[str],
    err: IO[str],
    redactor: Redactor | None = None,
) -> int:
    """Stream matches; the exit code follows --fail-on, --only and --exclude over them.

    Ignore entries and baselines describe findings, which a stream of matches
    does not build; they are reported as not applied rather than ignored quietly.
    """
    if policy.ignores or policy.baseline:
        print(
            "amr-logpatterns: warning: ignore entries and baselines apply to reports; "
            "the jsonl stream lists every match and gates on all of them",
            file=err,
        )
    target = out if dest is None or dest == "-" else _open_output(dest)
    levels = [s for s, rank in SEVERITY_RANK.items() if reaches(s, policy.fail_on)]
    failed = False
    try:
        parallel = args.jobs > 1 and all_plain_files(inputs) and redactor is None
        if parallel and not (policy.only or policy.exclude):
            from amr_logpatterns.pipeline.parallel import scan_parallel

            paths = [i.path for i in inputs if i.path is not None]
            for block in scan_parallel(classifier, paths, args.jobs):
                target.write(block)
                failed = failed or any(f'"severity": "{s}"' in block for s in levels)
            return EXIT_FOUND if failed else EXIT_OK
        by_id = {s.id: s for s in classifier.pack.signatures}
        for name, handle in open_inputs(inputs):
            for match in classifier.scan(handle, source_name=name):
                component = by_id[match.id].component
                if policy.only and not selected(match.id, component, policy.only):
                    continue
                if selected(match.id, component, policy.exclude):
                    continue
                shown = match if redactor is None else redact_match(match, redactor)
                target.write(format_match(shown) + "\n")
                failed = failed or match.severity in levels
    finally:
        if target is not out:
            target.close()
    return EXIT_FOUND if failed else EXIT_OK


def _open_output(dest: str) -> IO[str]:
    try:
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        return open(dest, "w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{dest}: cannot write: {exc.strerror or exc}") from exc


def _list(args: argparse.Namespace, pack: Pack, out: IO[str]) -> int:
    if args.format == "json":
        import json

        rows = [
            {"id": s.id, "severity": s.severity, "component": s.component, "title": s.title}
            for s in pack.signatures
        ] + [
            {"id": d.id, "severity": d.severity, "component": "diagnosis", "title": d.title}
            for d in pack.diagnoses
        ]
        out.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    if args.format == "markdown":
        out.write(signature_table(pack))
        return EXIT_OK
    items = [(s.id, s.severity, s.title) for s in pack.signatures]
    items += [(d.id, d.severity, d.title) for d in pack.diagnoses]
    width = max((len(i) for i, _, _ in items), default=10)
    for item_id, severity, title in sorted(items):
        out.write(f"{item_id:<{width}}  {severity:<7}  {title}\n")
    return EXIT_OK


def signature_table(pack: Pack) -> str:
    """The Markdown table of signatures and diagnoses that the README shows."""
    rows = ["| id | severity | component | what it means |", "| --- | --- | --- | --- |"]
    for sig in sorted(pack.signatures, key=lambda s: s.id):
        rows.append(f"| `{sig.id}` | {sig.severity} | {sig.component} | {sig.title} |")
    for diag in sorted(pack.diagnoses, key=lambda d: d.id):
        rows.append(f"| `{diag.id}` | {diag.severity} | diagnosis | {diag.title} |")
    return "\n".join(rows) + "\n"


def _conditional(steps: list[RemediationStep]) -> list[RemediationStep]:
    """Steps that depend on what the input showed, saying so (``explain`` shows them all)."""
    out = []
    for step in steps:
        when = [f"{name} is known" for name in step.if_known]
        when += [f"{name} is not known" for name in step.if_unknown]
        if when:
            step = step.model_copy(update={"text": f"(When {' and '.join(when)}) {step.text}"})
        out.append(step)
    return out


def _explain_signature(sig: Signature) -> list[str]:
    lines = [
        f"{sig.id}  [{sig.severity}]  component: {sig.component}  category: {sig.category}",
        sig.title,
        "",
        sig.explanation.strip(),
    ]
    if sig.remediation:
        lines += ["", "Fix:", *steps_lines(_conditional(sig.remediation), "  ")]
    if sig.verify:
        lines += ["", f"Fixed when you see: {', '.join(sig.verify)}"]
    if sig.references:
        lines += [f"Guide sections: {', '.join(sig.references)}"]
    lines += ["", "Matches, for example:"]
    lines += [f"  {e.line}" for e in sig.examples.match]
    lines += ["", "Does not match:"]
    lines += [f"  {line}" for line in sig.examples.no_match]
    return lines


def _explain(args: argparse.Namespace, pack: Pack, out: IO[str], err: IO[str]) -> int:
    sig = pack.signature(args.id)
    if sig is not None:
        out.write("\n".join(_explain_signature(sig)) + "\n")
        return EXIT_OK
    diag = next((d for d in pack.diagnoses if d.id == args.id), None)
    if diag is None:
        known = sorted([s.id for s in pack.signatures] + [d.id for d in pack.diagnoses])
        hint = did_you_mean(args.id, known) or "; run 'amr-logpatterns list'"
        print(f"amr-logpatterns: no signature or diagnosis {args.id!r}{hint}", file=err)
        return EXIT_USAGE
    lines = [
        f"{diag.id}  [{diag.severity}]",
        diag.title,
        "",
        diag.summary.strip(),
        "",
        diag.explanation.strip(),
    ]
    lines += ["", f"Concluded from: {', '.join(sorted(set(diag.when.finding_ids())))}"]
    if diag.remediation:
        lines += ["", "Fix:", *steps_lines(_conditional(diag.remediation), "  ")]
    out.write("\n".join(lines) + "\n")
    return EXIT_OK


def _authoring(args: argparse.Namespace, out: IO[str]) -> int:
    """``lint``, ``test`` and ``schema`` read packs that may be broken, so they load their own."""
    from amr_logpatterns.authoring.lint import format_lint, lint_exit_code, lint_packs, schema_text
    from amr_logpatterns.authoring.selftest import (
        format_test_table,
        pack_tests_exit_code,
        run_pack_tests,
    )

    if args.command == "schema":
        out.write(schema_text(args.kind) + "\n")
        return EXIT_OK
    paths = args.dirs or None
    builtin = paths is None or not args.no_builtin
    if args.command == "lint":
        report = lint_packs(paths, builtin=builtin, entry_points=True)
        json_text = report.model_dump_json(indent=2) + "\n"
        out.write(json_text if args.format == "json" else format_lint(report))
        return lint_exit_code(report, args.strict)
    results = run_pack_tests(paths, builtin=builtin, entry_points=True)
    out.write(format_test_table(results))
    return pack_tests_exit_code(results)


def _pack(args: argparse.Namespace, loaded: LoadedConfig) -> Pack:
    """The packs less what the config disables; every config problem told at once, in order."""
    sources = [*(loaded.resolve(p) for p in loaded.config.patterns), *args.patterns]
    try:
        pack = load_packs(
            *sources, disabled=loaded.disabled_entries(), entry_points=True, cache_dir=cache_dir()
        )
    except PackError as exc:
        disabling = [p for p in exc.problems if p.code == "disabled"]
        if not disabling or len(disabling) < len(exc.problems):
            raise
        # only ``disabled`` was wrong: read the rest of the config against the whole pack
        whole = load_packs(*sources, entry_points=True, cache_dir=cache_dir())
        raise ConfigError([*disabling, *config_problems(loaded, whole)]) from exc
    check_against_pack(loaded, pack)
    return pack


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run the command line; returns the exit code (0 passed, 1 gate failed, 2 cannot run)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    raw = list(sys.argv[1:] if argv is None else argv)
    cut = raw.index("--") if "--" in raw else len(raw)
    # a bare --redact means secrets: argparse would take the next word as its value
    for i in range(cut):
        if raw[i] == "--redact" and (raw[i + 1] if i + 1 < cut else "") not in LEVELS:
            raw[i] = "--redact=secrets"
    try:
        args = _parser().parse_args(raw)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
    except UsageError as exc:
        print(f"amr-logpatterns: {exc}", file=err)
        return EXIT_USAGE
    try:
        if args.command in ("lint", "test", "schema"):
            return _authoring(args, out)
        loaded = LoadedConfig() if args.no_config else find_config(args.config)
        pack = _pack(args, loaded)
        if args.command == "scan":
            return _scan(args, pack, loaded, out, err)
        if args.command == "list":
            return _list(args, pack, out)
        if args.command == "timeline":
            return _timeline(args, pack, out, err)
        if args.command == "explain-line":
            return _explain_line(args, pack, out, err)
        if args.command == "suggest":
            return _suggest(args, pack, out, err)
        return _explain(args, pack, out, err)
    except (PackError, ConfigError, BaselineError, InputError, UsageError) as exc:
        print(f"amr-logpatterns: {exc}", file=err)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
