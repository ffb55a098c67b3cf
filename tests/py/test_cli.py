"""End-to-end tests of the `dumpcheck` CLI (binary from $DUMPCHECK)."""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import mkscale  # noqa: E402

DUMPCHECK = os.environ.get("DUMPCHECK", str(ROOT / "build/debug/dumpcheck"))


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([DUMPCHECK, *args], input=stdin, capture_output=True, timeout=120)


@unittest.skipUnless(Path(DUMPCHECK).exists(), f"{DUMPCHECK} not built")
class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        tmp = Path(cls.tmp.name)
        cls.good = tmp / "good.dmp"
        mkscale.generate("modules-threads", str(cls.good), count=3)
        data = bytearray(cls.good.read_bytes())
        data[0:4] = b"XXXX"
        cls.bad = tmp / "bad.dmp"
        cls.bad.write_bytes(bytes(data))
        cls.empty = tmp / "empty.dmp"
        cls.empty.write_bytes(b"")
        cls.missing = tmp / "no-such-file.dmp"

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()

    def test_valid_dump_is_conformant(self) -> None:
        r = run("validate", str(self.good))
        self.assertEqual(r.returncode, 0, r.stdout.decode())
        self.assertIn(b"conformant", r.stdout)

    def test_bad_signature_is_nonconformant_with_rule_id(self) -> None:
        r = run("validate", str(self.bad))
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"header.signature", r.stdout)
        self.assertIn(b"NON-CONFORMANT", r.stdout)

    def test_empty_file_is_rejected_not_crashed(self) -> None:
        r = run("validate", str(self.empty))
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"header.truncated", r.stdout)

    def test_missing_file_exit_2_names_file(self) -> None:
        r = run("validate", str(self.missing))
        self.assertEqual(r.returncode, 2)
        self.assertIn(str(self.missing).encode(), r.stderr)
        self.assertIn(b"No such file", r.stderr)

    def test_directory_argument_is_an_input_error(self) -> None:
        r = run("validate", self.tmp.name)
        self.assertEqual(r.returncode, 2)
        self.assertIn(self.tmp.name.encode(), r.stderr)

    def test_worst_exit_code_wins(self) -> None:
        self.assertEqual(run("validate", str(self.good), str(self.bad)).returncode, 1)
        self.assertEqual(run("validate", str(self.bad), str(self.missing)).returncode, 2)

    def test_usage_errors_exit_2(self) -> None:
        self.assertEqual(run().returncode, 2)
        self.assertEqual(run("frobnicate").returncode, 2)
        self.assertEqual(run("validate").returncode, 2)
        self.assertEqual(run("validate", "--format", "yaml", str(self.good)).returncode, 2)
        self.assertEqual(run("validate", "--bogus", str(self.good)).returncode, 2)
        self.assertEqual(run("dump").returncode, 2)

    def test_help_for_every_command(self) -> None:
        for cmd in (["--help"], ["validate", "--help"], ["dump", "--help"], ["rules", "--help"],
                    ["help", "validate"]):
            r = run(*cmd)
            self.assertEqual(r.returncode, 0, cmd)
            self.assertIn(b"usage: dumpcheck", r.stdout, cmd)

    def test_json_report(self) -> None:
        r = run("validate", "--format", "json", str(self.good), str(self.bad))
        doc = json.loads(r.stdout)
        self.assertEqual(doc["schema"], "dumpcheck-validate")
        self.assertEqual([f["verdict"] for f in doc["files"]], ["y", "n"])
        rules = {f["rule"] for f in doc["files"][1]["findings"]}
        self.assertIn("header.signature", rules)

    def test_junit_report(self) -> None:
        r = run("validate", "--format", "junit", str(self.good), str(self.bad))
        suite = ET.fromstring(r.stdout)
        if suite.tag == "testsuites":
            suite = suite.find("testsuite")
        cases = suite.findall("testcase")
        self.assertEqual(len(cases), 2)
        self.assertIsNone(cases[0].find("failure"))
        self.assertIsNotNone(cases[1].find("failure"))

    def test_tap_report(self) -> None:
        r = run("validate", "--format", "tap", str(self.good), str(self.bad))
        lines = r.stdout.decode().splitlines()
        self.assertIn("1..2", lines)
        self.assertTrue(any(l.startswith("ok 1 ") for l in lines))
        self.assertTrue(any(l.startswith("not ok 2 ") for l in lines))

    def test_sarif_report(self) -> None:
        r = run("validate", "--format", "sarif", str(self.bad))
        doc = json.loads(r.stdout)
        self.assertEqual(doc["version"], "2.1.0")
        results = doc["runs"][0]["results"]
        self.assertIn("header.signature", {x["ruleId"] for x in results})

    def test_output_file_option(self) -> None:
        out = Path(self.tmp.name) / "report.json"
        r = run("validate", "--format", "json", "-o", str(out), str(self.good))
        self.assertEqual(r.returncode, 0)
        self.assertEqual(json.loads(out.read_text())["files"][0]["verdict"], "y")

    def test_strict_stops_early(self) -> None:
        data = bytearray(self.good.read_bytes())
        data[4:8] = struct.pack("<I", 0x1234)          # header.version
        struct.pack_into("<I", data, 12, 0x7FFFFFF0)   # directory past EOF
        p = Path(self.tmp.name) / "two-errors.dmp"
        p.write_bytes(bytes(data))
        lenient = json.loads(run("validate", "--format", "json", str(p)).stdout)
        strict = json.loads(run("validate", "--strict", "--format", "json", str(p)).stdout)
        self.assertGreater(lenient["files"][0]["counts"]["must"], strict["files"][0]["counts"]["must"])
        self.assertEqual(strict["files"][0]["counts"]["must"], 1)

    def test_stdin_pipe_is_read(self) -> None:
        r = subprocess.run([DUMPCHECK, "validate", "/dev/stdin"], input=self.good.read_bytes(),
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_dump_json_has_every_stream_and_field(self) -> None:
        r = run("dump", "--json", str(self.good))
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["schema"], "dumpcheck-dump")
        self.assertEqual(doc["header"]["Signature"], 0x504D444D)
        names = [s["name"] for s in doc["streams"]]
        self.assertEqual(names, ["SystemInfoStream", "ThreadListStream", "ModuleListStream",
                                 "MemoryListStream"])
        modules = doc["streams"][2]["entries"]
        self.assertEqual(len(modules), 3)
        self.assertEqual(modules[0]["$struct"], "MINIDUMP_MODULE")
        self.assertIn("ModuleNameRva.text", modules[0])
        self.assertEqual(modules[0]["VersionInfo"]["dwSignature"], 0xFEEF04BD)
        si = doc["streams"][0]["struct"]
        self.assertEqual(si["ProcessorArchitecture.name"], "PROCESSOR_ARCHITECTURE_AMD64")

    def test_dump_text(self) -> None:
        r = run("dump", str(self.good))
        self.assertEqual(r.returncode, 0)
        out = r.stdout.decode()
        self.assertIn("ThreadListStream (0x3)", out)
        self.assertIn("MINIDUMP_THREAD", out)
        self.assertIn("verdict: y", out)

    def test_dump_of_garbage_still_valid_json(self) -> None:
        for blob in (b"", b"MDMP", b"MDMP" + bytes(28), os.urandom(4096)):
            p = Path(self.tmp.name) / "garbage.dmp"
            p.write_bytes(blob)
            r = run("dump", "--json", str(p))
            self.assertIn(r.returncode, (0, 1))
            json.loads(r.stdout)

    def test_rules_lists_every_spec_rule(self) -> None:
        import tomllib
        ids = []
        for path in sorted((ROOT / "spec/rules").glob("*.toml")):
            ids += [r["id"] for r in tomllib.loads(path.read_text())["rule"]]
        r = run("rules", "--json")
        doc = json.loads(r.stdout)
        self.assertEqual(sorted(x["id"] for x in doc["rules"]), sorted(ids))
        text = run("rules").stdout.decode()
        for rid in ids:
            self.assertIn(rid, text)


if __name__ == "__main__":
    unittest.main()
