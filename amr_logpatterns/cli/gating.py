"""``scan``'s gate: its policy from the options over the config, and a check that every
``--only``, ``--exclude`` and ``--expect`` names something, so a typo never gates nothing."""

from __future__ import annotations

import argparse

from amr_logpatterns.errors import UsageError
from amr_logpatterns.packs.loader import Pack
from amr_logpatterns.policy.baseline import read_baseline
from amr_logpatterns.policy.config import LoadedConfig, expectable_components
from amr_logpatterns.policy.gate import Ignore, Policy
from amr_logpatterns.policy.selectors import names_any
from amr_logpatterns.wording import did_you_mean


def policy_for(args: argparse.Namespace, loaded: LoadedConfig) -> Policy:
    """The gate's policy: each option given on the command line, else the config's, else
    the default."""
    config = loaded.config
    ignores = tuple(
        Ignore(entry=e, origin=o) for e, o in zip(config.ignore, loaded.ignore_origins, strict=True)
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


def check_selectors(policy: Policy, pack: Pack) -> None:
    """A usage error for an ``--expect`` that is no component, or an ``--only`` or
    ``--exclude`` that names no signature, diagnosis or component of the pack."""
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
