"""Human approval in the Airflow UI ("Required actions"), with the decision kept.

:class:`RecordedApproval` is the standard provider's ``ApprovalOperator`` (Airflow 3.1+
human-in-the-loop) that also writes who decided what and when into the run folder
(``decision.json``) before acting on it: a rejection skips the downstream tasks and its
return value is not kept, yet the run's report and alert must say who rejected it.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator

DECISION_FILE = "decision.json"


class RecordedApproval(ApprovalOperator):
    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        if "error" not in event:
            from include.rpa.paths import run_dir, write_json

            ti = context["ti"]
            when = event.get("responded_at")
            user = event.get("responded_by_user") or {}
            write_json(
                run_dir(ti.dag_id, ti.run_id) / DECISION_FILE,
                {
                    "chosen_options": event.get("chosen_options") or [],
                    "responded_by_user": {"id": user.get("id"), "name": user.get("name")},
                    "responded_at": when.isoformat() if hasattr(when, "isoformat") else when,
                },
            )
        return super().execute_complete(context=context, event=event)
