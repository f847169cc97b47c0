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
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from include.processes.election_staff.config import get_election
from include.rpa.paths import data_dir, inbox_dir

DAG_ID = "election_staff_onboarding"
STOP_GRACE_SECONDS = 30


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


def request(method: str, path: str, token: str | None = None, body: dict | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base_url() + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as response:
        payload = response.read()
    return json.loads(payload) if payload else {}


def wait_until(check, timeout: float, what: str, process: subprocess.Popen) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"airflow standalone exited (code {process.returncode}) while waiting for {what}")
        try:
            result = check()
            if result:
                return result
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, KeyError):
            pass
        time.sleep(1)
    raise SystemExit(f"Timed out after {timeout:.0f} s waiting for {what}")


def admin_password() -> str | None:
    generated = Path(os.environ["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    if generated.exists():
        return json.loads(generated.read_text()).get("admin")
    return None


def trigger_demo(process: subprocess.Popen, folder: Path) -> None:
    password = wait_until(admin_password, 120, "the admin password file", process)
    token = request("POST", "/auth/token", body={"username": "admin", "password": password})["access_token"]
    wait_until(lambda: request("GET", f"/api/v2/dags/{DAG_ID}", token), 180, f"DAG {DAG_ID} to be parsed", process)
    request("PATCH", f"/api/v2/dags/{DAG_ID}", token, {"is_paused": False})
    run = request(
        "POST",
        f"/api/v2/dags/{DAG_ID}/dagRuns",
        token,
        {"logical_date": None, "conf": {"input_path": str(folder), "dry_run": False}},
    )
    print(f"Triggered {DAG_ID} on {folder}: run {run['dag_run_id']}")
    print(f"  follow it at {base_url()}/dags/{DAG_ID}/runs/{run['dag_run_id']}")
    print(f"  outputs in {data_dir() / 'runs' / DAG_ID / run['dag_run_id']}")
    print(f"  reports of every run: {base_url()}/rapports/")
    brexit = "brexit_residence_permits"
    wait_until(lambda: request("GET", f"/api/v2/dags/{brexit}", token), 180, f"DAG {brexit} to be parsed", process)
    request("PATCH", f"/api/v2/dags/{brexit}", token, {"is_paused": False})
    print(
        f"Brexit demo: {brexit_demo_inbox()} ; trigger it with `bin/airflow dags trigger brexit_residence_permits`"
        " (or ▶ in the UI), then answer the files it asks about under « Required actions »."
    )


def descendants(process: subprocess.Popen) -> list[psutil.Process]:
    try:
        return psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def stop(process: subprocess.Popen) -> int:
    """SIGINT to the group (standalone stops cleanly on it), then SIGKILL to what is left.

    Task processes start sessions of their own, so the process tree is
    collected first and reaped too.
    """
    tree = descendants(process)
    if process.poll() is None:
        print("\nStopping the embedded stack...", flush=True)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_GRACE_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    tree += descendants(process)
    for child in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    psutil.wait_procs(tree, timeout=10)
    process.wait()
    print("Embedded stack stopped.", flush=True)
    return 0


def stop_sandbox(sandbox: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(sandbox.pid, signal.SIGINT)
    try:
        sandbox.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(sandbox.pid, signal.SIGKILL)
        sandbox.wait()


def _default_sigint() -> None:
    # A background job of a non-interactive shell inherits SIGINT ignored; the
    # stack must stop on it whatever started us.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


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
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--no-access-log"], start_new_session=True, preexec_fn=_default_sigint
    )
    process = subprocess.Popen([str(airflow), "standalone"], start_new_session=True, preexec_fn=_default_sigint)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        wait_until(lambda: request("GET", "/api/v2/monitor/health"), 240, "the API server", process)
        print("\n" + "=" * 70)
        print(f"Airflow UI: {base_url()}  (login: admin / {admin_password() or 'see the log above'})")
        print(f"HR portal (sandbox): http://127.0.0.1:{os.environ.get('RPA_HR_PORTAL_PORT', '8081')}")
        print(f"Payroll portal (sandbox): http://127.0.0.1:{os.environ.get('RPA_PAYROLL_PORTAL_PORT', '8082')}")
        print(f"Alerts (Slack and e-mail): http://127.0.0.1:{os.environ.get('RPA_ALERT_CATCHER_PORT', '8026')}")
        print("Stop everything with Ctrl-C.")
        print("=" * 70 + "\n", flush=True)
        if not args.no_trigger:
            trigger_demo(process, folder)
        return process.wait()
    except KeyboardInterrupt:
        return stop(process)
    finally:
        if process.poll() is None:
            stop(process)
        stop_sandbox(sandbox)


if __name__ == "__main__":
    sys.exit(main())
