"""Each robot's settings, in one file for every process (config/robots.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from include.rpa.policy import RobotPolicy, robot_policy


def test_each_process_has_its_settings_over_the_defaults() -> None:
    onboarding = robot_policy("election_staff_onboarding")
    assert (onboarding.batch_size, onboarding.max_attempts, onboarding.fresh_tab_every) == (200, 6, 100)
    assert robot_policy("brexit_residence_permits").batch_size == 100
    assert robot_policy("election_staff_payment").batch_size == 200
    assert robot_policy("a_new_process") == robot_policy("election_staff_onboarding")


def test_another_file_by_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "robots.toml"
    path.write_text("[defaults]\nmax_attempts = 2\n[election_staff_payment]\nbatch_size = 7\n", encoding="utf-8")
    monkeypatch.setenv("RPA_ROBOTS_CONFIG", str(path))
    payment = robot_policy("election_staff_payment")
    assert (payment.batch_size, payment.max_attempts, payment.backoff_seconds) == (7, 2, 0.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[defaults]\nbatch_sise = 10\n", "unknown settings"),
        ("[defaults]\nbatch_size = 0\n", "must be >= 1"),
        ("[x]\nlease_seconds = 0\n", "lease_seconds must be > 0"),
        ("x = 1\n", "must be a table"),
    ],
)
def test_a_wrong_setting_fails_loudly(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / f"robots-{abs(hash(text))}.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        robot_policy("x", path)


def test_backoff_doubles_up_to_its_ceiling() -> None:
    policy = RobotPolicy(backoff_seconds=0.5, max_backoff_seconds=3.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
