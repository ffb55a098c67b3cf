"""Trace-judged implementations under test (`make conform`, step 4): for each
family, every adapter of its folder run over every input file of its folder,
each run's trace judged by its `dumpcheck <check> --format json --exercised
FILE TRACE [IMAGE]`.

  family  adapters          inputs                   check         placeholders
  dcb     adapters/dcb      spec/dcb-scripts         dcb-check     {script} {trace}
  filter  adapters/filter   spec/filter-scenarios    filter-check  {scenario} {trace} {image}

An adapter is data, like a writer adapter (README "DriverCallback adapters",
"Filter-stack adapters"): `name`, `description`, `command` with the
family's placeholders and {dumpcheck}, {root}; `requires` (one missing:
n.a.); `timeout`. Exit 0 means the input ran; 2 a usage or input error; 3,
a signal, or a trace without a result record a crash.

An input's optional `[expect]` table (`fires = [rule ids]`: a negative
control, a scenario that breaks those rules on purpose) becomes the run's
`expect`; tools/conform_eval.py counts the run as met when those rules fire
and no other MUST rule does.

The result is one implementation record per adapter in the shape
tools/conform_eval.py gives writers (kind "writer", `family` set): one run
per input, status "returned-true" when the input ran to its end, findings
from the trace, and `checked`, the rules the trace exercised, so the matrix
shows the family's rules pass / fail / i_ / not exercised per implementation.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

import readers
from wine_agent import has_result

ROOT = Path(__file__).resolve().parent.parent
EXIT_RAN, EXIT_USAGE, EXIT_CRASH = 0, 2, 3


@dataclass(frozen=True)
class Family:
    name: str                 # the implementation record's `family`
    adapters: Path            # adapters/<family>/*.toml
    inputs: Path              # the input files (*.toml)
    input_key: str            # the input's placeholder: {script}, {scenario}
    check: str                # the dumpcheck command that judges a trace
    unit: str                 # what the inputs are called in the summary
    image: bool = False       # the run also writes {image}, given to the check


FAMILIES = {
    "dcb": Family("dcb", ROOT / "adapters/dcb", ROOT / "spec/dcb-scripts", "script",
                  "dcb-check", "scripts"),
    "filter": Family("filter", ROOT / "adapters/filter", ROOT / "spec/filter-scenarios",
                     "scenario", "filter-check", "scenarios", image=True),
}


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


def load_expect(path: Path) -> dict:
    """The input's [expect] table ({} without one, or when it cannot be read)."""
    try:
        exp = tomllib.loads(path.read_text()).get("expect", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return exp if isinstance(exp, dict) else {}


def _status(rc: int | None, trace: Path) -> str:
    if rc is None:
        return "timeout"
    if rc == EXIT_RAN:
        return "returned-true" if has_result(trace) else "crash"
    if rc == EXIT_USAGE:
        return "error"
    return "crash"



def check_trace(dumpcheck: str, check: str, trace: Path,
                image: Path | None = None) -> tuple[list[dict], list[str], str]:
    """(findings, exercised rule ids, error) of `dumpcheck CHECK` on one trace (and image)."""
    ex = trace.with_suffix(".exercised")
    ex.unlink(missing_ok=True)
    argv = [dumpcheck, check, "--format", "json", "--exercised", str(ex), str(trace)]
    rc, out, err, _ = readers.run_command(argv + ([str(image)] if image else []), 120)
    if rc not in (0, 1):
        return [], [], f"{check} exited {rc}: {err.strip()[:200]}"
    try:
        doc = json.loads(out)
        findings = [{**f, "source": "trace"} for f in doc["files"][0]["findings"]]
        checked = ex.read_text().split()
    except (OSError, ValueError, KeyError, IndexError) as e:
        return [], [], f"{check} output: {e}"
    return findings, checked, ""


def run_input(fam: Family, a: dict, src: Path, dumpcheck: str, out_dir: Path) -> dict:
    trace = out_dir / f"{src.stem}.jsonl"
    image = out_dir / f"{src.stem}.dmp" if fam.image else None
    for p in (trace, image):
        if p:
            p.unlink(missing_ok=True)
    values = {fam.input_key: str(src), "trace": str(trace), "dumpcheck": dumpcheck,
              "root": str(ROOT), **({"image": str(image)} if image else {})}
    rc, out, err, seconds = readers.run_command(readers.expand(a["command"], values),
                                                float(a.get("timeout", 60)))
    (out_dir / f"{src.stem}.log").write_text(out + err)
    image = image if image and image.exists() else None
    run = {"scenario": src.stem, "input": str(src), "status": _status(rc, trace),
           "exit_code": rc, "expect": load_expect(src),
           "trace": str(trace) if trace.exists() else None,
           "dump": str(image) if image else None, "findings": [], "checked": [],
           "seconds": round(seconds, 3), "error": None}
    if run["status"] == "error":
        run["error"] = (err.strip().splitlines() or ["usage or input error"])[-1][:300]
    if trace.exists() and trace.stat().st_size:
        run["findings"], run["checked"], why = check_trace(dumpcheck, fam.check, trace, image)
        run["error"] = run["error"] or (why or None)
    return run


def run_adapter(fam: Family, a: dict, dumpcheck: str, inputs: list[Path], out_dir: Path) -> dict:
    impl = {"name": a["name"], "kind": "writer", "family": fam.name, "unit": fam.unit,
            "description": a["description"], "available": False, "reason": "", "runs": [],
            "seconds": 0.0}
    values = {"dumpcheck": dumpcheck, "root": str(ROOT)}
    missing = readers.missing(a["requires"], values)
    if a.get("error") or missing:
        impl["reason"] = a.get("error") or "missing: " + ", ".join(missing)
        return impl
    (out_dir / a["name"]).mkdir(parents=True, exist_ok=True)
    impl["runs"] = [run_input(fam, a, s, dumpcheck, out_dir / a["name"]) for s in inputs]
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


def run_all(fam: Family, dumpcheck: str, out_dir: Path, log, adapters: Path | None = None,
            inputs: Path | None = None) -> list[dict]:
    """Every adapter of the family over every input; progress through log()."""
    files = sorted((inputs or fam.inputs).glob("*.toml"))
    out = []
    for a in discover(adapters or fam.adapters):
        log(f"{fam.name} {a['name']}: {len(files)} {fam.unit} ...")
        impl = run_adapter(fam, a, dumpcheck, files, out_dir)
        if impl["available"]:
            bad = [r["scenario"] for r in impl["runs"] if r["status"] != "returned-true"]
            must = sum(1 for r in impl["runs"] for f in r["findings"]
                       if f.get("level") == "MUST" and not f.get("impl"))
            controls = sum(1 for r in impl["runs"] if r["expect"].get("fires"))
            log(f"{fam.name} {a['name']}: {len(impl['runs'])} {fam.unit} in "
                f"{impl['seconds']:.1f} s, {must} MUST findings"
                + (f" ({controls} negative-control {fam.unit})" if controls else "")
                + (f", not run to the end: {bad}" if bad else ""))
        else:
            log(f"{fam.name} {a['name']}: n.a. ({impl['reason']})")
        out.append(impl)
    return out
