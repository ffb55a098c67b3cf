"""The conformance corpus: `dumpcheck corpus` over spec/cases, and every file
held to its case by the reference validator, every trace case by the trace
checker, every DriverCallback (dcb) case by the dcb checker, every kernel
dump (kdump) case by the kernel-dump validator, every filter-stack (filter)
case by the filter checker.

The check is done twice on purpose: `dumpcheck corpus --verify` validates in
process (it alone can apply a case's `limits`), and this test re-validates
every dump case's file without limits through `dumpcheck validate --format
json`, every trace case's trace and dump through `dumpcheck check-trace
--format json TRACE DUMP`, every dcb case's trace through `dumpcheck
dcb-check --format json TRACE`, every kdump case's file through `dumpcheck
validate --kdump --format json` (the kernel-dump validator, also for the
cases whose signature is broken), every filter case's trace and image
through `dumpcheck filter-check --format json TRACE [IMAGE]`, and judges fires / quiet / verdict / exact
itself, so that a bug in one path cannot hide a wrong case. Run with
DUMPCHECK=build/<variant>/dumpcheck."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DUMPCHECK = os.environ.get("DUMPCHECK", str(ROOT / "build/debug/dumpcheck"))
ENFORCED_PHASES = {"decode", "validate", "resolve", "limit", "protocol", "cross"}


def enforced(rid: str, phase: str) -> bool:
    """As tools/specgen.py: writer.* rules need no case, every other rule does
    (the dcb.* protocol rules in dcb cases)."""
    return not rid.startswith("writer.") and phase in ENFORCED_PHASES


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([DUMPCHECK, *args], capture_output=True, text=True, timeout=600)


def rule_table() -> dict[str, dict]:
    out = run("rules", "--json")
    assert out.returncode == 0, out.stderr
    return {r["id"]: r for r in json.loads(out.stdout)["rules"]}


def temp_spec(tmp: str, base_dir: str, case_file: str, text: str) -> Path:
    """A spec tree under `tmp`: spec/<base_dir> linked to the real one and
    one case file; returns the spec folder."""
    spec = Path(tmp) / "spec"
    (spec / "cases").mkdir(parents=True, exist_ok=True)
    if not (spec / base_dir).exists():
        (spec / base_dir).symlink_to(ROOT / "spec" / base_dir)
    (spec / "cases" / case_file).write_text(text)
    return spec


def judge(case: dict, result: dict | list[dict], rules: dict[str, dict]) -> list[str]:
    """Why the validation `result` of a file (or the check-trace results of a
    trace and its dump, counted together) does not meet its `case` (empty: it does)."""
    counts: dict[str, int] = {}
    for res in result if isinstance(result, list) else [result]:
        for f in res["findings"]:
            counts[f["rule"]] = counts.get(f["rule"], 0) + 1
        for rid, n in res.get("unrecorded", {}).items():
            counts[rid] = counts.get(rid, 0) + n
    why = [f"{rid} does not fire" for rid in case["fires"] if not counts.get(rid)]
    if case.get("exact"):
        why += [f"{rid} fires outside fires" for rid in sorted(counts) if rid not in case["fires"]]
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

    def check_each_case(self, kind: str, command: str, args_of, names_of=None) -> list[dict]:
        """Every `kind` case through `dumpcheck COMMAND --format json ARGS`,
        judged here (the exit status says whether a MUST or SHOULD rule
        fired; `names_of`, when given, the files the report must name)."""
        cases = [c for c in self.manifest["cases"] if c["kind"] == kind]
        failures = []
        for c in cases:
            out = run(command, "--format", "json", *args_of(c))
            if out.returncode not in (0, 1):
                failures.append(f"{c['trace']}: {command} exited {out.returncode}: {out.stderr.strip()}")
                continue
            files = json.loads(out.stdout)["files"]
            if names_of:
                self.assertEqual([Path(f["path"]).name for f in files], names_of(c))
            fired = any(f["counts"]["must"] + f["counts"]["should"] for f in files)
            self.assertEqual(out.returncode, 1 if fired else 0, c["trace"])
            why = judge(c, files, self.rules)
            if why:
                failures.append(f"{c['trace']} ({c['source']['case_file']}:{c['source']['line']}): " + "; ".join(why))
        self.assertEqual(failures, [], "\n".join(failures))
        return cases

    def check_case_errors(self, base_dir: str, case_file: str, bad: str, bad_says: list[str],
                          wrong: str, wrong_says: list[str]) -> None:
        """Case `bad` stops `dumpcheck corpus` (exit 2) saying `bad_says`;
        case `wrong` fails --verify (exit 1) saying `wrong_says`."""
        with tempfile.TemporaryDirectory() as tmp:
            spec = temp_spec(tmp, base_dir, case_file, bad)
            proc = run("corpus", "--spec", str(spec), str(Path(tmp) / "out"))
            self.assertEqual(proc.returncode, 2)
            for text in bad_says:
                self.assertIn(text, proc.stderr)
            spec = temp_spec(tmp, base_dir, case_file, wrong)
            proc = run("corpus", "--spec", str(spec), "--verify", str(Path(tmp) / "out"))
            self.assertEqual(proc.returncode, 1, proc.stderr)
            for text in wrong_says:
                self.assertIn(text, proc.stderr)

    def test_materialise_and_verify(self) -> None:
        self.assertEqual(self.proc.returncode, 0, self.proc.stdout + self.proc.stderr)
        self.assertIn("verified", self.proc.stdout)

    def test_manifest(self) -> None:
        m = self.manifest
        self.assertEqual((m["schema"], m["version"]), ("dumpcheck-corpus", 1))
        dumps = [c for c in m["cases"] if c["kind"] == "dump"]
        traces = [c for c in m["cases"] if c["kind"] == "trace"]
        dcbs = [c for c in m["cases"] if c["kind"] == "dcb"]
        self.assertTrue(dumps and traces and dcbs)
        kdumps = [c for c in m["cases"] if c["kind"] == "kdump"]
        self.assertTrue(kdumps)
        self.assertLessEqual({"dump", "trace", "dcb", "kdump"}, {c["kind"] for c in m["cases"]})
        # kdump cases are kernel dumps, in kdump/ (not minidumps: not in OUT_DIR itself)
        self.assertEqual(sorted("kdump/" + p.name for p in (self.out / "kdump").iterdir()),
                         sorted(c["file"] for c in kdumps))
        for c in kdumps:
            bare = c["id"][2:] if c["id"][1] == "_" else c["id"]
            self.assertEqual(c["file"], f"kdump/{c['verdict']}_{bare}.dmp")
            self.assertNotIn("trace", c)
            self.assertEqual((self.out / c["file"]).stat().st_size, c["size"])
            self.assertTrue(c["source"]["scenario"].startswith("spec/kdump-scenarios/"))
            self.assertTrue((ROOT / c["source"]["scenario"]).is_file())
        self.assertEqual(m["skipped"], [])
        # filter cases: a trace and the read-back image (empty when the read path stopped), in filter/
        filters = [c for c in m["cases"] if c["kind"] == "filter"]
        self.assertTrue(filters)
        self.assertEqual(sorted("filter/" + p.name for p in (self.out / "filter").iterdir()),
                         sorted([c["file"] for c in filters] + [c["trace"] for c in filters]))
        for c in filters:
            bare = c["id"][2:] if c["id"][1] == "_" else c["id"]
            self.assertEqual((c["trace"], c["file"]),
                             (f"filter/{c['verdict']}_{bare}.jsonl", f"filter/{c['verdict']}_{bare}.dmp"))
            self.assertEqual((self.out / c["trace"]).stat().st_size, c["size"])
            self.assertTrue(c["source"]["scenario"].startswith("spec/filter-scenarios/"))
            self.assertTrue((ROOT / c["source"]["scenario"]).is_file())
        # trace cases live in trace/: OUT_DIR's own [yni]_*.dmp are the readers' cases only
        self.assertEqual(sorted(p.name for p in self.out.glob("*.dmp")), sorted(c["file"] for c in dumps))
        self.assertEqual(sorted("trace/" + p.name for p in (self.out / "trace").iterdir()),
                         sorted([c["file"] for c in traces] + [c["trace"] for c in traces]))
        # dcb cases are a trace alone, in dcb/
        self.assertEqual(sorted("dcb/" + p.name for p in (self.out / "dcb").iterdir()),
                         sorted(c["trace"] for c in dcbs))
        for c in dcbs:
            bare = c["id"][2:] if c["id"][1] == "_" else c["id"]
            self.assertNotIn("file", c)
            self.assertEqual(c["trace"], f"dcb/{c['verdict']}_{bare}.jsonl")
            self.assertEqual((self.out / c["trace"]).stat().st_size, c["size"])
            self.assertIsNone(c["source"]["scenario"])
            self.assertTrue((ROOT / c["source"]["script"]).is_file())
        for c in dumps + traces:
            bare = c["id"][2:] if c["id"][1] == "_" else c["id"]
            where = "trace/" if c["kind"] == "trace" else ""
            self.assertEqual(c["file"], f"{where}{c['verdict']}_{bare}.dmp")
            if c["kind"] == "trace":
                self.assertEqual(c["trace"], f"trace/{c['verdict']}_{bare}.jsonl")
            else:
                self.assertNotIn("trace", c)
            self.assertEqual((self.out / c["file"]).stat().st_size, c["size"])
            self.assertTrue((ROOT / c["source"]["case_file"]).is_file())
            self.assertTrue((ROOT / c["source"]["scenario"]).is_file())
            self.assertTrue(c["description"])

    def test_every_file_against_the_validator(self) -> None:
        """Independent of --verify: `dumpcheck validate` on every file without limits."""
        cases = [c for c in self.manifest["cases"] if "limits" not in c and c["kind"] == "dump"]
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

    def test_every_kdump_case_against_the_validator(self) -> None:
        """Every kdump case without limits: `dumpcheck validate --kdump --format json`, judged here."""
        cases = [c for c in self.manifest["cases"] if "limits" not in c and c["kind"] == "kdump"]
        out = run("validate", "--kdump", "--format", "json", *[str(self.out / c["file"]) for c in cases])
        self.assertIn(out.returncode, (0, 1), out.stderr)
        results = {"kdump/" + Path(f["path"]).name: f for f in json.loads(out.stdout)["files"]}
        failures = []
        for c in cases:
            why = judge(c, results[c["file"]], self.rules)
            if why:
                failures.append(f"{c['file']} ({c['source']['case_file']}:{c['source']['line']}): " + "; ".join(why))
        self.assertEqual(failures, [], "\n".join(failures))
        self.assertEqual({c["verdict"] for c in cases}, {"y", "n", "i"})
        # without --kdump, a file with a kernel dump signature is judged as one too
        sound = [c for c in cases if c["verdict"] == "y"]
        out = run("validate", "--format", "json", *[str(self.out / c["file"]) for c in sound])
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertTrue(all(f["verdict"] == "y" for f in json.loads(out.stdout)["files"]))
        # a kdump case names kdump.* rules only
        for c in self.manifest["cases"]:
            if c["kind"] == "kdump":
                self.assertTrue(all(r.startswith("kdump.") for r in c["fires"] + c["quiet"]), c["id"])

    def test_kdump_case_errors(self) -> None:
        """A kdump case may not patch minidump paths; a wrong kdump expectation fails --verify."""
        head = ('[[case]]\nid = "{id}"\nkind = "kdump"\nverdict = "{v}"\ndescription = "x"\n'
                'base = "full64.toml"\n')
        self.check_case_errors(
            "kdump-scenarios", "k.toml",
            head.format(id="n_x", v="n") + 'fires = ["kdump.header.signature"]\n'
            'patches = [{ path = "header.Signature", value = 1 }]\n', ["patches"],
            head.format(id="y_x", v="y") + 'quiet = ["kdump.header.signature"]\n'
            'writes = [{ at = 0, hex = "00" }]\n', ["kdump/y_x.dmp", "kdump.header.signature fires"])

    def test_every_trace_case_against_check_trace(self) -> None:
        """Every trace case: `dumpcheck check-trace --format json TRACE DUMP`, judged here."""
        cases = self.check_each_case("trace", "check-trace",
                                     lambda c: [str(self.out / c["trace"]), str(self.out / c["file"])],
                                     lambda c: [Path(c["trace"]).name, Path(c["file"]).name])
        self.assertEqual({c["verdict"] for c in cases}, {"y", "n"})

    def test_every_dcb_case_against_dcb_check(self) -> None:
        """Every dcb case: `dumpcheck dcb-check --format json TRACE`, judged here."""
        cases = self.check_each_case("dcb", "dcb-check", lambda c: [str(self.out / c["trace"])],
                                     lambda c: [Path(c["trace"]).name])
        self.assertEqual({c["verdict"] for c in cases}, {"y", "n", "i"})

    def test_every_filter_case_against_filter_check(self) -> None:
        """Every filter case: `dumpcheck filter-check --format json TRACE [IMAGE]`, judged here."""
        def args_of(c: dict) -> list[str]:
            image = self.out / c["file"]
            return [str(self.out / c["trace"])] + ([str(image)] if image.stat().st_size else [])
        cases = self.check_each_case("filter", "filter-check", args_of)
        self.assertEqual({c["verdict"] for c in cases}, {"y", "n", "i"})
        # the encrypting run's image is the kernel dump itself: the validator accepts it
        enc = next(c for c in cases if c["id"] == "y_filter_clean_encrypting")
        out = run("validate", "--format", "json", str(self.out / enc["file"]))
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_rule_coverage(self) -> None:
        """Every rule fires in a case and stays quiet in one (writer.* aside, as specgen)."""
        fires = {r for c in self.manifest["cases"] for r in c["fires"]}
        quiet = {r for c in self.manifest["cases"] for r in c["quiet"]}
        missing = [f"{rid} ({what})" for rid, r in self.rules.items() if enforced(rid, r["phase"])
                   for what, have in (("firing", fires), ("quiet", quiet)) if rid not in have]
        self.assertEqual(missing, [])
        # the trace checker's rules are judged on trace cases, the validator's on dump cases
        for c in self.manifest["cases"]:
            phases = {self.rules[r]["phase"] for r in c["fires"] + c["quiet"]}
            if c["kind"] == "dump":
                self.assertFalse(phases & {"protocol"}, c["id"])
            # the dcb checker judges dcb.* rules only, and only it does
            dcb_rules = {r for r in c["fires"] + c["quiet"] if r.startswith("dcb.")}
            self.assertEqual(bool(dcb_rules), c["kind"] == "dcb", c["id"])
            if c["kind"] == "dcb":
                self.assertEqual(dcb_rules, set(c["fires"] + c["quiet"]), c["id"])
            # the filter checker judges filter.* rules only, and only it does
            filter_rules = {r for r in c["fires"] + c["quiet"] if r.startswith("filter.")}
            self.assertEqual(bool(filter_rules), c["kind"] == "filter", c["id"])
            if c["kind"] == "filter":
                self.assertEqual(filter_rules, set(c["fires"] + c["quiet"]), c["id"])

    def test_deterministic(self) -> None:
        other = Path(self.tmp.name) / "again"
        proc = run("corpus", "--spec", str(ROOT / "spec"), str(other))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for p in sorted(self.out.rglob("*")):
            if p.is_file():
                rel = p.relative_to(self.out)
                self.assertEqual(p.read_bytes(), (other / rel).read_bytes(), str(rel))

    def test_stale_files_replaced(self) -> None:
        out = Path(self.tmp.name) / "stale"
        out.mkdir()
        (out / "n_gone.dmp").write_bytes(b"old")
        (out / "n_gone.jsonl").write_text("not ours at the top")
        (out / "keep.txt").write_text("not ours")
        (out / "trace").mkdir()
        (out / "trace/y_gone.jsonl").write_text("old")
        (out / "trace/y_gone.dmp").write_bytes(b"old")
        (out / "dcb").mkdir()
        (out / "dcb/n_gone.jsonl").write_text("old")
        (out / "dcb/keep.jsonl").write_text("not ours")
        (out / "kdump").mkdir()
        (out / "kdump/i_gone.dmp").write_bytes(b"old")
        self.assertEqual(run("corpus", "--spec", str(ROOT / "spec"), str(out)).returncode, 0)
        self.assertFalse((out / "n_gone.dmp").exists())
        self.assertFalse((out / "trace/y_gone.jsonl").exists())
        self.assertFalse((out / "trace/y_gone.dmp").exists())
        self.assertFalse((out / "dcb/n_gone.jsonl").exists())
        self.assertTrue((out / "dcb/keep.jsonl").exists())
        self.assertFalse((out / "kdump/i_gone.dmp").exists())
        self.assertTrue((out / "n_gone.jsonl").exists())
        self.assertTrue((out / "keep.txt").exists())

    def test_bad_case_file_is_named(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            spec = temp_spec(
                tmp, "scenarios", "bad.toml",
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
            spec = temp_spec(
                tmp, "scenarios", "wrong.toml",
                '[[case]]\nid = "y_wrong"\nverdict = "y"\ndescription = "claims y, is n"\n'
                'base = "plain.toml"\npatches = [{ path = "header.Version", value = 0xA794 }]\n'
                'quiet = ["header.version"]\n')
            proc = run("corpus", "--spec", str(spec), "--verify", str(Path(tmp) / "out"))
            self.assertEqual(proc.returncode, 1, proc.stderr)
            self.assertIn("y_wrong.dmp", proc.stderr)
            self.assertIn("header.version fires", proc.stderr)
            self.assertIn("verdict y does not hold", proc.stderr)

    def test_trace_case_errors(self) -> None:
        """A trace edit that does not fit the trace is named; a wrong trace expectation fails --verify."""
        head = ('[[case]]\nid = "{id}"\nkind = "trace"\nverdict = "{v}"\ndescription = "x"\n'
                'base = "plain.toml"\nexact = true\n')
        self.check_case_errors(
            "scenarios", "t.toml",
            head.format(id="n_x", v="n") + 'fires = ["cb.io.start_preset"]\n'
            "trace_edits = [{ record = \"IoStartCallback\", nth = 2, op = \"drop\" }]\n",
            ["t.toml: case 'n_x': line 9: trace_edits[0]: the trace has no IoStartCallback record #2"],
            head.format(id="y_x", v="y") + 'quiet = ["cb.io.start_preset"]\n'
            "trace_edits = [{ record = \"IoStartCallback\", op = \"sub\", find = '\"0x80004001\"', "
            "with = '\"0x0\"' }]\n",
            ["trace/y_x.jsonl", "cb.io.start_preset fires", "verdict y does not hold"])

    def test_dcb_case_errors(self) -> None:
        """A dcb trace edit that does not fit the trace is named; a wrong dcb expectation fails --verify."""
        head = ('[[case]]\nid = "{id}"\nkind = "dcb"\nverdict = "{v}"\ndescription = "x"\n'
                'base = "window.toml"\nexact = true\n')
        self.check_case_errors(
            "dcb-scripts", "d.toml",
            head.format(id="n_x", v="n") + 'fires = ["dcb.window.delivery"]\n'
            'trace_edits = [{ record = "call", nth = 7, op = "drop" }]\n',
            ["d.toml: case 'n_x': line 9: trace_edits[0]: the trace has no call record #7"],
            head.format(id="y_x", v="y") + 'quiet = ["dcb.success_returns_true"]\n'
            "trace_edits = [{ record = \"call\", op = \"sub\", find = '\"returned\":true', "
            "with = '\"returned\":false' }]\n",
            ["dcb/y_x.jsonl", "dcb.success_returns_true fires", "verdict y does not hold"])

if __name__ == "__main__":
    unittest.main()
