"""Stand-in for the prefecture's legacy payroll tool ("Portail paie"), which the
election_staff robot drives with Selenium to pay temporary workers' allowances.

The workers' files are the HR portal's (its database is read, never written), as in
the integrated HR/payroll suite it imitates: a worker created in HR is payable.
``create_app(settings)`` builds the app (tests); ``python -m sandbox`` serves it on
port 8082. See ``sandbox/README.md`` for pages, field ids and faults.
"""

from sandbox.payroll_portal.app import create_app
from sandbox.payroll_portal.settings import DEFAULT_PORT, DEMO_USERS, PayrollPortalSettings

__all__ = ["DEFAULT_PORT", "DEMO_USERS", "PayrollPortalSettings", "create_app"]
