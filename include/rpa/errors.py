"""Errors whose message an agent reads (in French), and what Airflow makes of each.

The class of an error says what a task does with it (one mapping, in
:func:`include.rpa.tasks.airflow_outcome`), as Robocorp's work items do:

- :class:`NoInputError`: nothing to process: the task is skipped;
- :class:`NotRetried`: bad input, a business refusal or a wrong configuration (a refused
  login, a dataset check that fails, a reconciliation that finds differences): trying again
  gives the same answer, so the task fails at once, without Airflow's retries;
- any other error, :class:`RpaError` included: an application failure (the target was down,
  a batch left records behind): Airflow retries the task, and what was done is skipped
  through the ledger.
"""

from __future__ import annotations


class RpaError(Exception):
    """Base class: the message is French and safe to show (no personal data)."""


class NotRetried(RpaError):
    """Retrying would give the same answer: the task fails at once (see the module's docstring)."""


class NoInputError(RpaError):
    """Nothing to process (the day's inbox folder is empty or absent, a day out of season).

    ``details`` go into the run's ``intake.json`` beside the reason (e.g. ``hors_periode``).
    """

    def __init__(self, message: str, **details: object) -> None:
        self.details = details
        super().__init__(message)


class IntakeError(NotRetried):
    """One or more input files cannot be read at all (or no input was named)."""

    def __init__(self, problems: list[str], *, heading: str = "Fichier(s) illisible(s) :") -> None:
        self.problems = problems
        super().__init__(heading + "\n- " + "\n- ".join(problems))


class DatasetCheckError(NotRetried):
    """A dataset-level expectation failed: the run must stop."""


class ConfigurationError(NotRetried):
    """A setting or a Connection is wrong (an empty address, a refused robot account)."""


class ReconciliationMismatch(NotRetried):
    """The target holds something else than what was meant, or less than was meant."""


class RunFailed(NotRetried):
    """The run's report judged the run failed (the report and the alert are out)."""
