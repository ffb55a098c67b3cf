#!/usr/bin/env python3
"""Fuzzing benchmarks for `make bench`.

1. Per-harness speed: every libFuzzer target of build/fuzz (ASan + UBSan)
   fuzzes from its seed corpus for --speed-seconds on one core; the report
   gives execs/s and the edges reached (libFuzzer's `cov:`). A run's rate
   swings by a fifth with the corpus it happens to grow, so the target with
   a speed goal (fuzz_minidump_read: 20,000 execs/s) runs three times, with
   libFuzzer seeds 1-3, and is judged on the median. With --afl-dir,
   every AFL++ persistent-mode build there runs as one afl-fuzz instance for
   the same time, and its execs/s is reported beside.
2. Custom mutator: fuzz_minidump_read (byte-level) and
   fuzz_minidump_structured (the same target with md_mutator.h) each run
   --mutator-seconds from the same seeds, one after the other on one core;
   the report puts their edges side by side.

Writes OUT/fuzz.json and OUT/fuzz.txt. Exit status: 0 when every target ran,
1 when a target crashed (its artifact is kept in OUT), 2 on setup errors.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAT = re.compile(r"stat::(\w+):\s+(\d+)")
COV = re.compile(r"cov: (\d+) ft: (\d+)")


SPEED_GOALS = {"fuzz_minidump_read": 20000}  # execs/s, from issue 5
GOAL_RUNS = 3


def run_target(binary: Path, seeds: Path, seconds: int, out: Path, seed: int = 1) -> dict:
    """One libFuzzer run from a copy of `seeds`: execs/s, edges, crash."""
    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "corpus"
        corpus.mkdir()
        r = subprocess.run([str(binary), f"-max_total_time={seconds}", f"-seed={seed}", "-print_final_stats=1",
                            "-timeout=10", "-rss_limit_mb=2048", f"-artifact_prefix={out}/",
                            str(corpus), str(seeds)],
                           capture_output=True, text=True, timeout=seconds * 3 + 120)
    log = r.stderr
    stats = {k: int(v) for k, v in STAT.findall(log)}
    cov = COV.findall(log)
    return {"target": binary.name, "seconds": seconds, "seed": seed, "exit": r.returncode,
            "execs": stats.get("number_of_executed_units", 0),
            "execs_per_s": stats.get("average_exec_per_sec", 0),
            "edges": int(cov[-1][0]) if cov else 0, "features": int(cov[-1][1]) if cov else 0,
            "crashed": r.returncode != 0}


def run_afl(binary: Path, seeds: Path, seconds: int) -> dict:
    """One afl-fuzz instance (persistent mode, no UI) from the seeds: execs/s."""
    env = {**os.environ, "AFL_NO_UI": "1", "AFL_SKIP_CPUFREQ": "1",
           "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES": "1", "AFL_BENCH_UNTIL_CRASH": "0"}
    with tempfile.TemporaryDirectory() as work:
        inp, out = Path(work) / "in", Path(work) / "out"
        inp.mkdir()
        for f in seeds.iterdir():
            if f.is_file():
                shutil.copy(f, inp / f.name)
        r = subprocess.run(["afl-fuzz", "-i", str(inp), "-o", str(out), "-V", str(seconds), "-t", "10000",
                            "--", str(binary)], capture_output=True, text=True, env=env,
                           timeout=seconds * 3 + 120)
        stats = out / "default/fuzzer_stats"
        got = {}
        if stats.exists():
            for line in stats.read_text().splitlines():
                key, _, value = line.partition(":")
                got[key.strip()] = value.strip()
    rate = float(got.get("execs_per_sec", "0") or 0)
    crashes = int(got.get("saved_crashes", "0") or 0)
    return {"target": binary.name, "engine": "afl++", "seconds": seconds, "exit": r.returncode,
            "execs_per_s": round(rate), "crashed": crashes > 0 or not got}


def seeds_of(target: str) -> Path:
    return (ROOT / "corpus/seeds" / target).resolve()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fuzz-dir", default=str(ROOT / "build/fuzz"))
    ap.add_argument("--out", default=str(ROOT / "build/bench"))
    ap.add_argument("--speed-seconds", type=int, default=30)
    ap.add_argument("--mutator-seconds", type=int, default=300)
    ap.add_argument("--afl-dir", help="AFL++ builds (build/afl) to time as well")
    ap.add_argument("--only", action="append", metavar="TARGET",
                    help="time only this target (repeatable); the mutator comparison still runs")
    args = ap.parse_args()
    fuzz, out = Path(args.fuzz_dir), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    targets = sorted(p for p in fuzz.glob("fuzz_*") if p.is_file() and seeds_of(p.name).is_dir()
                     and (not args.only or p.name in args.only))
    if not targets or not shutil.which("clang"):
        print("fuzzbench: no libFuzzer targets in", fuzz, "(make fuzz)", file=sys.stderr)
        return 2
    lines, speed = ["per-harness speed (libFuzzer, ASan+UBSan, one core, from the seeds):"], []
    for binary in targets:
        goal = SPEED_GOALS.get(binary.name)
        runs = [run_target(binary, seeds_of(binary.name), args.speed_seconds, out, seed)
                for seed in range(1, (GOAL_RUNS if goal else 1) + 1)]
        speed += runs
        res = sorted(runs, key=lambda r: r["execs_per_s"])[len(runs) // 2]
        lines.append(f"  {res['target']:28} {res['execs_per_s']:>7} execs/s  {res['edges']:>5} edges"
                     + ("  CRASHED" if any(r["crashed"] for r in runs) else ""))
        if goal:
            rates = ", ".join(str(r["execs_per_s"]) for r in runs)
            lines[-1] += (f"  (median of {len(runs)}: {rates}; goal {goal}: "
                          + ("PASS" if res["execs_per_s"] >= goal else "FAIL") + ")")
        print(lines[-1], flush=True)
    if args.afl_dir and shutil.which("afl-fuzz"):
        for binary in sorted(p for p in Path(args.afl_dir).glob("fuzz_*") if p.is_file()
                             and (not args.only or p.name in args.only)):
            if seeds_of(binary.name).is_dir():
                res = run_afl(binary, seeds_of(binary.name), args.speed_seconds)
                speed.append(res)
                lines.append(f"  {res['target']:28} {res['execs_per_s']:>7} execs/s  (AFL++ persistent)"
                             + ("  CRASHED" if res["crashed"] else ""))
                print(lines[-1], flush=True)
    mut = [run_target(fuzz / name, seeds_of("fuzz_minidump_read"), args.mutator_seconds, out)
           for name in ("fuzz_minidump_read", "fuzz_minidump_structured") if (fuzz / name).exists()]
    if len(mut) == 2:
        plain, structured = mut
        lines.append(f"custom mutator, {args.mutator_seconds} s each from the same seeds: "
                     f"byte-level {plain['edges']} edges ({plain['execs']} execs), "
                     f"structure-aware {structured['edges']} edges ({structured['execs']} execs): "
                     + ("more edges [PASS]" if structured["edges"] > plain["edges"] else
                        "not more edges [FAIL]"))
        print(lines[-1])
    (out / "fuzz.txt").write_text("\n".join(lines) + "\n")
    (out / "fuzz.json").write_text(json.dumps({"schema": "dumpcheck-fuzzbench", "version": 1,
                                               "speed": speed, "mutator": mut}, indent=1) + "\n")
    return 1 if any(r["crashed"] for r in speed + mut) else 0


if __name__ == "__main__":
    sys.exit(main())
