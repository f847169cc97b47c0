"""Errors whose message an agent reads (in French)."""

from __future__ import annotations


class RpaError(Exception):
    """Base class: the message is French and safe to show (no personal data)."""


class IntakeError(RpaError):
    """One or more input files cannot be read at all."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Fichier(s) illisible(s) :\n- " + "\n- ".join(problems))


class DatasetCheckError(RpaError):
    """A dataset-level expectation failed: the run must stop."""


class NoInputError(RpaError):
    """Nothing to process (the day's inbox folder is empty or absent)."""
