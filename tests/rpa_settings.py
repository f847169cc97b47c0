"""Robot settings of a test's own: a robots.toml with some settings changed, named by
``RPA_ROBOTS_CONFIG`` (read by every process of the test, a Celery worker's too).

    monkeypatch.setenv("RPA_ROBOTS_CONFIG", str(robots_file(tmp_path, election_staff_onboarding={"batch_size": 15})))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from include.rpa.policy import CONFIG_FILE


def robots_file(folder: Path, **by_process: dict[str, Any]) -> Path:
    """A copy of config/robots.toml in ``folder`` with each ``[<process>]`` table updated."""
    import tomllib

    tables = tomllib.loads(CONFIG_FILE.read_text(encoding="utf-8"))
    for process, values in by_process.items():
        tables[process] = {**tables.get(process, {}), **values}
    lines = []
    for name, values in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {value!r}" for key, value in values.items()]
        lines.append("")
    path = folder / "robots.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
