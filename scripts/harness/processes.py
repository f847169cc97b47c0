"""Processes the tests, benchmarks and scripts start: a free port, a process group of its own
that stops cleanly, a wait with a deadline, and the sweep of whatever a run left behind.

A child started here runs in a session (process group) of its own with SIGINT restored, so that
``stop_group`` can stop it and everything it started (Airflow's task processes, browsers) with
one signal, then kill what is left. Airflow's task processes start sessions of their own: the
process tree is collected before the signal so that they are reaped too.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
STOP_GRACE_SECONDS = 30
# What a check may raise while a server is still starting: it is asked again.
NOT_YET: tuple[type[BaseException], ...] = (OSError, ConnectionError, TimeoutError, KeyError, ValueError)


class StackError(RuntimeError):
    """A process exited, or a wait ran out of time."""


def free_port(host: str = "127.0.0.1") -> int:
    """A free TCP port on ``host`` (loopback)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def restore_default_sigint() -> None:
    """A ``preexec_fn``: a background job of a non-interactive shell inherits SIGINT ignored;
    restore it, so that the child's process group can be stopped cleanly with SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_group(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = REPO,
    log: Path | None = None,
) -> subprocess.Popen:
    """``args`` in a process group (session) of its own with SIGINT restored, in ``cwd`` (None:
    this process's); its output appended to ``log`` (inherited without one)."""
    handle = log.open("ab") if log is not None else None
    try:
        return subprocess.Popen(
            list(args),
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdout=handle,
            stderr=subprocess.STDOUT if handle is not None else None,
            start_new_session=True,
            preexec_fn=restore_default_sigint,
        )
    finally:
        if handle is not None:
            handle.close()


def descendants(pid: int) -> list:
    """Every live descendant of ``pid`` (psutil processes)."""
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def stop_groups(
    processes: Mapping[str, subprocess.Popen], *, sig: int = signal.SIGINT, grace: float = STOP_GRACE_SECONDS
) -> list[str]:
    """Send ``sig`` to each process group in the order given, wait up to ``grace`` seconds for them
    all, then SIGKILL the groups and every descendant collected before and after the signal.

    What had to be killed: ``"<name> (after N s)"`` for a process still running after the grace
    period, then the command line of each descendant still running.
    """
    import psutil

    tree = [child for process in processes.values() for child in descendants(process.pid)]
    for process in processes.values():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
    deadline = time.monotonic() + grace
    for process in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    killed = [f"{name} (after {grace:.0f} s)" for name, process in processes.items() if process.poll() is None]
    tree += [child for process in processes.values() for child in descendants(process.pid)]
    for process in processes.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    for child in tree:
        with contextlib.suppress(psutil.Error):
            if child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
                killed.append(" ".join(child.cmdline())[:200])
                child.kill()
    psutil.wait_procs(tree, timeout=10)
    for process in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    return killed


def stop_group(process: subprocess.Popen, *, sig: int = signal.SIGINT, grace: float = STOP_GRACE_SECONDS) -> list[str]:
    """:func:`stop_groups` for one process (``airflow standalone`` and ``python -m sandbox`` stop
    cleanly on SIGINT)."""
    return stop_groups({"process": process}, sig=sig, grace=grace)


def wait_until(
    check: Callable[[], Any],
    timeout: float,
    what: str,
    *,
    dead: Callable[[], str | None] = lambda: None,
    interval: float = 1.0,
    not_yet: tuple[type[BaseException], ...] = NOT_YET,
    hint: str = "",
) -> Any:
    """Call ``check`` every ``interval`` s until it returns something true (returned); what it raises
    among ``not_yet`` counts as "not yet". :class:`StackError` when ``dead()`` names a process that
    exited, or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        exited = dead()
        if exited:
            raise StackError(f"{exited} exited while waiting for {what}{hint}")
        try:
            result = check()
            if result:
                return result
        except not_yet:
            pass
        if time.monotonic() > deadline:
            raise StackError(f"timed out after {timeout:.0f} s waiting for {what}{hint}")
        time.sleep(interval)


def exited(process: subprocess.Popen, name: str) -> Callable[[], str | None]:
    """A ``dead`` callable for :func:`wait_until`: ``"<name> (code N)"`` once ``process`` has exited."""
    return lambda: f"{name} (code {process.returncode})" if process.poll() is not None else None


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether ``url`` answers 200 (no proxy: loopback)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


# --------------------------------------------------------------------------- leftovers


def leftovers(marker_env: str, marker: str) -> list:
    """Live processes (not this one nor its parents) whose environment has ``marker_env=marker``."""
    import psutil

    protected = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    found = []
    for proc in psutil.process_iter(["pid"]):
        if proc.pid in protected:
            continue
        with contextlib.suppress(psutil.Error, OSError):
            if proc.environ().get(marker_env) != marker or proc.status() == psutil.STATUS_ZOMBIE:
                continue
            if proc.ppid() == os.getpid() and "multiprocessing.resource_tracker" in " ".join(proc.cmdline()):
                continue  # multiprocessing's own helper: it ends with this process
            found.append(proc)
    return found


def sweep(marker_env: str, marker: str) -> dict[str, Any]:
    """Kill what a run marked with ``marker_env=marker`` started and left running; what was found
    (names and count), and how many browser processes are left."""
    import psutil

    found = leftovers(marker_env, marker)
    names: dict[str, int] = {}
    for proc in found:
        with contextlib.suppress(psutil.Error):
            names[proc.name()] = names.get(proc.name(), 0) + 1
            proc.kill()
    psutil.wait_procs(found, timeout=10)
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    browsers = [p for p in leftovers(marker_env, marker) if p.name().startswith("chrom")]
    return {"killed": len(found), "killed_by_name": names, "browser_processes_left": len(browsers)}


# --------------------------------------------------------------------------- chromedriver


class ChromedriverServer:
    """A bare chromedriver in server mode on a free loopback port: a real W3C remote end, as a
    Selenium Grid is for the robot (``RPA_WEBDRIVER_URL``). ``log_path``: its INFO log (one
    ``InitSession`` command per browser opened)."""

    def __init__(self, log_path: Path | None = None, timeout: float = 10) -> None:
        port = free_port()
        logging = [f"--log-path={log_path}", "--log-level=INFO"] if log_path else []
        self.process = subprocess.Popen(
            ["/usr/bin/chromedriver", f"--port={port}", *logging],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path

        def ready() -> bool:
            with urllib.request.urlopen(f"{self.url}/status", timeout=1) as response:
                return json.load(response)["value"]["ready"]

        try:
            wait_until(ready, timeout, "chromedriver", dead=exited(self.process, "chromedriver"), interval=0.05)
        except StackError:
            self.stop()
            raise

    def sessions_opened(self) -> int:
        """Browsers opened through it so far (from its log)."""
        assert self.log_path is not None
        return self.log_path.read_text(errors="replace").count("COMMAND InitSession")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
