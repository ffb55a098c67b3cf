"""The conformance corpus: `dumpcheck corpus` over spec/cases, and every file
held to its case by the reference validator.

The check is done twice on purpose: `dumpcheck corpus --verify` validates in
process (it alone can apply a case's `limits`), and this test re-validates
every file without limits through `dumpcheck validate --format json` and
judges fires / quiet / verdict itself, so that a bug in one path cannot hide
a wrong case. Run with DUMPCHECK=build/<variant>/dumpcheck."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DUMPCHECK = os.environ.get("DUMPCHECK", str(ROOT / "build/debug/dumpcheck"))
ENFORCED_PHASES = {"decode", "validate", "resolve", "limit"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([DUMPCHECK, *args], capture_output=True, text=True, timeout=600)


def rule_table() -> dict[str, dict]:
    out = run("rules", "--json")
    assert out.returncode == 0, out.stderr
    return {r["id"]: r for r in json.loads(out.stdout)["rules"]}


def judge(case: dict, result: dict, rules: dict[str, dict]) -> list[str]:
    """Why the validation `result` of a file does not meet its `case` (empty: it does)."""
    counts: dict[str, int] = {}
    for f in result["findings"]:
        counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    for rid, n in result.get("unrecorded", {}).items():
        counts[rid] = counts.get(rid, 0) + n
    why = [f"{rid} does not fire" for rid in case["fires"] if not counts.get(rid)]
    why += [f"{rid} fires" for rid in case["quiet"] if counts.get(rid)]
    must = sum(n for rid, n in counts.items() if rules[rid]["level"] == "MUST" and not rules[rid]["impl"])
    must_other = sum(n for rid, n in counts.items()
                     if rules[rid]["level"] == "MUST" and not rules[rid]["impl"] and rules[rid]["phase"] != "limit")
    impl = sum(n for rid, n in counts.items() if rules[rid]["impl"])
    limit = sum(n for rid, n in counts.items() if rules[rid]["phase"] == "limit")
    ok = {"y": must == 0 and impl == 0,
          "n": must_other > 0,
          "i": (must == 0 and impl > 0) or (limit > 0 and must_other == 0)}[case["verdict"]]
    if not ok:
        why.append(f"verdict {case['verdict']} does not hold: {sorted(counts.items())}")
    return why


class CorpusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = Path(cls.tmp.name) / "corpus"
        cls.proc = run("corpus", "--spec", str(ROOT / "spec"), "--verify", str(cls.out))
        cls.manifest = json.loads((cls.out / "manifest.json").read_text())
        cls.rules = rule_table()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()

    def test_materialise_and_verify(self) -> None:
        self.assertEqual(self.proc.returncode, 0, self.proc.stdout + self.proc.stderr)
        self.assertIn("verified", self.proc.stdout)

    def test_manifest(self) -> None:
        m = self.manifest
        self.assertEqual((m["schema"], m["version"]), ("dumpcheck-corpus", 1))
        files = sorted(p.name for p in self.out.glob("*.dmp"))
        self.assertEqual(files, sorted(c["file"] for c in m["cases"]))
        for c in m["cases"]:
            self.assertEqual(c["file"], f"{c['verdict']}_{c['id'][2:] if c['id'][1] == '_' else c['id']}.dmp")
            self.assertEqual((self.out / c["file"]).stat().st_size, c["size"])
            self.assertTrue((ROOT / c["source"]["case_file"]).is_file())
            self.assertTrue((ROOT / c["source"]["scenario"]).is_file())
            self.assertTrue(c["description"])

    def test_every_file_against_the_validator(self) -> None:
        """Independent of --verify: `dumpcheck validate` on every file without limits."""
        cases = [c for c in self.manifest["cases"] if "limits" not in c]
        out = run("validate", "--format", "json", *[str(self.out / c["file"]) for c in cases])
        self.assertIn(out.returncode, (0, 1), out.stderr)
        results = {Path(f["path"]).name: f for f in json.loads(out.stdout)["files"]}
        failures = []
        for c in cases:
            why = judge(c, results[c["file"]], self.rules)
            if why:
                failures.append(f"{c['file']} ({c['source']['case_file']}:{c['source']['line']}): " + "; ".join(why))
        self.assertEqual(failures, [], "\n".join(failures))
        verdicts = {c["verdict"] for c in cases}
        self.assertEqual(verdicts, {"y", "n", "i"})

    def test_rule_coverage(self) -> None:
        """Every decode/validate/resolve/limit rule fires in a case and stays quiet in one."""
        fires = {r for c in self.manifest["cases"] for r in c["fires"]}
        quiet = {r for c in self.manifest["cases"] for r in c["quiet"]}
        missing = [f"{rid} ({what})" for rid, r in self.rules.items() if r["phase"] in ENFORCED_PHASES
                   for what, have in (("firing", fires), ("quiet", quiet)) if rid not in have]
        self.assertEqual(missing, [])

    def test_deterministic(self) -> None:
        other = Path(self.tmp.name) / "again"
        proc = run("corpus", "--spec", str(ROOT / "spec"), str(other))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for p in sorted(self.out.iterdir()):
            self.assertEqual(p.read_bytes(), (other / p.name).read_bytes(), p.name)

    def test_stale_files_replaced(self) -> None:
        out = Path(self.tmp.name) / "stale"
        out.mkdir()
        (out / "n_gone.dmp").write_bytes(b"old")
        (out / "keep.txt").write_text("not ours")
        self.assertEqual(run("corpus", "--spec", str(ROOT / "spec"), str(out)).returncode, 0)
        self.assertFalse((out / "n_gone.dmp").exists())
        self.assertTrue((out / "keep.txt").exists())

    def test_bad_case_file_is_named(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            spec = Path(tmp) / "spec"
            (spec / "cases").mkdir(parents=True)
            (spec / "scenarios").symlink_to(ROOT / "spec/scenarios")
            (spec / "cases/bad.toml").write_text(
                '[[case]]\nid = "n_x"\nverdict = "n"\ndescription = "x"\nbase = "plain.toml"\n'
                'fires = ["header.signature"]\npatches = [{ path = "header.Signatur", value = 1 }]\n')
            proc = run("corpus", "--spec", str(spec), str(Path(tmp) / "out"))
            self.assertEqual(proc.returncode, 2)
            self.assertIn("bad.toml: case 'n_x': line 7: patches[0]", proc.stderr)
            self.assertIn("no field 'Signatur'", proc.stderr)
            (spec / "cases/bad.toml").write_text('[[case]]\nid = "n_x"\nverdict = "q"\n')
            proc = run("corpus", "--spec", str(spec), str(Path(tmp) / "out"))
            self.assertEqual(proc.returncode, 2)
            self.assertIn("bad.toml: line 3: case[0].verdict", proc.stderr)

    def test_wrong_expectation_fails_verify(self) -> None:
        """A case whose expectation is wrong makes --verify fail (exit 1) and says why."""
        with tempfile.TemporaryDirectory() as tmp:
            spec = Path(tmp) / "spec"
            (spec / "cases").mkdir(parents=True)
            (spec / "scenarios").symlink_to(ROOT / "spec/scenarios")
            (spec / "cases/wrong.toml").write_text(
                '[[case]]\nid = "y_wrong"\nverdict = "y"\ndescription = "claims y, is n"\n'
                'base = "plain.toml"\npatches = [{ path = "header.Version", value = 0xA794 }]\n'
                'quiet = ["header.version"]\n')
            proc = run("corpus", "--spec", str(spec), "--verify", str(Path(tmp) / "out"))
            self.assertEqual(proc.returncode, 1, proc.stderr)
            self.assertIn("y_wrong.dmp", proc.stderr)
            self.assertIn("header.version fires", proc.stderr)
            self.assertIn("verdict y does not hold", proc.stderr)


if __name__ == "__main__":
    unittest.main()
