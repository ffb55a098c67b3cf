"""DriverCallback implementations under test (`make conform`, step 4): every
adapters/dcb/*.toml run through every script of spec/dcb-scripts, each
run's notification trace (spec/dcb-trace.md) judged by `dumpcheck dcb-check
--format json --exercised FILE`.

An adapter is data, like a writer adapter (README "DriverCallback
adapters"): `name`, `description`, `command` with the placeholders
{script}, {trace}, {dumpcheck}, {root}; `requires` (one missing: n.a.);
`timeout`. Exit 0 means the script ran; 2 a usage or input error; 3, a
signal, or a trace without a result record a crash.

The result is one implementation record per adapter in the shape
tools/conform_eval.py gives writers (kind "writer"): one run per script,
status "returned-true" when the script ran to its end, findings from the
trace, and `checked`, the rules the trace exercised, so the matrix shows
dcb.* rules pass / fail / i_ / not exercised for each implementation.
"""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import readers

ROOT = Path(__file__).resolve().parent.parent
EXIT_RAN, EXIT_USAGE, EXIT_CRASH = 0, 2, 3


def discover(folder: Path) -> list[dict]:
    out = []
    for p in sorted(folder.glob("*.toml")):
        try:
            d = tomllib.loads(p.read_text())
        except (OSError, tomllib.TOMLDecodeError) as e:
            out.append({"name": p.stem, "description": "", "requires": [], "command": [],
                        "error": f"{p}: {e}"})
            continue
        out.append({"name": d.get("name", p.stem), "description": d.get("description", ""),
                    "requires": d.get("requires", []), "command": d.get("command", []),
                    "timeout": d.get("timeout", 60), "error": "" if d.get("command")
                    else f"{p}: command is required"})
    return out


def _status(rc: int | None, trace: Path) -> str:
    if rc is None:
        return "timeout"
    if rc == EXIT_RAN:
        return "returned-true" if _has_result(trace) else "crash"
    if rc == EXIT_USAGE:
        return "error"
    return "crash"


def _has_result(trace: Path) -> bool:
    try:
        lines = trace.read_text(encoding="utf-8").splitlines()
        return bool(lines) and json.loads(lines[-1]).get("record") == "result"
    except (OSError, ValueError, UnicodeDecodeError):
        return False


def check_trace(dumpcheck: str, trace: Path) -> tuple[list[dict], list[str], str]:
    """(findings, exercised rule ids, error) of `dumpcheck dcb-check` on one trace."""
    ex = trace.with_suffix(".exercised")
    ex.unlink(missing_ok=True)
    rc, out, err, _ = readers.run_command(
        [dumpcheck, "dcb-check", "--format", "json", "--exercised", str(ex), str(trace)], 120)
    if rc not in (0, 1):
        return [], [], f"dcb-check exited {rc}: {err.strip()[:200]}"
    try:
        doc = json.loads(out)
        findings = [{**f, "source": "trace"} for f in doc["files"][0]["findings"]]
        checked = ex.read_text().split()
    except (OSError, ValueError, KeyError, IndexError) as e:
        return [], [], f"dcb-check output: {e}"
    return findings, checked, ""


def run_script(a: dict, script: Path, dumpcheck: str, out_dir: Path) -> dict:
    trace = out_dir / f"{script.stem}.jsonl"
    trace.unlink(missing_ok=True)
    values = {"script": str(script), "trace": str(trace), "dumpcheck": dumpcheck, "root": str(ROOT)}
    rc, out, err, seconds = readers.run_command(readers.expand(a["command"], values),
                                                float(a.get("timeout", 60)))
    (out_dir / f"{script.stem}.log").write_text(out + err)
    run = {"scenario": script.stem, "script": str(script), "status": _status(rc, trace),
           "exit_code": rc, "expect": {}, "trace": str(trace) if trace.exists() else None,
           "dump": None, "findings": [], "checked": [], "seconds": round(seconds, 3),
           "error": None}
    if run["status"] == "error":
        run["error"] = (err.strip().splitlines() or ["usage or input error"])[-1][:300]
    if trace.exists() and trace.stat().st_size:
        run["findings"], run["checked"], why = check_trace(dumpcheck, trace)
        run["error"] = run["error"] or (why or None)
    return run


def run_adapter(a: dict, dumpcheck: str, scripts: list[Path], out_dir: Path) -> dict:
    impl = {"name": a["name"], "kind": "writer", "family": "dcb",
            "description": a["description"], "available": False, "reason": "", "runs": [],
            "seconds": 0.0}
    values = {"dumpcheck": dumpcheck, "root": str(ROOT)}
    missing = readers.missing(a["requires"], values)
    if a.get("error") or missing:
        impl["reason"] = a.get("error") or "missing: " + ", ".join(missing)
        return impl
    (out_dir / a["name"]).mkdir(parents=True, exist_ok=True)
    impl["runs"] = [run_script(a, s, dumpcheck, out_dir / a["name"]) for s in scripts]
    impl["seconds"] = round(sum(r["seconds"] for r in impl["runs"]), 3)
    impl["available"] = True
    impl["implementation"] = _implementation(impl["runs"])
    return impl


def _implementation(runs: list[dict]) -> str | None:
    for r in runs:
        try:
            head = json.loads(Path(r["trace"]).read_text().splitlines()[0])
            return f"{head.get('implementation')} {head.get('version')}"
        except (OSError, TypeError, ValueError, IndexError):
            continue
    return None


def run_all(dumpcheck: str, adapters: Path, scripts_dir: Path, out_dir: Path, log) -> list[dict]:
    """Every DriverCallback adapter over every script; progress through log()."""
    scripts = sorted(scripts_dir.glob("*.toml"))
    out = []
    for a in discover(adapters):
        log(f"dcb {a['name']}: {len(scripts)} scripts ...")
        impl = run_adapter(a, dumpcheck, scripts, out_dir)
        if impl["available"]:
            bad = [r["scenario"] for r in impl["runs"] if r["status"] != "returned-true"]
            must = sum(1 for r in impl["runs"] for f in r["findings"]
                       if f.get("level") == "MUST" and not f.get("impl"))
            log(f"dcb {a['name']}: {len(impl['runs'])} scripts in {impl['seconds']:.1f} s, "
                f"{must} MUST findings" + (f", not run to the end: {bad}" if bad else ""))
        else:
            log(f"dcb {a['name']}: n.a. ({impl['reason']})")
        out.append(impl)
    return out
