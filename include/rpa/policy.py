"""How hard each robot works its target application: batch size, attempts, backoff, fresh
tab, abort streak. One file for every process: ``config/robots.toml`` (or the file named by
``$RPA_ROBOTS_CONFIG``: every Airflow process of a deployment must see the same), a
``[defaults]`` table and one table per process (its ledger process, the DAG id) overriding
some of them.

Stdlib only: a DAG file may read it while parsing.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

CONFIG_FILE = Path(__file__).resolve().parents[2] / "config" / "robots.toml"
CONFIG_ENV = "RPA_ROBOTS_CONFIG"


@dataclass(frozen=True)
class RobotPolicy:
    """One robot's settings (see config/robots.toml for what each one means)."""

    batch_size: int = 200
    max_attempts: int = 6
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0
    abort_after_consecutive_failures: int = 5
    fresh_tab_every: int = 100
    lease_seconds: float = 300.0

    def __post_init__(self) -> None:
        whole = ("batch_size", "max_attempts", "abort_after_consecutive_failures")
        if any(getattr(self, name) < 1 for name in whole):
            raise ValueError(f"robots.toml: {', '.join(whole)} must be >= 1")
        if self.fresh_tab_every < 0 or self.backoff_seconds < 0 or self.max_backoff_seconds < 0:
            raise ValueError("robots.toml: fresh_tab_every and backoffs must be >= 0")
        if self.lease_seconds <= 0:
            raise ValueError("robots.toml: lease_seconds must be > 0")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based)."""
        return min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1))


def config_file() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or CONFIG_FILE)


def robot_policy(process: str, path: Path | None = None) -> RobotPolicy:
    """The settings of ``process``'s robot: ``[defaults]`` then ``[<process>]`` of the file."""
    return _load(path or config_file()).get(process) or _load(path or config_file())["defaults"]


@lru_cache(maxsize=8)
def _load(path: Path) -> dict[str, RobotPolicy]:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    defaults = _policy(RobotPolicy(), raw.get("defaults", {}), "defaults")
    policies = {"defaults": defaults}
    for process, values in raw.items():
        if process != "defaults":
            policies[process] = _policy(defaults, values, process)
    return policies


def _policy(base: RobotPolicy, values: Any, where: str) -> RobotPolicy:
    if not isinstance(values, dict):
        raise ValueError(f"robots.toml: [{where}] must be a table")
    known = {f.name for f in fields(RobotPolicy)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"robots.toml: [{where}]: unknown settings {sorted(unknown)} (known: {sorted(known)})")
    return replace(base, **values)
