"""Serves the run folders (reports, letters, transfer files) in Airflow's API server under
``/rapports``, with a "Rapports des robots" entry in the UI's menu. The routes check the
caller's Airflow identity themselves: see ``include/rpa/report_server.py``."""

from __future__ import annotations

from typing import ClassVar

from airflow.plugins_manager import AirflowPlugin

from include.rpa.report_server import URL_PREFIX, create_app


class RpaReportsPlugin(AirflowPlugin):
    name = "rpa_reports"
    fastapi_apps: ClassVar[list] = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "Rapports des robots"}]
    external_views: ClassVar[list] = [
        {"name": "Rapports des robots", "href": f"{URL_PREFIX}/", "destination": "nav", "category": "browse"}
    ]
