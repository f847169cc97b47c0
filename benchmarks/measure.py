"""Measuring: medians, quantiles and ratios, and sampling the memory and CPU of process trees."""

from __future__ import annotations

import contextlib
import os
import statistics
import threading
import time
from collections.abc import Sequence
from typing import Any

import psutil

SAMPLE_SECONDS = 0.2
MB = 1024 * 1024


# --------------------------------------------------------------------------- statistics


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def quantile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0..1) by linear interpolation, None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def fmt(value: float | None, spec: str = ".2f", unit: str = "") -> str:
    return "—" if value is None else f"{value:{spec}}{unit}"


def rounded(values: Sequence[float], digits: int = 4) -> list[float]:
    return [round(v, digits) for v in values]


# --------------------------------------------------------------------------- sampling


def _category(proc: psutil.Process, root: int) -> str:
    if proc.pid == root:
        return "python"
    name = proc.name()
    if name == "exe":  # Chromium starts its children through /proc/self/exe: named "exe" until they rename
        with contextlib.suppress(psutil.Error, OSError):
            name = os.path.basename(proc.exe())
    if name.startswith("chromedriver"):
        return "chromedriver"
    if name.startswith("chrome_crashpad"):
        return "chromium crashpad"
    if name.startswith("airflow"):
        return " ".join(name.split()[:2])  # "airflow worker -- <id>" -> "airflow worker"
    if not name.startswith("chrom"):
        return f"other ({name})"
    kinds = [arg.removeprefix("--type=") for arg in proc.cmdline() if arg.startswith("--type=")]
    if not kinds:
        return "chromium browser"
    return "chromium " + kinds[0].removesuffix("-process")


def machine_processes() -> dict[tuple[int, float], tuple[str, float]]:
    """(pid, start time) -> (name, CPU seconds so far) of every process of the machine."""
    found = {}
    for proc in psutil.process_iter(["name", "cpu_times", "create_time"]):
        info = proc.info
        if info.get("cpu_times") is not None and info.get("create_time") is not None:
            found[(proc.pid, info["create_time"])] = (
                info["name"] or "?",
                info["cpu_times"].user + info["cpu_times"].system,
            )
    return found


class TreeSampler(threading.Thread):
    """Every ``interval`` s: memory (PSS, USS, RSS) and CPU time of each process under ``roots``.

    Also the portal's CPU time, this process's own (the sampler's cost) and the machine's busy time, so
    that :meth:`cpu` can say where the CPU went over any time window.
    """

    def __init__(self, roots: Sequence[int], portal: Any | None, interval: float = SAMPLE_SECONDS) -> None:
        super().__init__(daemon=True, name="tree-sampler")
        self.roots = list(roots)
        self.portal = portal
        self.interval = interval
        self._halt = threading.Event()
        self.memory: list[dict[str, Any]] = []  # t, per-root and total pss/uss/rss, processes
        self.history: dict[tuple[int, float], list[tuple[float, float]]] = {}  # process -> [(t, cpu s)]
        self.kind: dict[tuple[int, float], tuple[int, str]] = {}  # process -> (root, category)
        self.machine: list[tuple[float, float, float, float, float]] = []  # t, busy, total, portal, self
        self.sample_seconds: list[float] = []
        self.pss_available = True
        self.before: dict[tuple[int, float], tuple[str, float]] = {}
        self.after: dict[tuple[int, float], tuple[str, float]] = {}
        self.system_first: Any = None
        self.system_last: Any = None

    def run(self) -> None:
        self.before = machine_processes()
        self.sample()
        while not self._halt.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)
        self.sample()
        self.after = machine_processes()

    def others(self, top: int = 5) -> dict[str, float]:
        """CPU seconds of the busiest processes outside the sampled trees over the sampler's life (names only).

        A process born and gone between the two snapshots is missed.
        """
        excluded = {os.getpid(), self.portal.process.pid if self.portal else -1}
        used: dict[str, float] = {}
        for key, (name, cpu) in self.after.items():
            if key in self.kind or key[0] in excluded:
                continue
            spent = cpu - self.before.get(key, (name, 0.0))[1]
            if spent > 0:
                used[name] = used.get(name, 0.0) + spent
        return {name: round(spent, 2) for name, spent in sorted(used.items(), key=lambda x: -x[1])[:top]}

    def sample(self) -> None:
        started = time.perf_counter()
        now = time.monotonic()
        totals: dict[str, Any] = {"t": now, "pss": 0, "uss": 0, "rss": 0, "processes": 0, "roots": {}}
        for root in self.roots:
            try:
                top = psutil.Process(root)
                tree = [top, *top.children(recursive=True)]
            except psutil.Error:
                continue
            mine = {"pss": 0, "uss": 0, "rss": 0, "processes": 0}
            for proc in tree:
                try:
                    with proc.oneshot():
                        key = (proc.pid, proc.create_time())
                        if key not in self.kind:
                            self.kind[key] = (root, _category(proc, root))
                        cpu = proc.cpu_times()
                        try:
                            memory = proc.memory_full_info()
                            pss, uss, rss = getattr(memory, "pss", 0), memory.uss, memory.rss
                        except psutil.AccessDenied:
                            self.pss_available = False
                            memory = proc.memory_info()
                            pss, uss, rss = 0, 0, memory.rss
                except psutil.Error:
                    continue
                self.history.setdefault(key, []).append((now, cpu.user + cpu.system))
                mine["pss"] += pss
                mine["uss"] += uss
                mine["rss"] += rss
                mine["processes"] += 1
            totals["roots"][root] = mine
            for name in ("pss", "uss", "rss", "processes"):
                totals[name] += mine[name]
        self.memory.append(totals)
        system = psutil.cpu_times()
        self.system_first = self.system_first or system
        self.system_last = system
        idle = system.idle + getattr(system, "iowait", 0.0)
        total = sum(system)
        own = psutil.Process().cpu_times()
        portal = self.portal.cpu_seconds() if self.portal else 0.0
        self.machine.append((now, total - idle, total, portal, own.user + own.system))
        self.sample_seconds.append(time.perf_counter() - started)

    # ----------------------------------------------------------------------- results

    def peak_mb(self) -> dict[str, Any]:
        """Peak sums over the whole tree and per root (MB)."""
        if not self.memory:
            return {}
        per_root = {
            root: max((m["roots"].get(root, {}).get("pss", 0) for m in self.memory), default=0) / MB
            for root in self.roots
        }
        per_root_rss = {
            root: max((m["roots"].get(root, {}).get("rss", 0) for m in self.memory), default=0) / MB
            for root in self.roots
        }
        return {
            "pss_mb": max(m["pss"] for m in self.memory) / MB,
            "uss_mb": max(m["uss"] for m in self.memory) / MB,
            "rss_sum_mb": max(m["rss"] for m in self.memory) / MB,
            "pss_per_browser_mb": [round(v, 1) for v in per_root.values()],
            "rss_sum_per_browser_mb": [round(v, 1) for v in per_root_rss.values()],
            "max_processes": max(m["processes"] for m in self.memory),
            "samples": len(self.memory),
            "pss_available": self.pss_available,
            "median_sample_ms": 1000 * (median(self.sample_seconds) or 0.0),
        }

    def cpu(self, start: float, end: float) -> dict[str, Any]:
        """CPU seconds over [start, end] by kind of process, the portal's, the sampler's and the machine's."""

        def at(series: list[tuple[float, float]], when: float) -> float:
            value = 0.0
            for t, cpu in series:
                if t > when:
                    break
                value = cpu
            return value

        by_kind: dict[str, float] = {}
        for key, series in self.history.items():
            used = at(series, end) - at(series, start)
            if used > 0:
                kind = self.kind[key][1]
                by_kind[kind] = by_kind.get(kind, 0.0) + used
        inside = [m for m in self.machine if start <= m[0] <= end] or self.machine[-1:]
        before = [m for m in self.machine if m[0] <= start] or self.machine[:1]
        first, last = before[-1], inside[-1]
        seconds = max(last[0] - first[0], 1e-9)
        machine_busy = last[1] - first[1]
        cores = psutil.cpu_count() or 1
        # /proc/stat's jiffies over all cores: busy / (total / cores) is in core-seconds per second.
        wall_from_stat = (last[2] - first[2]) / cores
        busy_cores = machine_busy / wall_from_stat if wall_from_stat > 0 else None
        ours = sum(by_kind.values())
        portal = last[3] - first[3]
        sampler = last[4] - first[4]
        others = machine_busy - ours - portal - sampler
        kernel = {}
        if self.system_first is not None and self.system_last is not None:
            for name in ("irq", "softirq", "steal"):
                kernel[name] = round(getattr(self.system_last, name, 0.0) - getattr(self.system_first, name, 0.0), 2)
        return {
            "window_s": seconds,
            "by_kind_s": {k: round(v, 3) for k, v in sorted(by_kind.items())},
            "top_other_processes_s (whole step)": self.others(),
            "irq_softirq_steal_s (whole step)": kernel,
            "robot_tree_s": ours,
            "portal_s": portal,
            "sampler_s": sampler,
            "machine_busy_s": machine_busy,
            "other_processes_s": others,
            "machine_busy_cores": busy_cores,
            "robot_tree_cores": ours / seconds,
            "portal_cores": portal / seconds,
            "other_processes_cores": others / seconds,
            "cores": cores,
        }
