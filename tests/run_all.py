#!/usr/bin/env python3
"""Run every test suite of `make test` and print one closing line.

Suites: the cmocka unit tests, the fuzz-harness replay of seeds and crash
regressions, and the Python unittest suites (specgen, mkscale, CLI end to
end, real dumps). Each suite's own summary is printed as it runs; the last
line is 'N passed, N failed' (', N skipped' when some were skipped).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CMOCKA_PASSED = re.compile(r"^\[  PASSED  \] (\d+) test")
CMOCKA_FAILED = re.compile(r"^\[  FAILED  \] (\d+) test")
CMOCKA_SKIPPED = re.compile(r"^\[  SKIPPED \] (\d+) test")
PY_RAN = re.compile(r"^Ran (\d+) tests? in")
PY_FAILED = re.compile(r"^FAILED \((.*)\)")
PY_SKIPPED = re.compile(r"skipped=(\d+)")


class Tally:
    def __init__(self) -> None:
        self.passed = self.failed = self.skipped = 0

    def add(self, passed: int, failed: int, skipped: int = 0) -> None:
        self.passed += passed
        self.failed += failed
        self.skipped += skipped


def run(cmd: list[str], env: dict | None = None) -> tuple[int, str]:
    print(f"$ {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace")
    sys.stdout.write(proc.stdout)
    sys.stdout.flush()
    return proc.returncode, proc.stdout


def cmocka_suite(binary: Path, tally: Tally) -> None:
    rc, out = run([str(binary)])
    passed = failed = skipped = 0
    for line in out.splitlines():
        if m := CMOCKA_PASSED.match(line):
            passed += int(m.group(1))
        elif m := CMOCKA_FAILED.match(line):
            failed += int(m.group(1))
        elif m := CMOCKA_SKIPPED.match(line):
            skipped += int(m.group(1))
    if rc != 0 and failed == 0:
        failed = 1  # crashed or sanitizer abort before cmocka's summary
    tally.add(passed, failed, skipped)


def replay_suite(binary: Path, dirs: list[Path], tally: Tally) -> None:
    present = [str(d) for d in dirs if d.is_dir() and any(d.iterdir())]
    if not present:
        return
    rc, out = run([str(binary)] + present)
    m = re.search(r"replayed (\d+) input", out)
    count = int(m.group(1)) if m else 0
    if rc == 0 and count:
        tally.add(1, 0)
        print(f"replay {binary.name}: {count} inputs, no crash")
    else:
        tally.add(0, 1)
        print(f"replay {binary.name}: FAILED (exit {rc})")


def python_suite(env: dict, tally: Tally) -> None:
    rc, out = run([sys.executable, "-m", "unittest", "discover", "-s", "tests/py", "-t", ".", "-v"], env)
    ran = failed = skipped = 0
    for line in out.splitlines():
        if m := PY_RAN.match(line):
            ran = int(m.group(1))
        elif m := PY_FAILED.match(line):
            failed = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", m.group(1)))
        if "skipped=" in line and (line.startswith("OK") or line.startswith("FAILED")):
            skipped = int(PY_SKIPPED.search(line).group(1))
    if rc != 0 and failed == 0:
        failed = 1
    tally.add(ran - failed - skipped, failed, skipped)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", required=True, help="sanitizer build folder (tests, replay, CLI)")
    ap.add_argument("--release", required=True, help="release build folder (valgrind runs)")
    ap.add_argument("--real-dumps", default="../shared/real-dumps")
    args = ap.parse_args()
    build = ROOT / args.build
    tally = Tally()
    for binary in sorted((build / "tests").glob("test_*")):
        cmocka_suite(binary, tally)
    for binary in sorted((build / "harnesses").glob("replay_*")):
        target = binary.name[len("replay_"):]
        replay_suite(binary, [ROOT / "corpus/seeds" / target, ROOT / "corpus/regress" / target], tally)
    env = dict(os.environ)
    env["DUMPCHECK"] = str(build / "dumpcheck")
    env["DUMPCHECK_RELEASE"] = str(ROOT / args.release / "dumpcheck")
    env["DUMPCHECK_REAL_DUMPS"] = str((ROOT / args.real_dumps).resolve())
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=86")
    env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:exitcode=86")
    python_suite(env, tally)
    skipped = f", {tally.skipped} skipped" if tally.skipped else ""
    print(f"{tally.passed} passed, {tally.failed} failed{skipped}")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
