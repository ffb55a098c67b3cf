#!/usr/bin/env python3
"""Run the Windows agent (build/win/agent.exe) under Wine: Wine's real
dbghelp MiniDumpWriteDump on a scenario's callback script.

    wine_agent.py [--agent build/win/agent.exe] [--timeout S] [--prefix DIR]
                  SCENARIO.toml OUT.dmp TRACE.jsonl [--dump-type TYPE]
    wine_agent.py --dcb [--agent ...] [--timeout S] [--prefix DIR] SCRIPT.toml TRACE.jsonl

The second form runs `agent.exe dcb`: a DriverCallback script
(spec/dcb-scripts) against Wine's winmm, written as a notification trace
(spec/dcb-trace.md); exit 0 when the script ran.

A writer adapter for the conformance runner: the same arguments and exit
codes as `dumpcheck write` (0 MiniDumpWriteDump returned TRUE, 1 FALSE,
2 usage or input error, Wine or the agent missing included) plus 3: the
agent crashed, timed out, or left a trace without a result record.

Debian's wine64 package installs its loader as /usr/lib/wine/wine64 and no
`wine` command (that comes with the recommended `wine` package), so the
loader is looked up there first. The Wine prefix lives under build/ so the
first run's prefix creation (seconds to half a minute) is done once.
Standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_AGENT = ROOT / "build" / "win" / "agent.exe"
DEFAULT_PREFIX = ROOT / "build" / "wineprefix"
EXIT_TRUE, EXIT_FALSE, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3


def find_loader() -> str | None:
    """The wine64 loader: $DUMPCHECK_WINE, Debian's path, the package's file list, PATH."""
    env = os.environ.get("DUMPCHECK_WINE")
    if env:
        return env if os.access(env, os.X_OK) else None
    candidates = ["/usr/lib/wine/wine64"]
    try:
        listed = subprocess.run(["dpkg", "-L", "wine64"], capture_output=True, text=True, timeout=30)
        candidates += [line for line in listed.stdout.splitlines() if line.endswith("/wine64")]
    except (OSError, subprocess.TimeoutExpired):
        pass
    candidates += [p for p in (shutil.which("wine64"), shutil.which("wine")) if p]
    for c in candidates:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def wine_env(prefix: Path) -> dict:
    """Headless, quiet, and no Mono/Gecko installers when the prefix is created."""
    env = dict(os.environ)
    env["WINEPREFIX"] = str(prefix)
    env["WINEDEBUG"] = "-all"
    env["WINEDLLOVERRIDES"] = "mscoree,mshtml="
    env.pop("DISPLAY", None)
    return env


def dos_path(path: str) -> str:
    """An absolute Unix path as Wine's Z: drive sees it (a fresh prefix maps Z: to /).
    Forward slashes: Windows takes them, and the scenario loader finds a `base`
    file by the last '/'."""
    return "Z:" + str(Path(path).resolve())


def has_result(trace: Path) -> bool:
    """Whether the trace ends with a result record (a crash leaves none)."""
    try:
        lines = trace.read_text(encoding="utf-8").splitlines()
        return bool(lines) and json.loads(lines[-1]).get("record") == "result"
    except (OSError, ValueError, UnicodeDecodeError):
        return False


def stop_wineserver(loader: str, env: dict) -> None:
    """Kill what is left in the prefix after a timeout (hung agent, dialogs)."""
    for name in ("wineserver", "wineserver64"):
        server = Path(loader).with_name(name)
        if server.exists():
            subprocess.run([str(server), "-k"], env=env, capture_output=True, timeout=60)
            return


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Run build/win/agent.exe under Wine.")
    ap.add_argument("--agent", default=str(DEFAULT_AGENT), help="the agent (default: %(default)s)")
    ap.add_argument("--prefix", default=str(DEFAULT_PREFIX), help="WINEPREFIX (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds before the run counts as hung (default: %(default)s)")
    ap.add_argument("--dump-type", help="override the scenario's DumpType")
    ap.add_argument("scenario")
    ap.add_argument("out")
    ap.add_argument("trace")
    return ap.parse_args(argv)


def parse_dcb_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Run `agent.exe dcb` (winmm DriverCallback) under Wine.")
    ap.add_argument("--agent", default=str(DEFAULT_AGENT), help="the agent (default: %(default)s)")
    ap.add_argument("--prefix", default=str(DEFAULT_PREFIX), help="WINEPREFIX (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds before the run counts as hung (default: %(default)s)")
    ap.add_argument("script")
    ap.add_argument("trace")
    return ap.parse_args(argv)


def main_dcb(argv: list[str]) -> int:
    """--dcb SCRIPT TRACE: a DriverCallback script against Wine's winmm
    (harnesses/win/agent_dcb.c). Exit 0 the script ran, 2 usage / script
    error, 3 crash, timeout or a trace without a result record."""
    try:
        a = parse_dcb_args(argv)
    except SystemExit as e:
        return EXIT_TRUE if e.code == 0 else EXIT_USAGE
    loader = find_loader()
    if not loader or not Path(a.agent).is_file() or not Path(a.script).is_file():
        what = "no wine64 loader (make deps-wine)" if not loader else \
            f"{a.agent}: not built (make agent)" if not Path(a.agent).is_file() else \
            f"{a.script}: no such file"
        print(f"wine_agent: {what}", file=sys.stderr)
        return EXIT_USAGE
    Path(a.prefix).mkdir(parents=True, exist_ok=True)
    env = wine_env(Path(a.prefix).resolve())
    cmd = [loader, dos_path(a.agent), "dcb", dos_path(a.script), dos_path(a.trace)]
    try:
        rc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, timeout=a.timeout).returncode
    except subprocess.TimeoutExpired:
        print(f"wine_agent: timed out after {a.timeout:g} s", file=sys.stderr)
        stop_wineserver(loader, env)
        return EXIT_CRASH
    if rc == EXIT_TRUE and not has_result(Path(a.trace)):
        print("wine_agent: exit 0 but the trace has no result record", file=sys.stderr)
        return EXIT_CRASH
    if rc in (EXIT_TRUE, EXIT_USAGE):
        return rc
    print(f"wine_agent: the agent crashed (exit {rc})", file=sys.stderr)
    return EXIT_CRASH


def main(argv: list[str]) -> int:
    if argv[:1] == ["--dcb"]:
        return main_dcb(argv[1:])
    try:
        a = parse_args(argv)
    except SystemExit as e:
        return EXIT_TRUE if e.code == 0 else EXIT_USAGE
    loader = find_loader()
    if not loader:
        print("wine_agent: no wine64 loader (make deps-wine)", file=sys.stderr)
        return EXIT_USAGE
    if not Path(a.agent).is_file():
        print(f"wine_agent: {a.agent}: not built (make agent)", file=sys.stderr)
        return EXIT_USAGE
    if not Path(a.scenario).is_file():
        print(f"wine_agent: {a.scenario}: no such file", file=sys.stderr)
        return EXIT_USAGE
    Path(a.prefix).mkdir(parents=True, exist_ok=True)
    env = wine_env(Path(a.prefix).resolve())
    cmd = [loader, dos_path(a.agent), dos_path(a.scenario), dos_path(a.out), dos_path(a.trace)]
    if a.dump_type:
        cmd += ["--dump-type", a.dump_type]
    try:
        rc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, timeout=a.timeout).returncode
    except subprocess.TimeoutExpired:
        print(f"wine_agent: timed out after {a.timeout:g} s", file=sys.stderr)
        stop_wineserver(loader, env)
        return EXIT_CRASH
    if rc in (EXIT_TRUE, EXIT_FALSE) and not has_result(Path(a.trace)):
        print(f"wine_agent: exit {rc} but the trace has no result record", file=sys.stderr)
        return EXIT_CRASH
    if rc in (EXIT_TRUE, EXIT_FALSE, EXIT_USAGE):
        return rc
    print(f"wine_agent: the agent crashed (exit {rc})", file=sys.stderr)
    return EXIT_CRASH


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
