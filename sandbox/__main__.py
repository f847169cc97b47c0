"""``python -m sandbox``: serve the stand-in apps in the foreground until Ctrl-C / SIGTERM.

    python -m sandbox                # every app (HR portal on 8081)
    python -m sandbox --reset        # empty their databases first (demo accounts recreated)
    python -m sandbox --only hr_portal

Host: ``RPA_SANDBOX_HOST`` (default 127.0.0.1); ports: ``RPA_HR_PORTAL_PORT``
(8081)...; faults: see ``sandbox.common.faults``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from sandbox.common.server import Served, serve_all
from sandbox.registry import APPS, AppEntry


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Serve the sandbox stand-in apps.")
    parser.add_argument("--reset", action="store_true", help="empty the apps' databases before starting")
    parser.add_argument(
        "--only", action="append", choices=[a.name for a in APPS], help="serve only this app (repeatable)"
    )
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    parser.add_argument("--no-access-log", action="store_true", help="do not log every request")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    host = os.environ.get("RPA_SANDBOX_HOST", "").strip() or "127.0.0.1"
    entries: list[AppEntry] = [a for a in APPS if not args.only or a.name in args.only]
    served = []
    for entry in entries:
        if args.reset:
            entry.reset()
            print(f"{entry.title}: database emptied")
        port = entry.port(os.environ)
        served.append(Served(entry.name, entry.build(), host, port))
        logins = ", ".join(f"{user} / {password}" for user, password in entry.demo_logins) or "none"
        faults = ", ".join(entry.faults()) or "none"
        print(f"{entry.title}: http://{host}:{port}/  (demo logins: {logins}; faults: {faults})")
    sys.stdout.flush()
    asyncio.run(serve_all(served, log_level=args.log_level, access_log=not args.no_access_log))
    return 0


if __name__ == "__main__":
    sys.exit(main())
