"""Stand-in for the HR department's intranet tool ("Portail RH"), which the
election_staff robot drives with Selenium to create temporary workers' files.

``create_app(settings)`` builds the app (tests); ``python -m sandbox`` serves
it on port 8081. See ``sandbox/README.md`` for pages, field ids and faults.
"""

from sandbox.hr_portal.app import create_app
from sandbox.hr_portal.settings import DEFAULT_PORT, DEMO_USERS, HrPortalSettings

__all__ = ["DEFAULT_PORT", "DEMO_USERS", "HrPortalSettings", "create_app"]
