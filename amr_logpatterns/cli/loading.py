"""The packs and config a command runs with, and where validated packs are cached.

Every subcommand that reads signatures starts here, so the config file is found,
and its problems told, the same way for all of them.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from amr_logpatterns.errors import ConfigError, PackError
from amr_logpatterns.packs.loader import Pack, load_packs
from amr_logpatterns.policy.config import (
    LoadedConfig,
    check_against_pack,
    config_problems,
    find_config,
)


def cache_dir() -> Path | None:
    """Where the command keeps validated packs: ``$AMR_LOGPATTERNS_CACHE`` (``off`` to
    disable), else ``$XDG_CACHE_HOME/amr-logpatterns`` or ``~/.cache/amr-logpatterns``."""
    setting = os.environ.get("AMR_LOGPATTERNS_CACHE")
    if setting is not None:
        return None if setting.lower() in ("", "off", "0", "no") else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "amr-logpatterns"


def load_config(args: argparse.Namespace) -> LoadedConfig:
    """The config file ``--config`` names, or the default one; none with ``--no-config``."""
    return LoadedConfig() if args.no_config else find_config(args.config)


def load_pack(args: argparse.Namespace, loaded: LoadedConfig) -> Pack:
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
