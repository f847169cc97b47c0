"""The robots' WebDriver factory: one call, local headless Chromium or a remote end.

``open_browser()`` starts Debian's headless Chromium through ``/usr/bin/chromedriver``
unless ``RPA_WEBDRIVER_URL`` names a W3C remote end (a Selenium Grid in the compose
deployment), and always leaves nothing behind:

- the ``with`` block quits the browser on normal exit and on any exception; while a
  browser is open, SIGTERM (Airflow's task timeout or "mark as failed") raises
  :class:`BrowserTerminated` so that this cleanup runs too;
- a SIGKILLed task cannot clean up, so every browser is recorded in
  ``<RPA_DATA_DIR>/browsers/<owner pid>-<n>.json`` (owner PID and start time,
  chromedriver's and Chromium's PIDs, its process group and temporary folder, or the
  remote session) and ``reap_orphan_browsers()``, called at the start of every robot
  task, kills what a dead owner left running.

Chromium's crash handlers double-fork and its processes exit asynchronously after
``quit()``: while a browser is open the owner is made a child subreaper (Linux), so
these processes stay its children and their zombies are reaped here rather than piling
up under PID 1 (which does not always reap, e.g. in a container without an init).
"""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import json
import logging
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from include.rpa.paths import data_dir

log = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WEBDRIVER_URL_ENV = "RPA_WEBDRIVER_URL"
WEBDRIVER_BINARY_ENV = "RPA_WEBDRIVER_BINARY"
WINDOW_SIZE = (1280, 900)
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    f"--window-size={WINDOW_SIZE[0]},{WINDOW_SIZE[1]}",
)
POLL_SECONDS = 0.1
_HOST = socket.gethostname()
_KILL_WAIT_SECONDS = 5.0
_PR_SET_CHILD_SUBREAPER = 36
_PR_GET_CHILD_SUBREAPER = 37

# JavaScript functions shared by every script that changes a form as a user would
# (set_value here, Page._fill_all in include/rpa/pages.py): prepend to a script.
SET_VALUE_JS_FUNCTIONS = """
const rpaFire = (element) => {
  element.dispatchEvent(new Event('input', {bubbles: true}));
  element.dispatchEvent(new Event('change', {bubbles: true}));
};
const rpaSetValue = (element, value) => {
  const proto = element instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype
      : element instanceof HTMLSelectElement ? HTMLSelectElement.prototype
      : HTMLInputElement.prototype;
  // The prototype's setter, so that frameworks tracking the value see the change.
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(element, value);
  rpaFire(element);
};
"""
_SET_VALUE_JS = SET_VALUE_JS_FUNCTIONS + "rpaSetValue(arguments[0], arguments[1]);"


class BrowserTerminated(SystemExit):
    """SIGTERM arrived while a browser was open.

    A ``SystemExit`` (exit status 128 + signal number) rather than an ``Exception``, so that
    a robot's per-record ``except Exception`` does not swallow it: the task ends, its
    ``finally`` blocks quit the browser, and Airflow counts a failure eligible for retry.
    """


# --------------------------------------------------------------------------- public API


PAGE_LOAD_TIMEOUT_SECONDS = 30


@contextlib.contextmanager
def open_browser(*, label: str = "robot") -> Iterator[WebDriver]:
    """A WebDriver for the ``with`` block: local headless Chromium, or ``RPA_WEBDRIVER_URL``'s remote end."""
    url = os.environ.get(WEBDRIVER_URL_ENV, "").strip()
    with _process_guard():
        registry, record = _create_registry(label, remote_url=url or None)
        driver: WebDriver | None = None
        try:
            if url:
                driver = _start_remote(url)
                record["session_id"] = driver.session_id
            else:
                driver, record = _start_local(registry, record)
            _write_record(registry, record)
            driver.implicitly_wait(0)
            # A hung legacy app must not hold a page load for Selenium's default 300 s.
            driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT_SECONDS)
            yield driver
        finally:
            _close(driver, registry, record)


def reap_orphan_browsers() -> int:
    """Kill the browsers whose owner process is gone; return how many processes were killed.

    Call it at the start of every robot task: an Airflow retry of a SIGKILLed task then
    cleans up what its predecessor left running (local processes, or the remote session).
    Browsers of live owners, and those recorded by another host, are left alone.
    """
    killed = 0
    folder = registry_dir()
    if not folder.is_dir():
        return 0
    for path in sorted(folder.glob("*.json")):
        record = _read_record(path)
        if record is None:
            _drop_unreadable(path)
            continue
        if record.get("host", _HOST) != _HOST or _owner_alive(record):
            continue  # another machine's (shared RPA_DATA_DIR): its PIDs mean nothing here
        count = _kill_tree(record)
        _end_remote_session(record)
        _remove_workdir(record)
        path.unlink(missing_ok=True)
        log.info("Navigateur orphelin nettoyé (%s, %d processus tués)", path.name, count)
        killed += count
    _reap_zombie_children()
    return killed


def registry_dir() -> Path:
    return data_dir() / "browsers"


def fresh_tab(driver: WebDriver) -> str:
    """Continue in a new tab and close every other one (a long-lived tab slows down and grows)."""
    old_handles = list(driver.window_handles)
    driver.switch_to.new_window("tab")
    new_handle = driver.current_window_handle
    for handle in old_handles:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(new_handle)
    return new_handle


def wait(driver: WebDriver, timeout: float = 10) -> WebDriverWait:
    """A WebDriverWait polling every 0.1 s (the default 0.5 s is long for a record of a few hundred ms)."""
    return WebDriverWait(driver, timeout, poll_frequency=POLL_SECONDS)


def set_value(driver: WebDriver, element: WebElement, value: str) -> None:
    """Set an input's, textarea's or select's value in one script call and fire ``input`` and ``change``."""
    driver.execute_script(_SET_VALUE_JS, element, "" if value is None else str(value))


def select_option(element: WebElement, visible_text: str) -> None:
    """Choose a ``<select>`` option by its visible text (fires the page's ``change`` listeners)."""
    Select(element).select_by_visible_text(visible_text)


# --------------------------------------------------------------------------- starting


def _options(binary: str | None) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.page_load_strategy = "normal"
    if binary:
        options.binary_location = binary
    return options


def _start_local(registry: Path, record: dict[str, Any]) -> tuple[WebDriver, dict[str, Any]]:
    label = re.sub(r"[^A-Za-z0-9_.-]+", "-", record.get("label", "robot"))[:40]
    workdir = Path(tempfile.mkdtemp(prefix=f"rpa-browser-{label}-"))
    # Recorded before anything starts: every process whose command line names this
    # folder (chromedriver's log path, Chromium's profile) belongs to this browser.
    record["workdir"] = str(workdir)
    _write_record(registry, record)
    options = _options(os.environ.get(WEBDRIVER_BINARY_ENV, "").strip() or CHROMIUM)
    options.add_argument(f"--user-data-dir={workdir / 'profile'}")
    service = Service(
        CHROMEDRIVER,
        service_args=[f"--log-path={workdir / 'chromedriver.log'}", "--log-level=WARNING"],
        # Its own process group: chromedriver and all of Chromium can be found (and
        # killed) together, and a Ctrl-C in a terminal reaches only the Python side.
        popen_kw={"start_new_session": True},
    )
    before = {child.pid for child in psutil.Process().children()}
    try:
        driver = webdriver.Chrome(service=service, options=options)
    finally:
        process = getattr(service, "process", None)
        if process is not None:
            record["pgid"] = process.pid
            record["pids"] = _describe(_browser_processes(process.pid, before))
            _write_record(registry, record)
    return driver, record


def _start_remote(url: str) -> WebDriver:
    binary = os.environ.get(WEBDRIVER_BINARY_ENV, "").strip() or (CHROMIUM if _is_loopback(url) else None)
    return webdriver.Remote(command_executor=url, options=_options(binary))


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _browser_processes(driver_pid: int, children_before: set[int]) -> list[psutil.Process]:
    """chromedriver, its descendants, and the crash handlers Chromium double-forked to us."""
    found: list[psutil.Process] = []
    with contextlib.suppress(psutil.Error):
        chromedriver = psutil.Process(driver_pid)
        found = [chromedriver, *chromedriver.children(recursive=True)]
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error):
            if child.pid not in children_before and child.pid != driver_pid and child.name().startswith("chrom"):
                found.append(child)
    return found


def _describe(processes: list[psutil.Process]) -> list[dict[str, Any]]:
    described = []
    for proc in processes:
        with contextlib.suppress(psutil.Error):
            described.append({"pid": proc.pid, "create_time": proc.create_time(), "name": proc.name()})
    return described


# --------------------------------------------------------------------------- closing


def _close(driver: WebDriver | None, registry: Path, record: dict[str, Any]) -> None:
    with _sigterm_blocked():  # a SIGTERM now is handled (and raises) once the cleanup is done
        _quit_and_reap(driver, registry, record)


def _quit_and_reap(driver: WebDriver | None, registry: Path, record: dict[str, Any]) -> None:
    started = time.monotonic()
    try:
        if driver is not None:
            driver.quit()
    except Exception:
        log.warning("driver.quit() a échoué; les processus du navigateur sont tués", exc_info=True)
    finally:
        killed = _kill_tree(record)
        _remove_workdir(record)
        _reap_zombie_children()
        registry.unlink(missing_ok=True)
    log.debug("Navigateur fermé en %.2f s (%d processus restants tués)", time.monotonic() - started, killed)


def _kill_tree(record: dict[str, Any]) -> int:
    """SIGKILL every live process of a recorded browser; return how many were killed."""
    processes = _tree_processes(record)
    killed = []
    for proc in processes:
        with contextlib.suppress(psutil.Error):
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                proc.kill()
                killed.append(proc)
    _wait_dead(killed)
    return len(killed)


def _tree_processes(record: dict[str, Any]) -> list[psutil.Process]:
    found: dict[int, psutil.Process] = {}
    for entry in record.get("pids", []):
        proc = _same_process(entry.get("pid"), entry.get("create_time"))
        if proc is not None:
            found[proc.pid] = proc
    marker, pgid = record.get("workdir"), record.get("pgid")
    group: dict[int, psutil.Process] = {}
    if marker or pgid:
        for proc in psutil.process_iter(["cmdline"]):
            with contextlib.suppress(psutil.Error, OSError):
                if marker and any(marker in arg for arg in proc.info["cmdline"] or ()):
                    found[proc.pid] = proc
                if pgid and pgid != os.getpgrp() and os.getpgid(proc.pid) == pgid:
                    group[proc.pid] = proc
    # The group is ours only while it holds a process known to be ours: once all of them are
    # gone the kernel may give that number to someone else's group.
    if group.keys() & found.keys():
        found.update(group)
    for proc in list(found.values()):
        with contextlib.suppress(psutil.Error):
            for child in proc.children(recursive=True):
                found.setdefault(child.pid, child)
    protected = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    return [proc for pid, proc in found.items() if pid not in protected]


def _wait_dead(processes: list[psutil.Process], timeout: float = _KILL_WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    pending = processes
    while pending and time.monotonic() < deadline:
        _reap_zombie_children()
        pending = [proc for proc in pending if _running(proc)]
        if pending:
            time.sleep(0.05)
    if pending:
        log.warning("Processus du navigateur toujours vivants après SIGKILL: %s", [p.pid for p in pending])


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _reap_zombie_children() -> int:
    """waitpid() our defunct browser children (only those: other subprocesses keep their status)."""
    reaped = 0
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error, ChildProcessError, OSError):
            if child.status() == psutil.STATUS_ZOMBIE and child.name().startswith("chrom"):
                pid, _ = os.waitpid(child.pid, os.WNOHANG)
                reaped += pid == child.pid
    return reaped


def _remove_workdir(record: dict[str, Any]) -> None:
    workdir = record.get("workdir")
    if workdir and Path(workdir).name.startswith("rpa-browser-"):
        shutil.rmtree(workdir, ignore_errors=True)


def _end_remote_session(record: dict[str, Any]) -> None:
    url, session_id = record.get("remote_url"), record.get("session_id")
    if not (url and session_id):
        return
    request = urllib.request.Request(f"{url.rstrip('/')}/session/{session_id}", method="DELETE")
    try:
        with urllib.request.urlopen(request, timeout=10):
            pass
    except (urllib.error.URLError, OSError) as error:
        log.info("Session distante %s non supprimée: %s", session_id, error)


# --------------------------------------------------------------------------- registry


def _create_registry(label: str, *, remote_url: str | None) -> tuple[Path, dict[str, Any]]:
    """Publish ``<owner pid>-<n>.json`` atomically, never over another (possibly orphan) record."""
    folder = registry_dir()
    folder.mkdir(parents=True, exist_ok=True)
    me = psutil.Process()
    record = {
        "host": _HOST,
        "owner_pid": me.pid,
        "owner_create_time": me.create_time(),
        "label": label,
        "kind": "remote" if remote_url else "local",
        "remote_url": remote_url,
        "created_at": time.time(),
    }
    tmp = folder / f".{me.pid}-{threading.get_ident()}.tmp"
    tmp.write_text(json.dumps(record), encoding="utf-8")
    try:
        for n in range(1, 10_000):
            path = folder / f"{me.pid}-{n}.json"
            try:
                os.link(tmp, path)
            except FileExistsError:
                continue
            return path, record
        raise RuntimeError(f"no free browser registry name in {folder}")
    finally:
        tmp.unlink(missing_ok=True)


def _write_record(path: Path, record: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    tmp.replace(path)


def _read_record(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _drop_unreadable(path: Path) -> None:
    with contextlib.suppress(OSError):
        if time.time() - path.stat().st_mtime > 60:
            path.unlink()


def _same_process(pid: Any, create_time: Any) -> psutil.Process | None:
    """The process ``pid`` if it is still the one recorded (not a reused PID)."""
    if not isinstance(pid, int) or not isinstance(create_time, int | float):
        return None
    try:
        proc = psutil.Process(pid)
        return proc if abs(proc.create_time() - create_time) < 0.1 else None
    except psutil.Error:
        return None


def _owner_alive(record: dict[str, Any]) -> bool:
    owner = _same_process(record.get("owner_pid"), record.get("owner_create_time"))
    return owner is not None and _running(owner)


# --------------------------------------------------------------------------- process guard

_guard_lock = threading.Lock()
_guard_depth = 0
_previous_sigterm: Any = None
_sigterm_installed = False
_terminating = False
_previous_subreaper: int | None = None


@contextlib.contextmanager
def _process_guard() -> Iterator[None]:
    """While at least one browser is open: SIGTERM raises, and we are a child subreaper."""
    _enter_guard()
    try:
        yield
    finally:
        _leave_guard()


def _enter_guard() -> None:
    global _guard_depth, _previous_sigterm, _sigterm_installed, _terminating, _previous_subreaper
    with _guard_lock:
        _guard_depth += 1
        if _guard_depth > 1:
            return
        _terminating = False
        _previous_subreaper = _set_subreaper(1)
        if threading.current_thread() is threading.main_thread():
            _previous_sigterm = signal.getsignal(signal.SIGTERM)
            signal.signal(signal.SIGTERM, _on_sigterm)
            _sigterm_installed = True
        else:
            log.debug("open_browser() hors du thread principal: pas de gestionnaire SIGTERM")


def _leave_guard() -> None:
    global _guard_depth, _sigterm_installed
    with _guard_lock:
        _guard_depth -= 1
        if _guard_depth > 0:
            return
        if _sigterm_installed and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, signal.SIG_DFL if _previous_sigterm is None else _previous_sigterm)
            _sigterm_installed = False
        if _previous_subreaper is not None:
            _set_subreaper(_previous_subreaper)


@contextlib.contextmanager
def _sigterm_blocked() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _on_sigterm(signum: int, frame: Any) -> None:
    global _terminating
    previous = _previous_sigterm
    if previous == signal.SIG_IGN:
        return
    if callable(previous):
        previous(signum, frame)  # e.g. Airflow's handler (calls the operator's on_kill)
    if _terminating:  # a second SIGTERM must not interrupt the cleanup of the first
        return
    _terminating = True
    log.warning("SIGTERM reçu: fermeture du navigateur avant de terminer")
    raise BrowserTerminated(128 + signum)


def _set_subreaper(value: int) -> int | None:
    """Set PR_SET_CHILD_SUBREAPER and return the previous value (None where unsupported)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        current = ctypes.c_int(0)
        if libc.prctl(_PR_GET_CHILD_SUBREAPER, ctypes.byref(current), 0, 0, 0) != 0:
            return None
        if current.value != value and libc.prctl(_PR_SET_CHILD_SUBREAPER, value, 0, 0, 0) != 0:
            return None
        return current.value
    except (OSError, AttributeError):
        return None
