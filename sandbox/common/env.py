"""Reading the sandbox's environment variables.

Every setting of an app is looked up first under the app's own prefix, then
under the sandbox-wide one: ``RPA_HR_PORTAL_FAIL_RATE`` wins over
``RPA_SANDBOX_FAIL_RATE``. An empty value counts as unset.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SANDBOX_PREFIX = "RPA_SANDBOX"


def lookup(name: str, app_prefix: str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """``RPA_<APP>_<NAME>`` if set, else ``RPA_SANDBOX_<NAME>``, else None."""
    env = os.environ if environ is None else environ
    keys = ([f"{app_prefix}_{name}"] if app_prefix else []) + [f"{SANDBOX_PREFIX}_{name}"]
    for key in keys:
        value = env.get(key, "").strip()
        if value:
            return value
    return None


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``RPA_DATA_DIR`` (contract), by default the git-ignored ``data/`` of the repo."""
    env = os.environ if environ is None else environ
    return Path(env.get("RPA_DATA_DIR") or REPO_ROOT / "data")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
