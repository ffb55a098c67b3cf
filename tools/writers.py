"""Writer implementations under test: every adapters/writers/*.toml, each run
by `dumpcheck conform --writer NAME --format json -o FILE` (schema
`dumpcheck-conform-writer` v1). An adapter whose `requires` are missing, or a
dumpcheck without the `conform` command, gives an "n.a." implementation with
the reason.
"""
from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import readers

DEFAULT_WRITERS = ("reference", "wine-dbghelp")
TIMEOUT = 1800


def has_command(dumpcheck: str, command: str) -> bool:
    """Whether `dumpcheck help` lists COMMAND."""
    try:
        r = subprocess.run([dumpcheck, "help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    text = r.stdout + r.stderr
    return any(line.split()[:1] == [command] for line in text.splitlines())


def discover(folder: Path) -> list[dict]:
    """[{name, description, requires, path}] from adapters/writers/*.toml (defaults if none)."""
    out = []
    for p in sorted(folder.glob("*.toml")):
        try:
            with open(p, "rb") as f:
                d = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            out.append({"name": p.stem, "description": "", "requires": [], "path": str(p),
                        "error": f"{p}: {e}"})
            continue
        out.append({"name": d.get("name", p.stem), "description": d.get("description", ""),
                    "requires": d.get("requires", []), "path": str(p)})
    return out or [{"name": n, "description": "", "requires": [], "path": ""}
                   for n in DEFAULT_WRITERS]


def _na(w: dict, reason: str) -> dict:
    return {"name": w["name"], "kind": "writer", "description": w["description"],
            "available": False, "reason": reason, "runs": [], "seconds": 0.0}


def run_writer(w: dict, dumpcheck: str, out_dir: Path, values: dict) -> dict:
    """One writer adapter through `dumpcheck conform`; the implementation record."""
    if w.get("error"):
        return _na(w, w["error"])
    missing = readers.missing(w["requires"], values)
    if missing:
        return _na(w, "missing: " + ", ".join(missing))
    doc_path = out_dir / f"{w['name']}.json"
    doc_path.unlink(missing_ok=True)
    argv = [dumpcheck, "conform", "--writer", w["name"], "--format", "json", "-o", str(doc_path)]
    rc, _, err, seconds = readers.run_command(argv, TIMEOUT)
    if rc is None or rc < 0 or rc == 2 or not doc_path.exists():
        why = "timeout" if rc is None else f"exit {rc}"
        last = err.strip().splitlines()[-1:] if err.strip() else [""]
        return _na(w, f"`dumpcheck conform --writer {w['name']}` failed ({why}) {last[0][:200]}")
    try:
        doc = json.loads(doc_path.read_text())
    except ValueError as e:
        return _na(w, f"{doc_path}: not JSON ({e})")
    if doc.get("schema") != "dumpcheck-conform-writer":
        return _na(w, f"{doc_path}: schema {doc.get('schema')!r}, not dumpcheck-conform-writer")
    runs = doc.get("runs") or []
    live = [r for r in runs if r.get("status") != "n.a."]
    impl = {"name": w["name"], "kind": "writer", "description": w["description"] or
            doc.get("implementation", ""), "implementation": doc.get("implementation"),
            "available": bool(live), "reason": "" if live else _na_reason(runs),
            "runs": runs, "seconds": round(seconds, 3), "exit": rc, "document": str(doc_path)}
    return impl


def _na_reason(runs: list[dict]) -> str:
    if not runs:
        return "no scenario runs"
    details = {f.get("detail", "") for r in runs for f in r.get("findings", [])}
    details |= {r.get("detail", "") for r in runs}
    details.discard("")
    return "every run n.a." + (f": {sorted(details)[0][:200]}" if details else "")


def run_all(dumpcheck: str, folder: Path, out_dir: Path, values: dict, log) -> list[dict]:
    """Every writer adapter; progress lines through log()."""
    out_dir.mkdir(parents=True, exist_ok=True)
    writers = discover(folder)
    if not has_command(dumpcheck, "conform"):
        reason = "this dumpcheck has no `conform` command yet"
        log(f"writers: {reason}; {', '.join(w['name'] for w in writers)} shown as n.a.")
        return [_na(w, reason) for w in writers]
    out = []
    for w in writers:
        log(f"writer {w['name']}: running `dumpcheck conform --writer {w['name']}` ...")
        impl = run_writer(w, dumpcheck, out_dir, values)
        state = f"{len(impl['runs'])} runs in {impl['seconds']:.1f} s" if impl["available"] \
            else f"n.a. ({impl['reason']})"
        log(f"writer {w['name']}: {state}")
        out.append(impl)
    return out
