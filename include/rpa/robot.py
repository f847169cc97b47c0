"""The record loop every data-entry robot runs: claim, search, create, file the outcome.

For each record of a batch, in one browser already open:

1. **claim** it in the ledger (one atomic UPDATE: of two tasks racing on a record, one
   types it); a record another task holds is left alone, one already done is skipped;
2. **search** the target by business key: a record stored by an earlier attempt that died
   before writing the ledger (lost confirmation, killed task) is found, not typed again;
3. otherwise **create** it through the target's screens and read its file number;
4. **file** the outcome: ``entered`` (with the file number), ``rejected`` (the target refused
   the data: a business failure, never retried, its messages kept), or after the retries
   ``failed`` (the target misbehaved: an application failure, retried by a later attempt).

Application failures (error page, timeout, unreachable app, page not as expected) are
retried with exponential backoff, starting over at the search; an expired session logs in
again first (not counted as an attempt, up to :data:`MAX_RELOGINS_PER_RECORD`). After
``abort_after_consecutive_failures`` records failed in a row the batch stops: the app is
down or has changed, and hammering it helps nobody; the rest of the batch stays ``pending``
for the next attempt. SIGTERM (:class:`BrowserTerminated`) and any unexpected error give the
record being typed back to the ledger before they propagate.

The process supplies a :class:`Target` (its page objects: log in, find, create); nothing
here knows about a particular application. No personal data is logged: records are named by
their label (file and line), errors are masked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver

from include.rpa.browser import fresh_tab
from include.rpa.evidence import capture
from include.rpa.ledger import DONE, REJECTED, Ledger
from include.rpa.pages import AlreadyExists, LoginRefused, PageChanged, SessionExpired, TargetRefused, TargetUnavailable
from include.rpa.pii import mask_text
from include.rpa.policy import RobotPolicy

log = logging.getLogger(__name__)

# Outcomes of one record in one batch.
ENTERED = "entered"  # typed by this attempt
FOUND = "found"  # already in the target (an earlier, interrupted attempt stored it): recorded, not typed
DONE_BEFORE = "done_before"  # the ledger says entered/verified (another task or run did it meanwhile)
REJECTED_NOW = "rejected"  # the target refused the data
FAILED = "failed"  # the target kept misbehaving
BUSY = "busy"  # another live task holds the record
NOT_ATTEMPTED = "not_attempted"  # the batch stopped before reaching it
MAX_RELOGINS_PER_RECORD = 3


class Target(Protocol):
    """A process's services on its target app (implemented with its page objects)."""

    def log_in(self, driver: WebDriver) -> None: ...

    def find(self, driver: WebDriver, key: str) -> str | None:
        """The file number of the record with this business key, or None."""

    def create(self, driver: WebDriver, record: Mapping[str, str]) -> str:
        """Type the record; its new file number (raise AlreadyExists if it is there already)."""


@dataclass(frozen=True)
class Job:
    key: str  # business key (personal data: never logged)
    record: Mapping[str, str]
    label: str  # how reports and logs name it (file and line)


@dataclass
class Outcome:
    label: str
    result: str
    receipt: str | None = None
    seconds: float = 0.0
    attempts: int = 0
    reason: str | None = None  # French, masked
    evidence: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "result": self.result,
            "receipt": self.receipt,
            "seconds": round(self.seconds, 3),
            "attempts": self.attempts,
            "reason": self.reason,
            "evidence": self.evidence,
        }


@dataclass
class BatchResult:
    outcomes: list[Outcome] = field(default_factory=list)
    aborted: str | None = None  # why the batch stopped early (French)
    logins: int = 0
    retries: int = 0
    seconds: float = 0.0

    def count(self, result: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.result == result)


class RecordLoop:
    """Types a batch of records into a target with one browser (see the module's docstring)."""

    def __init__(
        self,
        driver: WebDriver,
        target: Target,
        ledger: Ledger,
        *,
        process: str,
        scope: str,
        worker: str,
        run_id: str | None = None,
        policy: RobotPolicy | None = None,
        evidence_dir: Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.driver = driver
        self.target = target
        self.ledger = ledger
        self.process, self.scope, self.worker, self.run_id = process, scope, worker, run_id
        self.policy = policy or RobotPolicy()
        self.evidence_dir = evidence_dir
        self.sleep = sleep
        self._logged_in = False
        self.result = BatchResult()

    def run(self, jobs: Iterable[Job], progress_every: int = 50) -> BatchResult:
        started = time.perf_counter()
        jobs = list(jobs)
        consecutive_failures = 0
        typed = 0
        for index, job in enumerate(jobs):
            if self.result.aborted:
                self.result.outcomes.append(Outcome(job.label, NOT_ATTEMPTED, reason=self.result.aborted))
                continue
            outcome = self._one(job)
            self.result.outcomes.append(outcome)
            if outcome.result == FAILED:
                consecutive_failures += 1
                if consecutive_failures >= self.policy.abort_after_consecutive_failures:
                    self.result.aborted = (
                        f"lot interrompu après {consecutive_failures} dossiers en échec consécutifs "
                        f"(dernier motif : {outcome.reason})"
                    )
                    log.error("Lot interrompu : %s", self.result.aborted)
            elif outcome.result in (ENTERED, FOUND, REJECTED_NOW):
                consecutive_failures = 0
            if outcome.result in (ENTERED, FOUND, REJECTED_NOW, FAILED):
                typed += 1
                if self.policy.fresh_tab_every and typed % self.policy.fresh_tab_every == 0:
                    fresh_tab(self.driver)
            if progress_every and (index + 1) % progress_every == 0:
                log.info("%d/%d dossiers traités : %s", index + 1, len(jobs), self._tally())
        self.result.seconds = time.perf_counter() - started
        log.info("Lot terminé en %.1f s : %s", self.result.seconds, self._tally())
        return self.result

    # ----------------------------------------------------------------------- one record

    def _one(self, job: Job) -> Outcome:
        started = time.perf_counter()
        outcome = Outcome(job.label, BUSY)
        if not self.ledger.claim(
            self.process, self.scope, job.key, self.worker, self.policy.lease_seconds, run_id=self.run_id
        ):
            return self._not_claimed(job, outcome)
        try:
            self._attempts(job, outcome)
        except BaseException:
            # SIGTERM, a dead browser, a bug: give the record back, then let it propagate.
            self.ledger.release(self.process, self.scope, job.key, run_id=self.run_id)
            raise
        finally:
            outcome.seconds = time.perf_counter() - started
        if outcome.result in (ENTERED, FOUND):
            self.ledger.mark_entered(
                self.process, self.scope, job.key, receipt=outcome.receipt, seconds=outcome.seconds, run_id=self.run_id
            )
        elif outcome.result == REJECTED_NOW:
            self.ledger.mark_rejected(self.process, self.scope, job.key, outcome.reason or "", run_id=self.run_id)
        else:
            self.ledger.mark_failed(self.process, self.scope, job.key, outcome.reason or "", run_id=self.run_id)
        return outcome

    def _attempts(self, job: Job, outcome: Outcome) -> None:
        relogins = 0
        while True:
            outcome.attempts += 1
            try:
                if not self._logged_in:
                    self.target.log_in(self.driver)
                    self._logged_in = True
                    self.result.logins += 1
                receipt = self.target.find(self.driver, job.key)
                if receipt is not None:
                    outcome.result, outcome.receipt = FOUND, receipt
                    return
                outcome.receipt = self.target.create(self.driver, job.record)
                outcome.result = ENTERED
                return
            except AlreadyExists as exc:
                outcome.result, outcome.receipt = FOUND, exc.receipt
                return
            except LoginRefused:
                raise
            except TargetRefused as exc:
                outcome.result, outcome.reason = REJECTED_NOW, mask_text(str(exc))
                outcome.evidence = self._evidence(job, "refus")
                return
            except SessionExpired as exc:
                self._logged_in = False
                relogins += 1
                if relogins <= MAX_RELOGINS_PER_RECORD:
                    outcome.attempts -= 1  # not the record's fault
                    continue
                if self._give_up(job, outcome, exc):
                    return
            except (TargetUnavailable, PageChanged) as exc:
                if self._give_up(job, outcome, exc):
                    return
            except WebDriverException as exc:
                outcome.reason = mask_text(f"navigateur hors d'usage : {type(exc).__name__}")
                raise

    def _give_up(self, job: Job, outcome: Outcome, exc: Exception) -> bool:
        """After a failed attempt: True when it was the last one (outcome filed), else wait."""
        outcome.reason = mask_text(str(exc))
        if outcome.attempts >= self.policy.max_attempts:
            outcome.result = FAILED
            outcome.reason = f"{outcome.reason} (après {outcome.attempts} tentatives)"
            outcome.evidence = self._evidence(job, "echec")
            log.warning("%s : échec après %d tentatives : %s", job.label, outcome.attempts, outcome.reason)
            return True
        self.result.retries += 1
        log.info("%s : tentative %d en échec (%s), nouvel essai", job.label, outcome.attempts, type(exc).__name__)
        self.sleep(self.policy.backoff(outcome.attempts))
        return False

    def _not_claimed(self, job: Job, outcome: Outcome) -> Outcome:
        row = self.ledger.get(self.process, self.scope, job.key) or {}
        state = row.get("state")
        if state in DONE:
            outcome.result, outcome.receipt = DONE_BEFORE, row.get("receipt")
        elif state == REJECTED:
            outcome.result, outcome.reason = REJECTED_NOW, row.get("last_error")
        else:
            outcome.reason = "dossier en cours de saisie par un autre traitement"
        return outcome

    def _evidence(self, job: Job, kind: str) -> list[str]:
        if self.evidence_dir is None:
            return []
        return capture(self.driver, self.evidence_dir, f"{job.label}-{kind}")

    def _tally(self) -> str:
        counts: dict[str, int] = {}
        for outcome in self.result.outcomes:
            counts[outcome.result] = counts.get(outcome.result, 0) + 1
        return ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
