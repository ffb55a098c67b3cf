"""Mutation check of the suite (tools/mutate.py): every seeded fault of
tests/mutation/faults.toml in the reference writer is caught by a rule it
names, and a fault no rule can see is reported as missed."""
from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTATE = ROOT / "tools/mutate.py"


def mutate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(MUTATE), *args], capture_output=True, text=True,
                          timeout=1800)


class MutationTest(unittest.TestCase):
    def test_every_seeded_fault_is_caught(self) -> None:
        faults = tomllib.loads((ROOT / "tests/mutation/faults.toml").read_text())["fault"]
        self.assertGreaterEqual(len(faults), 10)
        r = mutate()
        sys.stdout.write(r.stdout)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for f in faults:
            self.assertIn(f"ok   {f['id']}: caught by", r.stdout)
        self.assertIn(f"{len(faults)} of {len(faults)} seeded faults caught", r.stdout)

    def test_invisible_and_stale_faults_fail(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            faults = Path(tmp) / "faults.toml"
            faults.write_text(
                '[[fault]]\nid = "comment_only"\ndescription = "changes a comment"\n'
                'file = "reference/src/writer.c"\nfind = "/* a 32-bit RVA cannot address it"\n'
                'replace = "/* a 32-bit RVA can never address it"\ncaught_by = ["header.signature"]\n\n'
                '[[fault]]\nid = "stale"\ndescription = "text that is not there"\n'
                'file = "reference/src/writer.c"\nfind = "no such text in the writer"\n'
                'replace = "x"\ncaught_by = ["header.signature"]\n')
            r = mutate("--faults", str(faults))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("FAIL comment_only: MISSED", r.stdout)
        self.assertIn("FAIL stale: stale:", r.stdout)
        self.assertIn("0 of 2 seeded faults caught", r.stdout)


if __name__ == "__main__":
    unittest.main()
