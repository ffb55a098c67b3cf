#!/usr/bin/env python3
"""Mutation check of the suite: seeded faults in the reference writer must be
caught by named rules.

Each fault of tests/mutation/faults.toml is one textual edit of a writer
source file. The source tree is copied to a scratch directory and built once
(release CLI); then, per fault, the edit is applied, the CLI rebuilt
(incrementally), and every example scenario run through
`dumpcheck conform --writer reference`. A fault is caught when a rule it
names in `caught_by` reports a finding (scenario, rule) that the pristine
writer does not. A fault whose text no longer matches the source fails too:
the check must not rot silently.

Usage: tools/mutate.py [--faults FILE] [--only ID ...] [--keep DIR] [--jobs N]
Exit status: 0 every fault caught, 1 a fault missed or stale, 2 setup error.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAULTS = ROOT / "tests/mutation/faults.toml"
COPIED = ("Makefile", "reference", "spec", "adapters", "tools")
# The 256 MiB scenario adds time, not coverage of any fault.
SKIPPED_SCENARIOS = {"huge.toml"}


def copy_tree(dest: Path) -> None:
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, symlinks=True)
        else:
            shutil.copy2(src, dest / name)


def scenario_dir(tree: Path) -> Path:
    """The example scenarios minus the slow ones (symlinks, so `base` resolves)."""
    out = tree / "mutation-scenarios"
    out.mkdir()
    for p in sorted((tree / "spec/scenarios").glob("*.toml")):
        if p.name not in SKIPPED_SCENARIOS:
            (out / p.name).symlink_to(p)
    return out


def build(tree: Path, jobs: int) -> None:
    r = subprocess.run(["make", "-C", str(tree), f"-j{jobs}", "--no-print-directory",
                        "VARIANT=release", "cli"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"build failed:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")


def findings(tree: Path, scenarios: Path, tag: str) -> set[tuple[str, str]]:
    """(scenario, rule) of every finding of a `conform --writer reference` run."""
    out = tree / "mutation-out" / tag
    result = out / "result.json"
    r = subprocess.run([str(tree / "build/release/dumpcheck"), "conform", "--writer", "reference",
                        "--root", str(tree), "--scenarios", str(scenarios), "--out", str(out),
                        "--format", "json", "-o", str(result)],
                       capture_output=True, text=True, timeout=900)
    if r.returncode not in (0, 1) or not result.exists():
        raise RuntimeError(f"conform exited {r.returncode}: {r.stderr[-2000:]}")
    doc = json.loads(result.read_text())
    got = set()
    for run in doc["runs"]:
        for f in run.get("findings", []):
            got.add((run["scenario"], f["rule"]))
        if run["status"] in ("crash", "timeout"):
            got.add((run["scenario"], "<" + run["status"] + ">"))
    return got


def apply(tree: Path, fault: dict) -> str:
    """Apply the edit; returns the original text (to restore)."""
    path = tree / fault["file"]
    text = path.read_text()
    want = fault.get("count", 1)
    have = text.count(fault["find"])
    if have != want:
        raise LookupError(f"{fault['file']}: `find` occurs {have} times, expected {want}")
    path.write_text(text.replace(fault["find"], fault["replace"]))
    return text


def check_fault(tree: Path, scenarios: Path, fault: dict, baseline: set, jobs: int) -> tuple[bool, str]:
    path = tree / fault["file"]
    try:
        original = apply(tree, fault)
    except LookupError as e:
        return False, f"stale: {e}"
    try:
        build(tree, jobs)
        new = findings(tree, scenarios, fault["id"]) - baseline
    finally:
        path.write_text(original)
    caught = sorted({rule for _, rule in new if rule in fault["caught_by"]})
    others = sorted({rule for _, rule in new} - set(caught))
    if caught:
        return True, "caught by " + ", ".join(caught) + (f" (also: {', '.join(others)})" if others else "")
    return False, "MISSED" + (f" (new findings only under: {', '.join(others)})" if others else
                              " (no new finding)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--faults", default=str(FAULTS), help="the faults file (TOML)")
    ap.add_argument("--only", nargs="*", help="fault ids to run (default: all)")
    ap.add_argument("--keep", help="build in this directory and keep it")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    faults = tomllib.loads(Path(args.faults).read_text())["fault"]
    if args.only:
        faults = [f for f in faults if f["id"] in args.only]
    scratch = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dc-mutate-"))
    try:
        if scratch.exists() and any(scratch.iterdir()):
            shutil.rmtree(scratch)
        scratch.mkdir(parents=True, exist_ok=True)
        copy_tree(scratch)
        scenarios = scenario_dir(scratch)
        t0 = time.monotonic()
        build(scratch, args.jobs)
        baseline = findings(scratch, scenarios, "pristine")
        print(f"mutate: pristine writer built and run ({time.monotonic() - t0:.0f} s), "
              f"{len(baseline)} finding(s) to ignore")
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        print(f"mutate: setup failed: {e}", file=sys.stderr)
        return 2
    missed = 0
    for fault in faults:
        t0 = time.monotonic()
        try:
            ok, why = check_fault(scratch, scenarios, fault, baseline, args.jobs)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            ok, why = False, f"error: {e}"
        missed += not ok
        print(f"mutate: {'ok  ' if ok else 'FAIL'} {fault['id']}: {why} ({time.monotonic() - t0:.0f} s)")
    print(f"mutate: {len(faults) - missed} of {len(faults)} seeded faults caught by a named rule")
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
