"""The scale-out deployment (docker-compose.yaml, Dockerfile, .dockerignore),
checked without a Docker engine: structure, wiring between services, the
Connections it provides, and what goes into the image.

Compose's ``${VAR:-default}`` interpolation is applied with an empty
environment, i.e. the deployment as it runs with no env file.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SETTINGS_FILE = ROOT / "config" / "airflow_settings.yaml"
ENV_EXAMPLE = ROOT / "deploy" / "compose.env.example"
PROJECT_DIR = PurePosixPath("/opt/rpa")  # where the image holds the project

AIRFLOW_SERVICES = (
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
)
REQUIRED_SERVICES = {"postgres", "redis", *AIRFLOW_SERVICES, "selenium-hub", "sandbox", "mailpit"}
MOUNTED_FROM_REPO = ("dags", "plugins", "include", "sandbox", "config")

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?err}, ${NAME?err}, $NAME, $$
_INTERPOLATION = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|(?P<bare>\w+))")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable interpolation, applied to every string of the file."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["bare"]
        op, arg, found = match["op"], match["arg"], env.get(name)
        if op == ":-":
            return found if found else arg
        if op == "-":
            return found if found is not None else arg
        if op in (":?", "?") and not found:
            raise ValueError(f"compose: required variable {name} is not set ({arg})")
        return found or ""

    return _INTERPOLATION.sub(substitute, value)


def as_env(environment: Any) -> dict[str, str]:
    """A service's environment, given as a mapping or as a KEY=VALUE list."""
    if environment is None:
        return {}
    if isinstance(environment, dict):
        return {k: "" if v is None else str(v) for k, v in environment.items()}
    return dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """target -> source of a service's short-syntax volumes."""
    found = {}
    for entry in service.get("volumes", []):
        assert isinstance(entry, str), f"long volume syntax not expected here: {entry!r}"
        source, target = entry.split(":")[:2]
        found[target] = source
    return found


def host_of(uri: str) -> str | None:
    return urlsplit(uri).hostname


def command_words(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(w) for w in command]


def repo_path(container_path: str) -> Path:
    """The repo file that the image holds at a path under /opt/rpa."""
    return ROOT / PurePosixPath(container_path).relative_to(PROJECT_DIR)


def load_settings_module():
    spec = importlib.util.spec_from_file_location("load_settings", ROOT / "scripts" / "load_settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def compose(raw) -> dict[str, Any]:
    return interpolate(raw, {})


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def common_env(compose) -> dict[str, str]:
    return as_env(compose["x-airflow-common"]["environment"])


@pytest.fixture(scope="module")
def init_env(services) -> dict[str, str]:
    return as_env(services["airflow-init"]["environment"])


# --- The file itself ------------------------------------------------------------


def test_compose_file_parses_as_compose_spec_yaml(raw):
    assert "version" not in raw, "the Compose spec has no version key"
    assert isinstance(raw.get("services"), dict) and raw["services"]
    for name, service in raw["services"].items():
        assert isinstance(service, dict), name
        assert "image" in service or "build" in service, f"{name}: neither image nor build"
    # The merge keys (<<: *anchor) were resolved: Airflow services have an image.
    assert raw["services"]["airflow-worker"]["build"]["context"] == "."


def _docker_compose_unavailable() -> str | None:
    if shutil.which("docker") is None:
        return "the docker client is not installed"
    try:
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`docker compose version` failed: {exc}"
    if probe.returncode != 0:
        return "the docker client has no compose plugin (`docker compose version` fails)"
    return None


def test_docker_compose_config_validates():
    reason = _docker_compose_unavailable()
    if reason:
        pytest.skip(f"{reason}: cannot run `docker compose config -q` (needs no engine, only the plugin)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "AIRFLOW_CONN_"))}
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_interpolation_helper_follows_compose_rules():
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET:-d}|${EMPTY:-d}|${EMPTY-d}|${UNSET-d}|$$HOME|$SET", env) == "x|d||d|$HOME|x"
    with pytest.raises(ValueError):
        interpolate("${UNSET:?needed}", env)


# --- Services -------------------------------------------------------------------


def test_required_services_exist(services):
    missing = REQUIRED_SERVICES - set(services)
    assert not missing, f"missing services: {sorted(missing)}"
    chromium_nodes = [
        name for name, s in services.items() if str(s.get("image", "")).startswith("selenium/node-chromium:")
    ]
    assert chromium_nodes, "no selenium/node-chromium service"
    for name in chromium_nodes:
        env = as_env(services[name].get("environment"))
        assert env.get("SE_EVENT_BUS_HOST") == "selenium-hub", name
        assert services[name].get("shm_size"), f"{name}: Chromium needs a larger /dev/shm"
    assert str(services["selenium-hub"]["image"]).startswith("selenium/hub:")
    assert str(services["mailpit"]["image"]).startswith("axllent/mailpit:")


def test_third_party_images_are_pinned(services):
    for name, service in services.items():
        if "build" in service:
            continue
        image = str(service["image"])
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: {image} has no tag"
        assert tag not in ("", "latest"), f"{name}: {image} is not pinned"


def _merged_nodes(mapping: yaml.MappingNode) -> list[yaml.Node]:
    """The nodes merged into a mapping with `<<:` (an alias gives the anchored node itself)."""
    merged = []
    for key, value in mapping.value:
        if key.tag == "tag:yaml.org,2002:merge":
            merged.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
    return merged


def _node(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next((v for k, v in mapping.value if k.value == key), None)


def test_airflow_services_merge_the_common_anchor():
    root = yaml.compose(COMPOSE_FILE.read_text(encoding="utf-8"))
    common = _node(root, "x-airflow-common")
    common_env = _node(common, "environment")
    services = _node(root, "services")
    for name in AIRFLOW_SERVICES:
        service = _node(services, name)
        assert any(m is common for m in _merged_nodes(service)), f"{name}: no `<<: *airflow-common`"
        own_env = _node(service, "environment")
        if own_env is not None:  # a service adding variables must still merge the common ones
            assert own_env is common_env or any(m is common_env for m in _merged_nodes(own_env)), name


def test_airflow_services_share_image_environment_and_mounts(compose, services, common_env):
    common = compose["x-airflow-common"]
    assert common["build"] == {"context": ".", "dockerfile": "Dockerfile"}
    for name in AIRFLOW_SERVICES:
        service = services[name]
        assert service["image"] == common["image"], name
        assert service["build"] == common["build"], name
        env = as_env(service.get("environment"))
        differing = {k for k, v in common_env.items() if env.get(k) != v}
        assert not differing, f"{name} changes common settings: {sorted(differing)}"
        assert mounts(service) == mounts(common), name
    # The sandbox runs the same image.
    assert services["sandbox"]["image"] == common["image"]
    assert services["sandbox"]["build"] == common["build"]


def test_celery_executor_and_core_settings(common_env):
    expected = {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://airflow:airflow@postgres/airflow",
        "AIRFLOW__CELERY__BROKER_URL": "redis://redis:6379/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+postgresql://airflow:airflow@postgres/airflow",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://airflow-apiserver:8080/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__DAGS_FOLDER": "/opt/rpa/dags",
        "AIRFLOW__CORE__PLUGINS_FOLDER": "/opt/rpa/plugins",
        "RPA_DATA_DIR": "/opt/rpa/data",
    }
    assert {k: common_env.get(k) for k in expected} == expected


def test_the_test_profile_runs_the_compose_settings(services, common_env):
    """scripts/distributed_stack.py (the Celery profile of `make test` and the benchmark) and the
    compose file: same Airflow settings, same worker count and task slots, the ledger in PostgreSQL."""
    import inspect

    from scripts.distributed_stack import SHARED_SETTINGS, DistributedStack

    assert {k: common_env.get(k) for k in SHARED_SETTINGS} == SHARED_SETTINGS
    defaults = inspect.signature(DistributedStack).parameters
    assert services["airflow-worker"]["deploy"]["replicas"] == defaults["workers"].default
    assert common_env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == str(defaults["concurrency"].default)
    assert urlsplit(common_env["AIRFLOW_CONN_RPA_LEDGER"]).scheme == "postgresql"


def test_backing_services_named_in_settings_exist(services, common_env):
    for key in (
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__CELERY__RESULT_BACKEND",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    ):
        assert host_of(common_env[key]) in services, key
    assert urlsplit(common_env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]).port == 8080


def test_shared_secrets_come_from_the_environment_with_change_me_defaults(raw, common_env):
    raw_env = as_env(raw["x-airflow-common"]["environment"])
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY"):
        match = re.fullmatch(r"\$\{(\w+):-([^}]+)\}", raw_env[key])
        assert match, f"{key} must be ${{VAR:-default}} so an env file can set it"
        assert common_env[key] == match[2]
    assert "change" in raw_env["AIRFLOW__API_AUTH__JWT_SECRET"].lower()
    # The Fernet default must be a valid key (Airflow refuses an invalid one) that says what it is.
    decoded = base64.urlsafe_b64decode(common_env["AIRFLOW__CORE__FERNET_KEY"])
    assert len(decoded) == 32 and decoded.upper().startswith(b"CHANGE-ME")


def test_commands(services):
    assert command_words(services["airflow-apiserver"]) == ["airflow", "api-server"]
    assert command_words(services["airflow-scheduler"]) == ["airflow", "scheduler"]
    assert command_words(services["airflow-dag-processor"]) == ["airflow", "dag-processor"]
    assert command_words(services["airflow-triggerer"]) == ["airflow", "triggerer"]
    assert command_words(services["airflow-worker"]) == ["airflow", "celery", "worker"]
    assert command_words(services["sandbox"]) == ["python", "-m", "sandbox"]


def test_airflow_init_migrates_then_loads_settings_once(services):
    init = services["airflow-init"]
    scripts = [w for w in command_words(init) if w.startswith(str(PROJECT_DIR))]
    assert scripts, "airflow-init runs no script of the project"
    script = repo_path(scripts[0])
    assert script.is_file(), script
    lines = [ln.strip() for ln in script.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    migrate = next(i for i, ln in enumerate(lines) if ln.startswith("airflow db migrate"))
    load = next(i for i, ln in enumerate(lines) if "scripts/load_settings.py" in ln)
    assert migrate < load
    assert lines[0].startswith("set -e"), "a failing step must fail the init job"
    assert str(init.get("restart", "no")) == "no"
    for name in AIRFLOW_SERVICES[1:]:
        depends = services[name].get("depends_on", {})
        assert depends.get("airflow-init", {}).get("condition") == "service_completed_successfully", name


def test_depends_on_targets_exist_and_can_satisfy_the_condition(services):
    for name, service in services.items():
        depends = service.get("depends_on", {})
        if isinstance(depends, list):
            depends = {d: {"condition": "service_started"} for d in depends}
        for target, spec in depends.items():
            assert target in services, f"{name} depends on unknown {target}"
            condition = spec.get("condition", "service_started")
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target} healthy: no healthcheck"
            if condition == "service_completed_successfully":
                assert target == "airflow-init", f"{name} waits for {target} to exit"


def test_healthchecks(services):
    for name in ("postgres", "redis", "airflow-apiserver"):
        assert services[name].get("healthcheck", {}).get("test"), name
    api_check = " ".join(map(str, services["airflow-apiserver"]["healthcheck"]["test"]))
    assert "localhost:8080/api/v2/monitor/health" in api_check
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in " ".join(services["redis"]["healthcheck"]["test"])


def test_mounts_and_shared_data_volume(compose, services):
    declared = set(compose.get("volumes") or {})
    common = mounts(compose["x-airflow-common"])
    for folder in MOUNTED_FROM_REPO:
        assert common.get(f"/opt/rpa/{folder}") == f"./{folder}", folder
        assert (ROOT / folder).is_dir(), folder
    data_volume = common.get("/opt/rpa/data")
    assert data_volume in declared, "RPA_DATA_DIR must be a named volume"
    assert mounts(services["sandbox"]).get("/opt/rpa/data") == data_volume
    assert as_env(services["sandbox"]["environment"]).get("RPA_DATA_DIR") == "/opt/rpa/data"
    for name, service in services.items():
        for target, source in mounts(service).items():
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name}: {source} does not exist"
            else:
                assert source in declared, f"{name}: volume {source} for {target} is not declared"


# --- Connections ------------------------------------------------------------------


def _settings_connections(env: dict[str, str]) -> list[dict[str, Any]]:
    """config/airflow_settings.yaml's Connections as airflow-init loads them."""
    with mock.patch.dict(os.environ, env, clear=True):
        return load_settings_module().read_settings(SETTINGS_FILE)["connections"]


def test_airflow_init_points_the_settings_hosts_at_compose_services(init_env):
    for key in ("RPA_HR_PORTAL_HOST", "RPA_PAYROLL_PORTAL_HOST", "RPA_FOREIGNERS_PORTAL_HOST"):
        assert init_env.get(key) == "sandbox", key


def test_every_settings_connection_is_available_and_names_a_service(services, init_env):
    connections = _settings_connections(init_env)
    assert {"hr_portal", "payroll_portal", "foreigners_portal", "rpa_ledger"} <= {c["conn_id"] for c in connections}
    for conn in connections:
        var = f"AIRFLOW_CONN_{conn['conn_id'].upper()}"
        overrides = {name: as_env(services[name]["environment"]).get(var, "") for name in AIRFLOW_SERVICES}
        assert len(set(overrides.values())) == 1, f"{var} differs between Airflow services"
        override = overrides["airflow-worker"]
        if override:
            assert host_of(override) in services, f"{var}: {host_of(override)} is not a compose service"
            continue
        # Loaded by airflow-init from the settings file: its host must be a compose service.
        assert conn["conn_type"] != "sqlite", f"{conn['conn_id']}: a SQLite file on one machine, not shared"
        host = conn.get("conn_host")
        if host:
            host = host_of(host if "://" in host else f"//{host}")  # "sandbox:8026/slack" -> "sandbox"
            assert host in services, f"{conn['conn_id']}: host {host!r} is not a compose service"


def test_every_airflow_conn_uri_names_a_compose_service(services):
    seen = 0
    for name, service in services.items():
        for key, value in as_env(service.get("environment")).items():
            if key.startswith("AIRFLOW_CONN_") and value:
                seen += 1
                assert host_of(value) in services, f"{name}: {key} names {host_of(value)!r}"
    assert seen, "no AIRFLOW_CONN_* set"


def test_ledger_is_in_postgres_and_its_database_is_created(services, common_env):
    ledger = urlsplit(common_env["AIRFLOW_CONN_RPA_LEDGER"])
    assert ledger.scheme in ("postgres", "postgresql") and ledger.hostname == "postgres"
    database = ledger.path.lstrip("/")
    init_dir = {t: s for t, s in mounts(services["postgres"]).items()}.get("/docker-entrypoint-initdb.d")
    assert init_dir, "no init script mounted into /docker-entrypoint-initdb.d"
    sql = " ".join(p.read_text() for p in sorted((ROOT / init_dir).glob("*.sql")))
    assert re.search(rf"CREATE DATABASE\s+{database}\b", sql, re.IGNORECASE), sql


def test_alert_connections(common_env, services):
    smtp = urlsplit(common_env["AIRFLOW_CONN_SMTP_ALERTS"])
    assert (smtp.scheme, smtp.hostname, smtp.port) == ("smtp", "mailpit", 1025)
    assert "to=" in smtp.query  # the recipients (include/rpa/alerts.py reads the extra "to")
    ports = [str(p) for p in services["mailpit"].get("ports", [])]
    assert any(p.endswith(":1025") for p in ports) and any(p.endswith(":8025") for p in ports)
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert re.search(r"^\s*#.*AIRFLOW_CONN_SLACK_ALERTS[=:]\s*slackwebhook://", text, re.MULTILINE)


def _example_uris() -> dict[str, list[str]]:
    """AIRFLOW_CONN_* examples in comments of the compose file and of the env file example."""
    found: dict[str, list[str]] = {}
    pattern = re.compile(r"^\s*#\s*AIRFLOW_CONN_(\w+)[=:]\s*(\S+)\s*$", re.MULTILINE)
    for path in (COMPOSE_FILE, ENV_EXAMPLE):
        for conn_id, uri in pattern.findall(path.read_text(encoding="utf-8")):
            found.setdefault(conn_id.lower(), []).append(uri)
    return found


def test_connection_uris_parse_as_airflow_connections(common_env, init_env):
    from airflow.models import Connection

    smtp = Connection(conn_id="smtp_alerts", uri=common_env["AIRFLOW_CONN_SMTP_ALERTS"])
    assert smtp.conn_type == "smtp" and (smtp.host, smtp.port) == ("mailpit", 1025)
    assert smtp.extra_dejson.get("disable_tls") is True
    assert smtp.extra_dejson.get("disable_ssl") is True
    assert "@" in smtp.extra_dejson.get("from_email", "")
    ledger = Connection(conn_id="rpa_ledger", uri=common_env["AIRFLOW_CONN_RPA_LEDGER"])
    assert (ledger.conn_type, ledger.host, ledger.schema) == ("postgres", "postgres", "rpa_ledger")

    # The documented examples are valid URIs of the right connection type.
    expected_types = {c["conn_id"]: c["conn_type"] for c in _settings_connections(init_env)}
    expected_types |= {"slack_alerts": "slackwebhook", "smtp_alerts": "smtp", "rpa_ledger": "postgres"}
    examples = _example_uris()
    assert "slack_alerts" in examples and "hr_portal" in examples
    for conn_id, uris in examples.items():
        for uri in uris:
            conn = Connection(conn_id=conn_id, uri=uri)
            assert conn.conn_type == expected_types[conn_id], uri
            if conn_id == "slack_alerts":
                assert conn.password, "the webhook token goes in the password"
            elif conn_id == "smtp_alerts":
                assert conn.host and conn.extra_dejson.get("from_email"), uri
            else:
                assert conn.host and conn.login and conn.password, uri


def test_webdriver_url_names_the_selenium_hub(services, common_env):
    url = urlsplit(common_env["RPA_WEBDRIVER_URL"])
    assert url.hostname in services and url.hostname == "selenium-hub"
    assert (url.port, url.path.rstrip("/")) == (4444, "/wd/hub")


# --- Sandbox, ports ---------------------------------------------------------------


def test_sandbox_service(services):
    sandbox = services["sandbox"]
    assert as_env(sandbox["environment"]).get("RPA_SANDBOX_HOST") == "0.0.0.0"
    published = {str(p).split(":")[1] for p in sandbox.get("ports", [])}
    assert published == {"8081", "8082", "8083", "8026"}  # the apps, the alert catcher


def test_published_ports_bind_to_localhost_only(services):
    published = 0
    for name, service in services.items():
        for port in service.get("ports", []):
            published += 1
            if isinstance(port, dict):
                assert port.get("host_ip") == "127.0.0.1", f"{name}: {port}"
            else:
                assert str(port).startswith("127.0.0.1:"), f"{name}: {port} is not bound to 127.0.0.1"
    assert published
    assert "127.0.0.1:8080:8080" in services["airflow-apiserver"]["ports"]


# --- Image --------------------------------------------------------------------


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped, continuation lines joined."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        current += " " + stripped.removesuffix("\\").strip()
        if not stripped.endswith("\\"):
            keyword, _, args = current.strip().partition(" ")
            instructions.append((keyword.upper(), args.strip()))
            current = ""
    return instructions


def test_dockerfile_installs_the_pinned_requirements():
    instructions = _dockerfile_instructions()
    assert instructions[0][0] in ("FROM", "ARG")
    assert ("FROM", "python:3.11-slim-bookworm") in instructions
    runs = [args for keyword, args in instructions if keyword == "RUN"]
    installs = [r for r in runs if "pip install" in r]
    assert installs, "no pip install"
    for run in installs:
        words = shlex.split(run)
        assert "--no-deps" in words and "requirements.txt" in words[words.index("-r") + 1 :][:1], run
    used = " ".join(args for keyword, args in instructions if keyword in ("RUN", "COPY", "ADD"))
    assert "requirements.in" not in used
    envs = " ".join(args for keyword, args in instructions if keyword == "ENV")
    assert re.search(r"\bPYTHONPATH=/opt/rpa\b", envs)
    assert any(k == "COPY" and a.split()[-1].rstrip("/") == "/opt/rpa" for k, a in instructions)


def test_dockerignore_keeps_local_state_out_of_the_build_context(services):
    assert (ROOT / services["airflow-worker"]["build"]["context"]).resolve() == DOCKERIGNORE.parent
    patterns = [ln.strip() for ln in DOCKERIGNORE.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    excluded = {p.strip("/") for p in patterns if not p.startswith("!")}
    reincluded = {p[1:].strip("/") for p in patterns if p.startswith("!")}
    for folder in (".venv", ".airflow", "data"):
        assert folder in excluded, f"{folder} is sent to the build"
        assert not any(r == folder or r.startswith(f"{folder}/") for r in reincluded), folder
