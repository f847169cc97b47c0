"""Stand-in for the foreigners' management application ("AGDREF"), which the Brexit robot
drives with Selenium to enter each Withdrawal Agreement residence-permit file.

A file is typed over four screens (identity, residence history, documents, decision);
the draft stays on the server and the file is stored only at the last screen, which
gives it its 10-digit foreigner number ("numéro étranger").
``create_app(settings)`` builds the app (tests); ``python -m sandbox`` serves it on
port 8083. See ``sandbox/README.md`` for pages, field ids and faults.
"""

from sandbox.foreigners_portal.app import create_app
from sandbox.foreigners_portal.settings import DEFAULT_PORT, DEMO_USERS, ForeignersPortalSettings

__all__ = ["DEFAULT_PORT", "DEMO_USERS", "ForeignersPortalSettings", "create_app"]
