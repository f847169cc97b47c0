"""The WebDriver factory against real Chromium: pages load, and no browser process outlives its owner."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pytest
from selenium import webdriver
from selenium.common.exceptions import InvalidSessionIdException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from include.rpa import browser
from include.rpa.browser import fresh_tab, open_browser, reap_orphan_browsers, select_option, set_value, wait

REPO = Path(__file__).resolve().parents[2]

FORM_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Formulaire</title></head><body>
<input id="nom"><select id="fonction"><option value="">--</option><option value="pli">Mise sous pli</option>
<option value="accueil">Accueil</option></select><div id="journal"></div>
<script>
const journal = document.getElementById('journal');
const note = (text) => { const p = document.createElement('p'); p.textContent = text; journal.appendChild(p); };
document.getElementById('nom').addEventListener('input', (e) => note('input:' + e.target.value));
document.getElementById('nom').addEventListener('change', (e) => note('change:' + e.target.value));
document.getElementById('fonction').addEventListener('change', (e) => note('select:' + e.target.value));
</script></body></html>"""

CHILD_SCRIPT = textwrap.dedent(
    """
    import time
    from include.rpa.browser import open_browser

    with open_browser(label="child") as driver:
        driver.get("data:text/html,<title>child</title>")
        print("ready", driver.title, flush=True)
        for _ in range(120):
            try:  # a robot's per-record catch-all must not swallow the termination
                time.sleep(1)
            except Exception:
                pass
    """
)


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own registry folder, so nothing else's browsers are ever touched."""
    folder = tmp_path / "data"
    monkeypatch.setenv("RPA_DATA_DIR", str(folder))
    monkeypatch.delenv("RPA_WEBDRIVER_URL", raising=False)
    monkeypatch.delenv("RPA_WEBDRIVER_BINARY", raising=False)
    return folder


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """A tiny site on loopback: /form (inputs with listeners), anything else a titled page."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = FORM_PAGE if self.path == "/form" else f"<title>Page {self.path.strip('/')}</title>"
            payload = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def registry_records(folder: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted((folder / "browsers").glob("*.json"))]


def recorded_processes(record: dict) -> list[psutil.Process]:
    """The recorded PIDs, plus every process naming the browser's temporary folder."""
    found = {}
    for entry in record["pids"]:
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(entry["pid"])
            if abs(proc.create_time() - entry["create_time"]) < 0.1:
                found[proc.pid] = proc
    for proc in psutil.process_iter(["cmdline"]):
        if any(record["workdir"] in arg for arg in proc.info["cmdline"] or ()):
            found[proc.pid] = proc
    return list(found.values())


def running(processes: list[psutil.Process]) -> list[int]:
    alive = []
    for proc in processes:
        with contextlib.suppress(psutil.Error):
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc.pid)
    return alive


def eventually_gone(processes: list[psutil.Process], timeout: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while (alive := running(processes)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def zombie_children() -> list[int]:
    zombies = []
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error):
            if child.status() == psutil.STATUS_ZOMBIE:
                zombies.append(child.pid)
    return zombies


def start_child(data: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "RPA_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD_SCRIPT],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def wait_ready(child: subprocess.Popen[str], timeout: float = 30.0) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            child.kill()
            pytest.fail("the child process did not open its browser in time")
    return child.stdout.readline().strip()


def test_open_browser_loads_a_page_and_leaves_no_process(site: str, own_data_dir: Path) -> None:
    started = time.monotonic()
    with open_browser(label="titre") as driver:
        startup = time.monotonic() - started
        driver.get(f"{site}/accueil")
        assert driver.title == "Page accueil"
        assert driver.get_window_size() == {"width": 1280, "height": 900}
        assert driver.capabilities["pageLoadStrategy"] == "normal"
        (record,) = registry_records(own_data_dir)
        processes = recorded_processes(record)
        assert {"chromedriver", "chromium"} <= {entry["name"] for entry in record["pids"]}
        assert len(running(processes)) >= 3
        assert record["owner_pid"] == os.getpid()
        assert Path(record["workdir"], "profile").is_dir()
        closing = time.monotonic()
    shutdown = time.monotonic() - closing
    print(f"browser start {startup:.2f} s, quit and reap {shutdown:.2f} s")

    assert running(processes) == []
    assert not any(record["workdir"] in " ".join(p.info["cmdline"] or ()) for p in psutil.process_iter(["cmdline"]))
    assert registry_records(own_data_dir) == []
    assert not Path(record["workdir"]).exists()


def test_no_defunct_children_accumulate_over_three_sessions(own_data_dir: Path) -> None:
    zombies_before = zombie_children()
    for cycle in range(3):
        with contextlib.suppress(RuntimeError), open_browser(label=f"cycle{cycle}") as driver:
            driver.get(f"data:text/html,<title>cycle {cycle}</title>")
            assert driver.title == f"cycle {cycle}"
            (record,) = registry_records(own_data_dir)
            processes = recorded_processes(record)
            if cycle == 2:
                raise RuntimeError("a robot failing inside the block")
        assert running(processes) == []
        assert set(zombie_children()) <= set(zombies_before), f"defunct children after cycle {cycle}"
    assert registry_records(own_data_dir) == []


def test_sigkilled_owner_leaves_browser_that_reap_orphan_browsers_kills(own_data_dir: Path) -> None:
    child = start_child(own_data_dir)
    try:
        assert wait_ready(child) == "ready child"
        (record,) = registry_records(own_data_dir)
        assert record["owner_pid"] == child.pid
        child.kill()
        child.wait(10)
        time.sleep(0.3)
        processes = recorded_processes(record)
        survivors = running(processes)
        assert survivors, "SIGKILL of the owner should leave its browser running (that is the problem solved here)"

        assert reap_orphan_browsers() > 0
        assert eventually_gone(processes) == []
        assert registry_records(own_data_dir) == []
        assert not Path(record["workdir"]).exists()
        assert reap_orphan_browsers() == 0
    finally:
        child.kill()
        child.wait(10)


def test_reap_leaves_browsers_of_live_owners_alone_and_sigterm_handler_is_restored(own_data_dir: Path) -> None:
    previous = signal.getsignal(signal.SIGTERM)
    with open_browser(label="vivant") as driver:
        assert signal.getsignal(signal.SIGTERM) is not previous
        (record,) = registry_records(own_data_dir)
        assert reap_orphan_browsers() == 0
        driver.get("data:text/html,<title>still here</title>")
        assert driver.title == "still here"
        assert len(registry_records(own_data_dir)) == 1
    assert running(recorded_processes(record)) == []
    assert signal.getsignal(signal.SIGTERM) == previous


def test_sigterm_makes_the_owner_quit_its_browser(own_data_dir: Path) -> None:
    child = start_child(own_data_dir)
    try:
        assert wait_ready(child) == "ready child"
        (record,) = registry_records(own_data_dir)
        processes = recorded_processes(record)
        assert running(processes)
        child.send_signal(signal.SIGTERM)
        assert child.wait(20) == 128 + signal.SIGTERM
        assert eventually_gone(processes) == []
        assert registry_records(own_data_dir) == []
        assert not Path(record["workdir"]).exists()
    finally:
        child.kill()
        child.wait(10)


@pytest.fixture()
def chromedriver_server() -> Iterator[str]:
    """A bare chromedriver in server mode on loopback: a real W3C remote end."""
    from tests.helpers import ChromedriverServer

    server = ChromedriverServer()
    yield server.url
    server.stop()


def test_remote_end_from_rpa_webdriver_url(
    chromedriver_server: str, site: str, own_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RPA_WEBDRIVER_URL", chromedriver_server)
    with open_browser(label="distant") as driver:
        assert type(driver) is webdriver.Remote
        driver.get(f"{site}/distant")
        assert driver.title == "Page distant"
        assert driver.get_window_size() == {"width": 1280, "height": 900}
        (record,) = registry_records(own_data_dir)
        assert record["kind"] == "remote"
        assert record["session_id"] == driver.session_id
    assert registry_records(own_data_dir) == []
    with urllib.request.urlopen(f"{chromedriver_server}/status", timeout=5) as response:
        assert json.load(response)["value"]["ready"]


def test_reap_ends_an_orphan_remote_session(chromedriver_server: str, own_data_dir: Path) -> None:
    options = browser._options(browser.CHROMIUM)
    driver = webdriver.Remote(command_executor=chromedriver_server, options=options)
    try:
        folder = own_data_dir / "browsers"
        folder.mkdir(parents=True)
        dead_owner = {"owner_pid": 999_999_999, "owner_create_time": 0.0, "kind": "remote"}
        record = {**dead_owner, "remote_url": chromedriver_server, "session_id": driver.session_id}
        (folder / "999999999-1.json").write_text(json.dumps(record))
        elsewhere = {**record, "host": "another-worker"}
        (folder / "999999999-2.json").write_text(json.dumps(elsewhere))
        assert reap_orphan_browsers() == 0  # no local process, but the session is deleted
        assert registry_records(own_data_dir) == [elsewhere]  # another host's record: its PIDs mean nothing here
        with pytest.raises(InvalidSessionIdException):
            driver.title  # noqa: B018
    finally:
        with contextlib.suppress(Exception):
            driver.quit()


def test_fresh_tab_set_value_select_option_and_wait(site: str) -> None:
    with open_browser(label="formulaire") as driver:
        driver.get(f"{site}/form")
        driver.execute_script("window.open('about:blank'); window.open('about:blank');")
        assert len(driver.window_handles) == 3
        old = driver.current_window_handle
        new = fresh_tab(driver)
        assert driver.window_handles == [new] != [old]
        assert driver.current_window_handle == new

        driver.get(f"{site}/form")
        field = wait(driver, 5).until(ec.presence_of_element_located((By.ID, "nom")))
        set_value(driver, field, "Dupont-Élise")
        assert field.get_property("value") == "Dupont-Élise"
        select_option(driver.find_element(By.ID, "fonction"), "Accueil")
        lines = [p.text for p in driver.find_elements(By.CSS_SELECTOR, "#journal p")]
        assert lines == ["input:Dupont-Élise", "change:Dupont-Élise", "select:accueil"]

        waiter = wait(driver)
        assert waiter._poll == 0.1 and waiter._timeout == 10
