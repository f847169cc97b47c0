"""The Brexit report's time saved: the files credited (each once per outcome across runs) × 30 min
by hand, less the robot's minutes and 5 min per agent's decision (config/brexit.toml [effort])."""

from __future__ import annotations

import pytest

from include.processes.brexit.config import load_settings
from include.processes.brexit.report import time_saved


@pytest.mark.parametrize(
    ("credited", "robot_minutes", "decided", "saved"),
    [
        # 43 entered, 6 letters, 6 ineligible, 1 held: 56 files x 30 min, less 4 decisions x 5 min and the robot.
        (56, 0.5, 4, 56 * 30 - 4 * 5 - 0.5),
        (0, 0.0, 0, 0.0),
        # The same export again: nothing credited; the agents' second look is not a gain (never below 0).
        (0, 0.0, 3, 0.0),
        # A file an agent entered counts once, as entered.
        (1, 0.2, 1, 30 - 5 - 0.2),
    ],
)
def test_time_saved_counts_each_credited_file_once(credited, robot_minutes, decided, saved) -> None:
    settings = load_settings()
    assert settings.manual_minutes_per_file == 30 and settings.agent_minutes_per_human_file == 5
    figures = time_saved(credited, robot_minutes, decided, settings)
    assert figures["minutes_gagnees"] == pytest.approx(round(saved, 1))
    assert figures["minutes_agent_arbitrage"] == decided * 5
    assert figures["dossiers_credites"] == credited
