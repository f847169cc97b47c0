"""Stand-ins for the legacy intranet apps the robots drive (not deployed in production).

They behave like the real ones: server-rendered French forms, login with a
session cookie and CSRF tokens, server-side validation, a search page, a
confirmation page with the new file number, a CSV export at ``/export.csv``
and their own database; and they misbehave on demand (fault injection, see
``sandbox.common.faults``).

- ``sandbox.hr_portal``: the HR portal ("Portail RH"), port 8081.

``python -m sandbox`` serves them all (see ``sandbox/__main__.py``);
``sandbox/README.md`` documents pages, field ids and environment variables.
"""
