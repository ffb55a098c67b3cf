"""End-to-end tests of `dumpcheck check-trace` and `dumpcheck conform --writer`
(binary from $DUMPCHECK): clean reference traces pass, an edited trace fails
with the rule it breaks, bad traces are input errors (exit 2), every report
format parses, and a conform run over the scenarios writes the
dumpcheck-conform-writer JSON the report tooling reads."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DUMPCHECK = os.environ.get("DUMPCHECK", str(ROOT / "build/debug/dumpcheck"))
SCENARIOS = ROOT / "spec/scenarios"
STATUSES = {"returned-true", "returned-false", "error", "crash", "timeout", "n.a."}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([DUMPCHECK, *args], capture_output=True, timeout=600, cwd=cwd)


@unittest.skipUnless(Path(DUMPCHECK).exists(), f"{DUMPCHECK} not built")
class CheckTraceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        for name in ("plain", "cancel", "io-redirect", "memory-add-remove"):
            r = run("write", "--trace", str(cls.dir / f"{name}.jsonl"),
                    str(SCENARIOS / f"{name}.toml"), str(cls.dir / f"{name}.dmp"))
            assert r.returncode in (0, 1), r.stderr

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()

    def paths(self, name: str) -> tuple[str, str]:
        return str(self.dir / f"{name}.jsonl"), str(self.dir / f"{name}.dmp")

    def test_clean_traces_pass(self) -> None:
        for name in ("plain", "cancel", "io-redirect", "memory-add-remove"):
            r = run("check-trace", *self.paths(name))
            self.assertEqual(r.returncode, 0, r.stdout.decode() + r.stderr.decode())

    def test_trace_alone(self) -> None:
        r = run("check-trace", self.paths("plain")[0])
        self.assertEqual(r.returncode, 0, r.stdout.decode())

    def edited(self, name: str, old: str, new: str) -> str:
        text = (self.dir / f"{name}.jsonl").read_text()
        self.assertIn(old, text)
        out = self.dir / f"{name}-edited.jsonl"
        out.write_text(text.replace(old, new, 1))
        return str(out)

    def test_broken_trace_fails_with_its_rule(self) -> None:
        trace = self.edited("plain", '"output_in":{"check_cancel":false',
                            '"output_in":{"check_cancel":true')
        r = run("check-trace", "--format", "json", trace, self.paths("plain")[1])
        self.assertEqual(r.returncode, 1, r.stderr)
        doc = json.loads(r.stdout)
        rules = [f["rule"] for f in doc["files"][0]["findings"]]
        self.assertEqual(rules, ["cb.cancel.preset_false"])
        finding = doc["files"][0]["findings"][0]
        line = next(i + 1 for i, l in enumerate(Path(trace).read_text().splitlines())
                    if '"check_cancel":true,"cancel":false},"returned"' in l)
        self.assertEqual(finding["offset"], line)  # trace findings: the line number
        self.assertTrue(finding["detail"].startswith(f"line {line}: "))

    def test_cross_rule_on_the_dump(self) -> None:
        trace = self.edited("memory-add-remove", '"memory_base":"0x200000"', '"memory_base":"0x900000"')
        r = run("check-trace", "--format", "json", trace, self.paths("memory-add-remove")[1])
        self.assertEqual(r.returncode, 1)
        doc = json.loads(r.stdout)
        self.assertEqual([f["rule"] for f in doc["files"][1]["findings"]],
                         ["cb.cross.added_memory_present"])

    def test_input_errors(self) -> None:
        bad = self.dir / "bad.jsonl"
        bad.write_text('{"record":"header","schema":"dumpcheck-trace","schema_version":9}\n')
        r = run("check-trace", str(bad))
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"line 1: schema_version 9 is not supported", r.stderr)
        bad.write_text('{"record":"header",\n')
        r = run("check-trace", str(bad))
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"line 1: column 20:", r.stderr)
        r = run("check-trace", str(self.dir / "missing.jsonl"))
        self.assertEqual(r.returncode, 2)
        r = run("check-trace", "--format", "yaml", self.paths("plain")[0])
        self.assertEqual(r.returncode, 2)

    def test_every_format(self) -> None:
        trace = self.edited("plain", '"output_in":{"status":"0x80004001"}', '"output_in":{"status":"0x0"}')
        for fmt in ("text", "json", "junit", "tap", "sarif"):
            out = self.dir / f"report.{fmt}"
            r = run("check-trace", "--format", fmt, "-o", str(out), trace, self.paths("plain")[1])
            self.assertEqual(r.returncode, 1, fmt)
            body = out.read_text()
            self.assertIn("cb.io.start_preset", body)
            if fmt in ("json", "sarif"):
                json.loads(body)
            if fmt == "junit":
                ET.fromstring(body)


@unittest.skipUnless(Path(DUMPCHECK).exists(), f"{DUMPCHECK} not built")
class ConformWriterTest(unittest.TestCase):
    def test_reference_adapter(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            scen = Path(tmp) / "scenarios"
            scen.mkdir()
            for name in ("plain", "cancel", "io-redirect", "exclude-include-thread"):
                (scen / f"{name}.toml").write_text((SCENARIOS / f"{name}.toml").read_text())
            r = run("conform", "--writer", "reference", "--root", str(ROOT), "--scenarios",
                    str(scen), "--out", str(Path(tmp) / "out"), "--format", "json")
            self.assertEqual(r.returncode, 0, r.stderr.decode())
            self.assertIn(b"[4/4]", r.stderr)
            doc = json.loads(r.stdout)
            saved = json.loads((Path(tmp) / "out/reference/result.json").read_text())
            self.assertEqual(doc, saved)
            self.assertEqual((doc["schema"], doc["version"]), ("dumpcheck-conform-writer", 1))
            self.assertEqual(doc["implementation"], "dumpcheck-reference")
            self.assertEqual(doc["adapter"], "reference")
            runs = {run_["scenario"]: run_ for run_ in doc["runs"]}
            self.assertEqual(set(runs), {"plain", "cancel", "io-redirect", "exclude-include-thread"})
            self.assertEqual(runs["cancel"]["status"], "returned-false")
            self.assertEqual(runs["cancel"]["expect"], {"returned": False, "last_error": "ERROR_CANCELLED"})
            self.assertEqual(runs["plain"]["status"], "returned-true")
            for run_ in doc["runs"]:
                self.assertIn(run_["status"], STATUSES)
                self.assertEqual([f for f in run_["findings"] if f["level"] != "MAY"], [])
                self.assertTrue(Path(run_["trace"]).exists() and Path(run_["dump"]).exists())

    def test_missing_requirement_is_na(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            adapter = Path(tmp) / "nope.toml"
            adapter.write_text('name = "nope"\ncommand = ["{root}/no-such-writer", "{scenario}"]\n'
                               'requires = ["no/such/file", "{dumpcheck}"]\n')
            r = run("conform", "--writer", str(adapter), "--root", str(ROOT), "--out",
                    str(Path(tmp) / "out"), "--format", "json")
            self.assertEqual(r.returncode, 0, r.stderr)
            doc = json.loads(r.stdout)
            self.assertFalse(doc["available"])
            self.assertEqual({x["status"] for x in doc["runs"]}, {"n.a."})

    def test_adapter_exit_codes(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            scen = Path(tmp) / "scenarios"
            scen.mkdir()
            (scen / "plain.toml").write_text((SCENARIOS / "plain.toml").read_text())
            for code, status, rc in ((3, "crash", 3), (2, "error", 2), (7, "error", 2)):
                adapter = Path(tmp) / f"exit{code}.toml"
                adapter.write_text(f'name = "exit{code}"\ncommand = ["sh", "-c", "exit {code}"]\n')
                r = run("conform", "--writer", str(adapter), "--scenarios", str(scen), "--out",
                        str(Path(tmp) / "out"), "--format", "json")
                self.assertEqual(r.returncode, rc, r.stderr)
                self.assertEqual(json.loads(r.stdout)["runs"][0]["status"], status)
            adapter = Path(tmp) / "slow.toml"
            adapter.write_text('name = "slow"\ncommand = ["sleep", "30"]\ntimeout = 1\n')
            r = run("conform", "--writer", str(adapter), "--scenarios", str(scen), "--out",
                    str(Path(tmp) / "out"), "--format", "json")
            self.assertEqual(r.returncode, 3)
            self.assertEqual(json.loads(r.stdout)["runs"][0]["status"], "timeout")

    def test_bad_adapter_is_usage_error(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            adapter = Path(tmp) / "bad.toml"
            adapter.write_text('name = "bad"\ncommand = ["{nope}"]\n')
            r = run("conform", "--writer", str(adapter), "--root", str(ROOT), "--out", str(Path(tmp)))
            self.assertEqual(r.returncode, 2)
            r = run("conform", "--writer", "no-such-adapter", "--root", str(ROOT))
            self.assertEqual(r.returncode, 2)
            self.assertIn(b"no-such-adapter", r.stderr)


if __name__ == "__main__":
    unittest.main()
