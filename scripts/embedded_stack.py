"""`make run`: the embedded stack in the foreground.

Writes the demo inbox if it is empty, starts ``airflow standalone``
(LocalExecutor on SQLite) and the sandbox target apps (``python -m sandbox``)
in process groups of their own, waits until the API server
answers, prints the URL and the admin login, unpauses and triggers
``election_staff_onboarding`` on the demo file, then waits. Ctrl-C or SIGTERM
stops the whole process group (scheduler, API server, DAG processor,
triggerer, task processes): nothing is left behind.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from include.processes.election_staff.config import get_election
from include.rpa.paths import data_dir, inbox_dir
from scripts.harness.airflow_api import AirflowApi, admin_password
from scripts.harness.processes import StackError, exited, start_group, stop_group

DAG_ID = "election_staff_onboarding"
STOP_GRACE_SECONDS = 30


def airflow_home() -> Path:
    return Path(os.environ["AIRFLOW_HOME"])


def base_url() -> str:
    return os.environ.get("AIRFLOW__API__BASE_URL", "http://127.0.0.1:8080").rstrip("/")


def demo_inbox() -> Path:
    """The demo department file, in the inbox folder of the election's first day."""
    folder = inbox_dir("election_staff", get_election().period_start)
    if not any(folder.glob("*.csv")):
        from include.processes.election_staff.demo import write_demo_inbox

        path = write_demo_inbox(folder, rows=1400, defect_share=0.03)
        print(f"Demo inbox written: {path}")
    return folder


def brexit_demo_inbox() -> Path:
    """A demo export of the Brexit application portal in today's inbox (the DAG's default input)."""
    import datetime as dt

    folder = inbox_dir("brexit", dt.date.today())
    if not any(folder.glob("*.csv")):
        from include.processes.brexit.demo import write_demo_inbox as write_brexit_demo

        path = write_brexit_demo(folder, count=300)
        print(f"Brexit demo inbox written: {path}")
    return folder


def trigger_demo(api: AirflowApi, folder: Path) -> None:
    api.log_in(api.wait_until(lambda: admin_password(airflow_home()), 120, "the admin password file"))
    api.unpause(DAG_ID, timeout=180)
    run_id = api.trigger(DAG_ID, {"input_path": str(folder), "dry_run": False})
    print(f"Triggered {DAG_ID} on {folder}: run {run_id}")
    print(f"  follow it at {base_url()}/dags/{DAG_ID}/runs/{run_id}")
    print(f"  outputs in {data_dir() / 'runs' / DAG_ID / run_id}")
    print(f"  reports of every run: {base_url()}/rapports/")
    brexit = "brexit_residence_permits"
    api.unpause(brexit, timeout=180)
    print(
        f"Brexit demo: {brexit_demo_inbox()} ; trigger it with `bin/airflow dags trigger brexit_residence_permits`"
        " (or ▶ in the UI), then answer the files it asks about under « Required actions »."
    )


def stop(process: subprocess.Popen) -> int:
    """SIGINT to the group (standalone stops cleanly on it), then SIGKILL to what is left, task
    processes (sessions of their own) included."""
    if process.poll() is None:
        print("\nStopping the embedded stack...", flush=True)
    stop_group(process, grace=STOP_GRACE_SECONDS)
    print("Embedded stack stopped.", flush=True)
    return 0


def prepare_home(airflow: Path) -> None:
    """Migrate the metadata database of AIRFLOW_HOME once, then load the Connections and Pools
    (every start: the settings file may have changed; without the hr_portal pool the robot's
    tasks would never be scheduled)."""
    stamp = Path(os.environ["AIRFLOW_HOME"]) / ".migrated"
    if not stamp.exists():
        subprocess.run([str(airflow), "db", "migrate"], check=True, stdout=subprocess.DEVNULL)
        stamp.touch()
    subprocess.run([sys.executable, str(Path(__file__).with_name("load_settings.py"))], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-trigger", action="store_true", help="start the stack without triggering the demo")
    parser.add_argument("--input", type=Path, help="trigger the onboarding on this file or folder instead of the demo")
    args = parser.parse_args()
    folder = args.input.resolve() if args.input else demo_inbox()
    airflow = Path(sys.executable).with_name("airflow")
    prepare_home(airflow)
    sandbox = start_group([sys.executable, "-m", "sandbox", "--no-access-log"], cwd=None)
    process = start_group([str(airflow), "standalone"], cwd=None)
    api = AirflowApi(base_url(), timeout=10, dead=exited(process, "airflow standalone"))

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        api.wait_until(lambda: api.request("GET", "/api/v2/monitor/health"), 240, "the API server")
        print("\n" + "=" * 70)
        print(f"Airflow UI: {base_url()}  (login: admin / {admin_password(airflow_home()) or 'see the log above'})")
        print(f"HR portal (sandbox): http://127.0.0.1:{os.environ.get('RPA_HR_PORTAL_PORT', '8081')}")
        print(f"Payroll portal (sandbox): http://127.0.0.1:{os.environ.get('RPA_PAYROLL_PORTAL_PORT', '8082')}")
        print(f"Alerts (Slack and e-mail): http://127.0.0.1:{os.environ.get('RPA_ALERT_CATCHER_PORT', '8026')}")
        print("Stop everything with Ctrl-C.")
        print("=" * 70 + "\n", flush=True)
        if not args.no_trigger:
            trigger_demo(api, folder)
        return process.wait()
    except KeyboardInterrupt:
        return stop(process)
    except StackError as exc:
        raise SystemExit(str(exc)) from None
    finally:
        if process.poll() is None:
            stop(process)
        stop_group(sandbox, grace=15)


if __name__ == "__main__":
    sys.exit(main())
