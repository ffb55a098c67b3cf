"""Reader adapters (adapters/readers/<name>.toml) and the runner that puts
one reader over one file.

An adapter is data (README "Reader adapters"): `command` with `{dump}`,
`{dumpcheck}` and `{root}` placeholders, `accept_exit` / `reject_exit` /
`crash_exit` lists, `timeout` (seconds), `requires` (executables or files;
one missing makes the reader "n.a."), an optional `[summary]` (`command` +
`normaliser`, a module in tools/ with `normalise(stdout) -> dict`) and an
optional `[findings]` (`command` printing a `dumpcheck-validate` document)
and an optional `[kdump]` (the reader reads kernel crash dumps: `command` /
`findings` overriding the top-level ones for kdump files; without it the
reader is "n.a." for them: not run, not counted, no summary).
Outcomes: accept, reject, crash (killed by a signal, exit >= 128, or a
`crash_exit` code), timeout, error (any other exit, or the command could not
be started).
"""
from __future__ import annotations

import importlib
import json
import os
import shutil
import signal
import subprocess
import time
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT_CAP = 64 * 1024 * 1024
KDUMP_KEYS = {"command", "findings"}


@dataclass
class Adapter:
    name: str
    description: str
    command: list[str]
    accept_exit: list[int] = field(default_factory=lambda: [0])
    reject_exit: list[int] = field(default_factory=lambda: [1])
    crash_exit: list[int] = field(default_factory=list)
    timeout: float = 30.0
    requires: list[str] = field(default_factory=list)
    summary: dict | None = None
    findings: dict | None = None
    kdump: dict | None = None
    path: str = ""


@dataclass
class Outcome:
    outcome: str          # accept | reject | crash | timeout | error
    exit: int | None      # exit status; negative = killed by that signal
    seconds: float
    detail: str = ""
    stdout: str = ""


def load_adapter(path: Path) -> Adapter:
    """Parse one adapter file; ValueError names the file and the bad key."""
    with open(path, "rb") as f:
        d = tomllib.load(f)
    for key in ("name", "command"):
        if key not in d:
            raise ValueError(f"{path}: missing key '{key}'")
    known = set(Adapter.__dataclass_fields__) - {"path"}
    extra = set(d) - known
    if extra:
        raise ValueError(f"{path}: unknown key(s) {', '.join(sorted(extra))}")
    if not isinstance(d["command"], list) or not d["command"]:
        raise ValueError(f"{path}: command must be a non-empty array")
    kd = d.get("kdump")
    if kd is not None:
        if not isinstance(kd, dict) or set(kd) - KDUMP_KEYS:
            raise ValueError(f"{path}: [kdump] takes only {', '.join(sorted(KDUMP_KEYS))}")
        if "command" in kd and (not isinstance(kd["command"], list) or not kd["command"]):
            raise ValueError(f"{path}: kdump.command must be a non-empty array")
        if "findings" in kd and not isinstance(kd["findings"], list):
            raise ValueError(f"{path}: kdump.findings must be an array (a command)")
    return Adapter(path=str(path), description=d.get("description", ""),
                   **{k: v for k, v in d.items() if k != "description"})


def for_kind(adapter: Adapter, kind: str) -> Adapter | None:
    """The adapter to run on a file of KIND ("dump" or "kdump"); None: n.a. for it.
    A kdump run takes [kdump]'s command / findings (defaults: the top-level
    command, no findings) and has no summary."""
    if kind != "kdump":
        return adapter
    if adapter.kdump is None:
        return None
    kd = adapter.kdump
    found = {"command": kd["findings"]} if kd.get("findings") else None
    return replace(adapter, command=kd.get("command", adapter.command), findings=found,
                   summary=None, kdump=None)


def load_adapters(folder: Path) -> list[Adapter]:
    return [load_adapter(p) for p in sorted(folder.glob("*.toml"))]


def expand(args: list[str], values: dict) -> list[str]:
    out = []
    for a in args:
        for key, val in values.items():
            a = a.replace("{" + key + "}", str(val))
        out.append(a)
    return out


def missing(requires: list, values: dict) -> list[str]:
    """The `requires` entries not present: paths (with a /) must exist, names be on PATH."""
    out = []
    for req in expand([str(r) for r in requires], values):
        ok = Path(req).exists() if "/" in req else shutil.which(req) is not None
        if not ok:
            out.append(req)
    return out


def missing_requirements(adapter: Adapter, values: dict) -> list[str]:
    return missing(adapter.requires, values)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_command(argv: list[str], timeout: float) -> tuple[int | None, str, str, float]:
    """Run argv in its own process group; (exit or None on timeout, stdout, stderr, seconds)."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        rc = None
    seconds = time.monotonic() - start
    dec = lambda b: b[:OUTPUT_CAP].decode("utf-8", "replace")  # noqa: E731
    return rc, dec(out), dec(err), seconds


def classify(adapter: Adapter, rc: int | None) -> str:
    if rc is None:
        return "timeout"
    if rc < 0 or rc >= 128 or rc in adapter.crash_exit:
        return "crash"
    if rc in adapter.accept_exit:
        return "accept"
    if rc in adapter.reject_exit:
        return "reject"
    return "error"


def _describe(rc: int | None, err: str, timeout: float) -> str:
    if rc is None:
        return f"no answer within {timeout:g} s (killed)"
    if rc < 0:
        try:
            return f"killed by {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    last = err.strip().splitlines()[-1:] if err.strip() else []
    return f"exit {rc}" + (f": {last[0][:200]}" if last else "")


def run_reader(adapter: Adapter, dump: Path, values: dict) -> Outcome:
    """The adapter's accept/reject command over one file."""
    argv = expand(adapter.command, {**values, "dump": dump})
    try:
        rc, out, err, seconds = run_command(argv, adapter.timeout)
    except OSError as e:
        return Outcome("error", None, 0.0, f"cannot run {argv[0]}: {e}")
    return Outcome(classify(adapter, rc), rc, seconds, _describe(rc, err, adapter.timeout), out)


def load_normaliser(name: str):
    return importlib.import_module(name).normalise


def summarise(adapter: Adapter, dump: Path, values: dict) -> tuple[dict | None, str]:
    """(normalised summary or None, why not) from the adapter's [summary] section."""
    if not adapter.summary:
        return None, "no summary"
    argv = expand(adapter.summary["command"], {**values, "dump": dump})
    try:
        rc, out, err, _ = run_command(argv, adapter.timeout)
    except OSError as e:
        return None, f"cannot run {argv[0]}: {e}"
    if rc is None or rc < 0 or rc >= 128 or not out.strip():
        return None, _describe(rc, err, adapter.timeout)
    try:
        return load_normaliser(adapter.summary["normaliser"])(out), ""
    except (ValueError, KeyError, TypeError) as e:
        return None, f"normaliser: {e}"


def findings(adapter: Adapter, dump: Path, values: dict) -> list[dict] | None:
    """Findings [{rule, level, offset, ...}] from the adapter's [findings] command, if any."""
    if not adapter.findings:
        return None
    argv = expand(adapter.findings["command"], {**values, "dump": dump})
    try:
        rc, out, _, _ = run_command(argv, adapter.timeout)
        doc = json.loads(out)
    except (OSError, ValueError):
        return None
    if rc is None or rc < 0 or rc >= 128:
        return None
    files = doc.get("files") or []
    return files[0].get("findings", []) if files else []
