"""The validator over every third-party dump in ../shared/real-dumps.

Expected verdicts and MUST-level rule ids are checked in under
tests/real-dumps/expected.tsv. Each file must also dump to valid JSON, and
both commands must run clean under valgrind (release build). Skipped when the
folder is absent.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DUMPCHECK = os.environ.get("DUMPCHECK", str(ROOT / "build/debug/dumpcheck"))
RELEASE = os.environ.get("DUMPCHECK_RELEASE", str(ROOT / "build/release/dumpcheck"))
REAL = Path(os.environ.get("DUMPCHECK_REAL_DUMPS", str(ROOT.parent / "shared/real-dumps")))
EXPECTED = ROOT / "tests/real-dumps/expected.tsv"
VALGRIND_ERROR = 99


def load_expected() -> dict[str, dict]:
    with EXPECTED.open(newline="") as fh:
        rows = csv.DictReader((l for l in fh if not l.startswith("#")), delimiter="\t")
        return {r["file"]: r for r in rows}


def real_files() -> list[str]:
    if not REAL.is_dir():
        return []
    return sorted(str(p.relative_to(REAL)) for p in REAL.rglob("*")
                  if p.is_file() and p.name != "MANIFEST.tsv")


def no_duplicate_keys(pairs: list) -> dict:
    keys = [k for k, _ in pairs]
    dups = sorted({k for k in keys if keys.count(k) > 1})
    if dups:
        raise ValueError(f"duplicate JSON keys {dups}")
    return dict(pairs)


def must_rules(report: dict) -> set[str]:
    return {f["rule"] for f in report["findings"] if f["level"] == "MUST" and not f["impl"]} | \
        {rule for rule in report.get("unrecorded", {})
         if any(f["rule"] == rule and f["level"] == "MUST" for f in report["findings"])}


class RealDumpsTest(unittest.TestCase):
    expected = load_expected()

    def test_every_real_dump_has_an_expectation(self) -> None:
        if not REAL.is_dir():
            self.skipTest(f"{REAL} absent")
        missing = [f for f in real_files() if f not in self.expected]
        self.assertEqual(missing, [], "add these to tests/real-dumps/expected.tsv")

    def check_file(self, rel: str) -> None:
        path = REAL / rel
        if not path.is_file():
            self.skipTest(f"{path} absent")
        want = self.expected[rel]
        r = subprocess.run([DUMPCHECK, "validate", "--format", "json", str(path)],
                           capture_output=True, timeout=120)
        self.assertEqual(r.returncode, 1 if want["verdict"] == "n" else 0, r.stderr.decode())
        report = json.loads(r.stdout)["files"][0]
        self.assertEqual(report["verdict"], want["verdict"])
        expected_rules = {x for x in want["must_rules"].split(",") if x}
        self.assertEqual(must_rules(report), expected_rules)
        d = subprocess.run([DUMPCHECK, "dump", "--json", str(path)], capture_output=True, timeout=120)
        self.assertIn(d.returncode, (0, 1), d.stderr.decode())
        doc = json.loads(d.stdout, object_pairs_hook=no_duplicate_keys)
        self.assertEqual(doc["verdict"], want["verdict"])
        self.check_valgrind(path)

    def check_valgrind(self, path: Path) -> None:
        if not shutil.which("valgrind") or not Path(RELEASE).exists():
            return
        for args in (["validate", str(path)], ["dump", "--json", str(path)]):
            r = subprocess.run(["valgrind", "-q", f"--error-exitcode={VALGRIND_ERROR}",
                                "--leak-check=full", "--errors-for-leak-kinds=definite",
                                RELEASE, *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
            self.assertNotEqual(r.returncode, VALGRIND_ERROR, r.stderr.decode()[-2000:])


def _make_test(rel: str):
    return lambda self: self.check_file(rel)


for _rel in sorted(load_expected()):
    _name = "test_" + "".join(c if c.isalnum() else "_" for c in _rel)
    setattr(RealDumpsTest, _name, _make_test(_rel))


if __name__ == "__main__":
    unittest.main()
