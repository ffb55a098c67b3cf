"""End-to-end tests of the kernel-dump commands of the `dumpcheck` CLI
(binary from $DUMPCHECK): kdump-write (plain and --sparse), validate's
signature dispatch and --kdump, dump (text and --json), kdump-page."""
from __future__ import annotations

import json
import os
import struct
import subprocess
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DUMPCHECK = os.environ.get("DUMPCHECK", str(ROOT / "build/debug/dumpcheck"))
SCENARIOS = ROOT / "spec/kdump-scenarios"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([DUMPCHECK, *args], capture_output=True, text=True, timeout=120)


@unittest.skipUnless(Path(DUMPCHECK).exists(), f"{DUMPCHECK} not built")
class KdumpCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        cls.dumps = {}
        for scen in sorted(SCENARIOS.glob("*.toml")):
            out = cls.dir / (scen.stem + ".dmp")
            proc = run("kdump-write", str(scen), str(out))
            assert proc.returncode == 0, proc.stderr
            cls.dumps[scen.stem] = out

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()

    def test_written_dumps_validate(self) -> None:
        out = run("validate", "--format", "json", *map(str, self.dumps.values()))
        self.assertEqual(out.returncode, 0, out.stdout)
        files = {Path(f["path"]).stem: f for f in json.loads(out.stdout)["files"]}
        for name, f in files.items():
            self.assertEqual(f["verdict"], "i" if name == "kernel64" else "y", name)
            self.assertTrue(all(x["rule"].startswith("kdump.") for x in f["findings"]), name)

    def test_broken_signature_needs_kdump(self) -> None:
        data = bytearray(self.dumps["full64"].read_bytes())
        data[4:8] = b"DU65"
        bad = self.dir / "bad.dmp"
        bad.write_bytes(bytes(data))
        out = run("validate", "--kdump", "--format", "json", str(bad))
        self.assertEqual(out.returncode, 1)
        rules = [x["rule"] for x in json.loads(out.stdout)["files"][0]["findings"]]
        self.assertEqual(rules, ["kdump.header.valid_dump"])
        out = run("validate", "--format", "json", str(bad))  # a minidump to the default dispatch
        rules = [x["rule"] for x in json.loads(out.stdout)["files"][0]["findings"]]
        self.assertIn("header.signature", rules)

    def test_dump_text_and_json(self) -> None:
        out = run("dump", str(self.dumps["bitmap64"]))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("DUMP_HEADER64", out.stdout)
        self.assertIn("TotalPresentPages      3", out.stdout)
        self.assertIn("findings: 0", out.stdout)
        out = run("dump", "--json", str(self.dumps["full32"]))
        self.assertEqual(out.returncode, 0, out.stderr)
        doc = json.loads(out.stdout)
        self.assertEqual(doc["format"], "DUMP_HEADER")
        self.assertEqual(doc["header"]["NumberOfRuns"], 2)
        self.assertEqual(doc["runs"], [{"BasePage": 1, "PageCount": 1}, {"BasePage": 5, "PageCount": 1}])

    def test_page_lookup(self) -> None:
        data = self.dumps["bitmap64"].read_bytes()
        out = run("kdump-page", str(self.dumps["bitmap64"]), "0x41")
        self.assertEqual(out.returncode, 0, out.stderr)
        off = int(out.stdout.split("file offset ")[1].split()[0], 16)
        self.assertEqual(struct.unpack_from("<QQ", data, off), (0x41, 2))  # the pattern: PFN, seed
        out = run("kdump-page", str(self.dumps["bitmap64"]), "3")
        self.assertEqual(out.returncode, 1)
        self.assertIn("not in the dump", out.stdout)
        self.assertEqual(run("kdump-page", str(self.dumps["kernel64"]), "1").returncode, 2)
        self.assertEqual(run("kdump-page", str(self.dumps["full64"]), "x").returncode, 2)

    def test_sparse(self) -> None:
        plain, sparse = self.dumps["bitmap64"], self.dir / "sparse.dmp"
        proc = run("kdump-write", "--sparse", str(SCENARIOS / "bitmap64.toml"), str(sparse))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(sparse.stat().st_size, plain.stat().st_size)
        self.assertEqual(sparse.read_bytes()[:0x3000], plain.read_bytes()[:0x3000])
        self.assertEqual(run("validate", str(sparse)).returncode, 0)

    def test_bad_scenario(self) -> None:
        bad = self.dir / "bad.toml"
        bad.write_text('[memory]\narch = "arm"\n')
        proc = run("kdump-write", str(bad), str(self.dir / "x.dmp"))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("line 2: arch", proc.stderr)


if __name__ == "__main__":
    unittest.main()
