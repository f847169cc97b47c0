"""The Brexit report's time saved: each file the run dealt with counted once, minus what the robot
and the agents spent (config/brexit.toml [effort]: 30 min by hand, 5 per agent's decision)."""

from __future__ import annotations

import pytest

from include.processes.brexit.config import load_settings
from include.processes.brexit.report import handled_files, time_saved


def summary(entered: int, incomplete: int, ineligible: int, held: int, undecided: int) -> dict[str, int]:
    return {
        "entered": entered,
        "incomplete": incomplete,
        "ineligible": ineligible,
        "held": held,
        "a_arbitrer": undecided,
    }


@pytest.mark.parametrize(
    ("counts", "robot_minutes", "handled", "saved"),
    [
        # 40 entered by the rules + 3 by agents, 6 letters, 6 ineligible, 1 held: 56 files x 30 min,
        # minus 4 agents' decisions x 5 min and 0.5 min of robot.
        (summary(43, 6, 6, 1, 4), 0.5, 56, 56 * 30 - 4 * 5 - 0.5),
        (summary(0, 0, 0, 0, 0), 0.0, 0, 0.0),
        # A file an agent entered is counted once, not as entered and as arbitrated.
        (summary(1, 0, 0, 0, 1), 0.2, 1, 30 - 5 - 0.2),
        # Files an agent held count too: the agent did not have to enter them by hand.
        (summary(0, 0, 0, 2, 2), 0.0, 2, 60 - 10),
    ],
)
def test_time_saved_counts_each_file_once(counts, robot_minutes, handled, saved) -> None:
    settings = load_settings()
    assert settings.manual_minutes_per_file == 30 and settings.agent_minutes_per_human_file == 5
    assert handled_files(counts) == handled
    figures = time_saved(counts, robot_minutes, settings)
    assert figures["minutes_gagnees"] == pytest.approx(round(saved, 1))
    assert figures["minutes_agent_arbitrage"] == counts["a_arbitrer"] * 5
