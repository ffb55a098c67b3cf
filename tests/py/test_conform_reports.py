"""`make conform` machinery: report formats (text, JUnit, TAP, SARIF, JSON,
matrix.html) from a small synthetic result, the reader adapter runner
(accept / reject / crash / timeout with tiny fake commands), the obj2yaml
normaliser (on real obj2yaml-14 output; skipped without it), a small
end-to-end run of tools/conform.py over a hand-made corpus, and matrix.html
rendered by headless Chromium (skipped, with a message, without it).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import conform  # noqa: E402
import conform_eval  # noqa: E402
import matrix_html  # noqa: E402
import mkscale  # noqa: E402
import norm_obj2yaml  # noqa: E402
import normalize  # noqa: E402
import readers  # noqa: E402
import report_formats  # noqa: E402
import trace_conform  # noqa: E402
import writers  # noqa: E402

DUMPCHECK = os.environ.get("DUMPCHECK", str(ROOT / "build/debug/dumpcheck"))
OBJ2YAML = shutil.which("obj2yaml-14")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

RULES = [
    {"id": "header.signature", "level": "MUST", "phase": "decode", "impl": False,
     "text": "Signature is MDMP.", "source": "doc"},
    {"id": "directory.streams_overlap", "level": "MUST", "phase": "validate", "impl": False,
     "text": "Streams do not overlap.", "source": "doc"},
    {"id": "header.directory_rva", "level": "SHOULD", "phase": "validate", "impl": False,
     "text": "Directory at 32.", "source": "doc"},
    {"id": "header.version_high", "level": "MAY", "phase": "validate", "impl": True,
     "text": "High word is implementation-specific.", "source": "doc"},
    {"id": "cb.include_module.false_excludes", "level": "MUST", "phase": "cross", "impl": False,
     "text": "A refused module is absent.", "source": "doc"},
]


def _file(inp, cid, expected, outcome, fires=(), quiet=(), **kw):
    return {"input": inp, "id": cid, "path": f"/tmp/x/{cid}.dmp", "expected": expected,
            "fires": list(fires), "quiet": list(quiet), "outcome": outcome,
            "exit": {"accept": 0, "reject": 1, "crash": -11}.get(outcome), "seconds": 0.01,
            "detail": "killed by SIGSEGV" if outcome == "crash" else "", **kw}


def synthetic_doc() -> dict:
    """Two readers (one with findings, one crashing), a writer, an n.a. writer."""
    ref_findings = [{"rule": "header.signature", "level": "MUST", "offset": 0}]
    reader_a = {"name": "reference", "kind": "reader", "description": "ref", "available": True,
                "reason": "", "files": [
                    _file("corpus", "bad_sig", "n", "reject", fires=["header.signature"],
                          findings=ref_findings, found_rules=["header.signature"]),
                    _file("corpus", "ok", "y", "accept", quiet=["directory.streams_overlap"],
                          findings=[], found_rules=[]),
                    _file("real", "lldb/x.dmp", "i", "accept")]}
    reader_b = {"name": "peer", "kind": "reader", "description": "peer", "available": True,
                "reason": "", "files": [
                    _file("corpus", "bad_sig", "n", "crash", fires=["header.signature"]),
                    _file("corpus", "ok", "y", "reject", quiet=["directory.streams_overlap"]),
                    _file("real", "lldb/x.dmp", "i", "accept",
                          summary_diff=["modules: 3 entries vs 2"])]}
    writer = {"name": "reference", "kind": "writer", "description": "w", "available": True,
              "reason": "", "runs": [
                  {"scenario": "plain", "status": "returned-true", "expect": {"returned": True},
                   "dump": "/tmp/x/plain.dmp", "trace": "/tmp/x/plain.jsonl", "findings": [
                       {"rule": "header.directory_rva", "level": "SHOULD", "phase": "validate",
                        "impl": False, "source": "dump", "offset": 12, "detail": "at 0x40"},
                       {"rule": "cb.include_module.false_excludes", "level": "MUST",
                        "phase": "cross", "impl": False, "source": "trace", "offset": 7,
                        "detail": "module kept"},
                       {"rule": "header.version_high", "level": "MAY", "phase": "validate",
                        "impl": True, "source": "dump", "offset": 4, "detail": "0"}]},
                  {"scenario": "cancel", "status": "returned-true", "expect": {"returned": False},
                   "findings": []}]}
    wine = {"name": "wine-dbghelp", "kind": "writer", "description": "", "available": False,
            "reason": "missing: wine64", "runs": []}
    inputs = {"corpus": {"dir": "/tmp/x", "cases": 2, "note": ""},
              "real_dumps": {"dir": "/nowhere", "files": 1, "note": ""}}
    import time
    return conform.build_report(RULES, [reader_a, reader_b, writer, wine], inputs,
                                time.monotonic(), "dumpcheck")


class EvalTest(unittest.TestCase):
    def test_scenario_expectation(self):
        with tempfile.TemporaryDirectory() as tmp:
            trace = Path(tmp) / "t.jsonl"
            run = {"status": "returned-false", "trace": str(trace),
                   "expect": {"returned": False, "last_error": "ERROR_CANCELLED"}}
            trace.write_text('{"record":"result","returned":false,"last_error":"0x800704c7"}\n')
            self.assertTrue(conform_eval.run_ok(run))
            trace.write_text('{"record":"result","returned":false,"last_error":"0x80004005"}\n')
            self.assertFalse(conform_eval.run_ok(run), "wrong HRESULT")
            self.assertFalse(conform_eval.run_ok({**run, "status": "returned-true"}))
            self.assertTrue(conform_eval.run_ok({"status": "returned-true", "expect": {"roundtrip": False}}))
            self.assertFalse(conform_eval.run_ok({"status": "crash", "expect": {}}))

    def test_filter_expect(self):
        """A negative control is met when its [expect] rules fire and no other MUST does."""
        must = lambda r: {"rule": r, "level": "MUST", "impl": False, "source": "trace",  # noqa: E731
                          "offset": 9, "detail": "x"}
        note = {"rule": "filter.error.write", "level": "MAY", "impl": True, "source": "trace"}
        ctl = {"scenario": "misbehave-offset", "status": "returned-true",
               "expect": {"fires": ["filter.write.offset_unchanged"]},
               "findings": [must("filter.write.offset_unchanged"), note],
               "checked": ["filter.write.offset_unchanged", "filter.write.count_unchanged"]}
        self.assertTrue(conform_eval.run_ok(ctl))
        self.assertEqual(conform_eval.unexpected_must(ctl), [])
        self.assertFalse(conform_eval.run_ok({**ctl, "findings": [note]}), "did not fire")
        other = {**ctl, "findings": ctl["findings"] + [must("filter.write.count_unchanged")]}
        self.assertFalse(conform_eval.run_ok(other), "another MUST rule fired")
        plain = {"scenario": "full", "status": "returned-true", "expect": {},
                 "findings": [must("filter.write.count_unchanged")], "checked": []}
        self.assertFalse(conform_eval.run_ok(plain))
        self.assertTrue(conform_eval.run_ok({**plain, "findings": [note]}))
        rules = [{"id": r, "level": lv, "phase": "protocol", "impl": lv == "MAY", "text": "",
                  "source": ""} for r, lv in (("filter.write.offset_unchanged", "MUST"),
                                              ("filter.write.count_unchanged", "MUST"),
                                              ("filter.error.write", "MAY"),
                                              ("filter.init.version", "MUST"))]
        impl = {"name": "filter-reference", "kind": "writer", "family": "filter",
                "available": True, "reason": "", "runs": [ctl]}
        cells = conform_eval.writer_cells(impl, rules)
        self.assertEqual(cells["filter.write.offset_unchanged"]["status"], "pass")
        self.assertTrue(cells["filter.write.offset_unchanged"]["items"][0]["expected"])
        self.assertEqual(cells["filter.write.count_unchanged"]["status"], "pass")
        self.assertEqual(cells["filter.error.write"]["status"], "impl")
        self.assertEqual(cells["filter.init.version"]["status"], "none")
        self.assertEqual(cells["(scenario outcomes)"]["status"], "pass")
        cells = conform_eval.writer_cells({**impl, "runs": [other]}, rules)
        self.assertEqual(cells["filter.write.count_unchanged"]["status"], "fail")
        self.assertEqual(cells["(scenario outcomes)"]["status"], "fail")
        cases = list(report_formats._writer_cases({**impl, "runs": [ctl, other]},
                                                  {r["id"]: r for r in rules}))
        self.assertEqual([c[1] for c in cases], ["pass", "fail"])

    def test_scenario_expect_tables(self):
        fam = trace_conform.FAMILIES["filter"]
        self.assertEqual(trace_conform.load_expect(fam.inputs / "misbehave-offset.toml"),
                         {"fires": ["filter.write.offset_unchanged"]})
        self.assertEqual(trace_conform.load_expect(fam.inputs / "full.toml"), {})
        controls = [p.stem for p in fam.inputs.glob("*.toml")
                    if trace_conform.load_expect(p).get("fires")]
        self.assertIn("bad-version", controls)
        self.assertTrue({"misbehave-count", "misbehave-in-place", "misbehave-offset",
                         "misbehave-oversize", "misbehave-unaligned"} <= set(controls))

    def test_kdump_na_cells(self):
        """A reader without [kdump]: kdump.* rows and (kdump verdicts) n.a."""
        impl = {"name": "peer", "kind": "reader", "available": True, "reason": "",
                "na_kinds": {"kdump": "the adapter has no [kdump] table"},
                "files": [{**_file("corpus", "bad_sig", "n", "reject"), "ok": True,
                           "problems": []}]}
        cells = conform_eval.reader_cells(impl, ["header.signature", "kdump.header.signature"])
        self.assertEqual(cells["kdump.header.signature"]["status"], "na")
        self.assertEqual(cells["(kdump verdicts)"]["status"], "na")
        self.assertEqual(cells["(corpus verdicts)"]["status"], "pass")
        self.assertEqual(cells["header.signature"]["status"], "none")

    def test_cells(self):
        doc = synthetic_doc()
        cells = {(i["kind"], i["name"]): i["cells"] for i in doc["implementations"]}
        ref, peer = cells[("reader", "reference")], cells[("reader", "peer")]
        self.assertEqual(ref["header.signature"]["status"], "pass")
        self.assertEqual(peer["header.signature"]["status"], "crash")
        self.assertEqual(peer["directory.streams_overlap"]["status"], "fail")
        self.assertEqual(ref["header.directory_rva"]["status"], "none")
        self.assertEqual(peer["(summary vs reference)"]["status"], "fail")
        w = cells[("writer", "reference")]
        self.assertEqual(w["header.directory_rva"]["status"], "fail")
        self.assertEqual(w["header.version_high"]["status"], "impl")
        self.assertEqual(w["header.signature"]["status"], "pass")
        self.assertEqual(w["(scenario outcomes)"]["status"], "fail")
        self.assertEqual(cells[("writer", "wine-dbghelp")]["header.signature"]["status"], "na")

    def test_text_summary(self):
        out = report_formats.text(synthetic_doc())
        self.assertIn("reader reference", out)
        self.assertIn("MUST rules failed 2, SHOULD rules failed 0", out)  # peer: crash + fail
        self.assertIn("findings MUST 1, SHOULD 1, i_ 1", out)           # writer
        self.assertIn("wine-dbghelp   n.a. (missing: wine64)", out)


class FormatTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doc = synthetic_doc()

    def test_junit(self):
        root = ET.fromstring(report_formats.junit(self.doc))
        self.assertEqual(root.tag, "testsuites")
        suites = {s.get("name"): s for s in root.findall("testsuite")}
        self.assertEqual(set(suites), {"reader.reference", "reader.peer", "writer.reference",
                                       "writer.wine-dbghelp"})
        peer = suites["reader.peer"]
        self.assertEqual((peer.get("tests"), peer.get("failures"), peer.get("errors")),
                         ("3", "1", "1"))
        self.assertIsNotNone(peer.find("testcase/error"))
        self.assertEqual(suites["writer.wine-dbghelp"].get("skipped"), "1")
        self.assertEqual(suites["writer.reference"].get("failures"), "2")
        self.assertEqual(root.get("tests"), str(sum(int(s.get("tests")) for s in suites.values())))

    def test_tap(self):
        lines = report_formats.tap(self.doc).splitlines()
        self.assertEqual(lines[0], "TAP version 13")
        n = int(lines[1].split("..")[1])
        self.assertEqual(n, sum(1 for l in lines if l.startswith(("ok ", "not ok "))))
        self.assertTrue(any("# SKIP" in l for l in lines))
        self.assertEqual(sum(1 for l in lines if l.startswith("not ok")), 4)

    def test_sarif(self):
        s = json.loads(json.dumps(report_formats.sarif(self.doc)))
        self.assertEqual(s["version"], "2.1.0")
        self.assertIn("sarif", s["$schema"])
        self.assertEqual(len(s["runs"]), 4)
        driver = s["runs"][0]["tool"]["driver"]
        rule_ids = [r["id"] for r in driver["rules"]]
        self.assertEqual(rule_ids[:len(RULES)], [r["id"] for r in RULES])
        self.assertEqual(driver["rules"][0]["shortDescription"]["text"], "Signature is MDMP.")
        self.assertEqual(driver["rules"][0]["defaultConfiguration"]["level"], "error")
        results = [r for run in s["runs"] for r in run["results"]]
        for r in results:
            self.assertIn(r["ruleId"], rule_ids)
            self.assertIn(r["level"], ("error", "warning", "note"))
        writer = next(run for run in s["runs"]
                      if run["automationDetails"]["id"] == "writer/reference")
        by_rule = {r["ruleId"]: r for r in writer["results"]}
        dump_loc = by_rule["header.directory_rva"]["locations"][0]["physicalLocation"]
        self.assertEqual(dump_loc["region"], {"byteOffset": 12})
        self.assertTrue(dump_loc["artifactLocation"]["uri"].endswith("plain.dmp"))
        trace_loc = by_rule["cb.include_module.false_excludes"]["locations"][0]["physicalLocation"]
        self.assertEqual(trace_loc["region"], {"startLine": 7})
        self.assertTrue(trace_loc["artifactLocation"]["uri"].endswith("plain.jsonl"))
        self.assertEqual(by_rule["header.version_high"]["level"], "note")
        self.assertIn("conform.scenario", by_rule)
        peer = next(run for run in s["runs"] if run["automationDetails"]["id"] == "reader/peer")
        self.assertIn("conform.crash", {r["ruleId"] for r in peer["results"]})
        wine = s["runs"][3]
        self.assertFalse(wine["invocations"][0]["executionSuccessful"])

    def test_json_and_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            paths = conform.write_reports(self.doc, Path(tmp))
            doc = json.loads(paths["json"].read_text())
            self.assertEqual((doc["schema"], doc["version"]), ("dumpcheck-conform", 1))
            self.assertEqual(len(doc["implementations"]), 4)
            for p in paths.values():
                self.assertGreater(p.stat().st_size, 0)

    def test_html_static(self):
        page = matrix_html.render(self.doc)
        self.assertNotRegex(page, r"(src|href)=\"?(https?:)?//")
        dom = _Dom()
        dom.feed(page)
        self.assertEqual(dom.rows[:len(RULES)], [r["id"] for r in RULES])
        self.assertEqual(dom.columns, ["reader:reference", "reader:peer", "writer:reference",
                                       "writer:wine-dbghelp"])


def _adapter(cmd: str, **kw) -> readers.Adapter:
    return readers.Adapter(name="fake", description="", command=["sh", "-c", cmd, "sh", "{dump}"],
                           **kw)


class ReaderRunnerTest(unittest.TestCase):
    dump = Path("/dev/null")

    def outcome(self, cmd: str, **kw) -> readers.Outcome:
        return readers.run_reader(_adapter(cmd, **kw), self.dump, {})

    def test_accept_reject(self):
        self.assertEqual(self.outcome("exit 0").outcome, "accept")
        self.assertEqual(self.outcome("exit 1").outcome, "reject")
        self.assertEqual(self.outcome("exit 2", reject_exit=[1, 2]).outcome, "reject")
        self.assertEqual(self.outcome("exit 7").outcome, "error")

    def test_crash(self):
        o = self.outcome("kill -SEGV $$")
        self.assertEqual((o.outcome, o.exit), ("crash", -11))
        self.assertIn("SIGSEGV", o.detail)
        self.assertEqual(self.outcome("exit 134").outcome, "crash")
        self.assertEqual(self.outcome("exit 86", crash_exit=[86]).outcome, "crash")

    def test_timeout(self):
        o = self.outcome("sleep 20", timeout=0.3)
        self.assertEqual(o.outcome, "timeout")
        self.assertLess(o.seconds, 10)

    def test_placeholders_and_requires(self):
        a = _adapter('test "$1" = /dev/null', requires=["sh", "{root}/no-such-tool"])
        self.assertEqual(readers.run_reader(a, self.dump, {}).outcome, "accept")
        self.assertEqual(readers.missing_requirements(a, {"root": "/nonexistent"}),
                         ["/nonexistent/no-such-tool"])
        with contextlib.redirect_stdout(io.StringIO()):
            impl = conform.run_reader_adapter(a, [{"path": "/dev/null"}],
                                              {"root": "/nonexistent"}, 1)
        self.assertFalse(impl["available"])
        self.assertIn("no-such-tool", impl["reason"])

    def test_kdump_table(self):
        by_name = {a.name: a for a in readers.load_adapters(ROOT / "adapters/readers")}
        ref = readers.for_kind(by_name["reference"], "kdump")
        self.assertIn("--kdump", ref.command)
        self.assertIn("--kdump", ref.findings["command"])
        self.assertIsNone(ref.summary)
        self.assertIs(readers.for_kind(by_name["reference"], "dump"), by_name["reference"])
        self.assertIsNone(readers.for_kind(by_name["obj2yaml"], "kdump"), "obj2yaml reads no kdump")
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "k.toml"
            p.write_text('name = "k"\ncommand = ["a", "{dump}"]\n[kdump]\n')
            k = readers.for_kind(readers.load_adapter(p), "kdump")
            self.assertEqual((k.command, k.findings), (["a", "{dump}"], None))
            p.write_text('name = "k"\ncommand = ["a"]\n[kdump]\ncommand = ["b"]\n'
                         'findings = ["c"]\n')
            k = readers.for_kind(readers.load_adapter(p), "kdump")
            self.assertEqual((k.command, k.findings), (["b"], {"command": ["c"]}))
            for bad in ('colour = 1', 'command = "b"', 'command = []', 'findings = "c"'):
                p.write_text(f'name = "k"\ncommand = ["a"]\n[kdump]\n{bad}\n')
                with self.assertRaises(ValueError, msg=bad):
                    readers.load_adapter(p)

    def test_load_adapters(self):
        names = [a.name for a in readers.load_adapters(ROOT / "adapters/readers")]
        self.assertIn("reference", names)
        self.assertIn("obj2yaml", names)
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp) / "bad.toml"
            bad.write_text('name = "x"\ncommand = ["true"]\ncolour = 1\n')
            with self.assertRaisesRegex(ValueError, "colour"):
                readers.load_adapter(bad)


class Obj2yamlTest(unittest.TestCase):
    def test_parser_subset(self):
        text = ("--- !minidump\nStreams:\n  - Type:            0x18\n    Content:  'A''B'\n"
                "  - Type:            LinuxMaps\n    Text:             |\n      a: b\n\n"
                "      - c\n  - Type:  MemoryInfoList\n    Memory Ranges:\n"
                "      - Base Address:    0x1000\n        State:  [ MEM_FREE ]\n"
                "        Type:  [  ]\n        Name:  \"x\\x10\\0\"\n...\n")
        doc = norm_obj2yaml.parse(text)
        s = doc["Streams"]
        self.assertEqual(s[0], {"Type": "0x18", "Content": "A'B"})
        self.assertEqual(s[1]["Text"], "a: b\n\n- c\n")
        r = s[2]["Memory Ranges"][0]
        self.assertEqual((r["State"], r["Type"], r["Name"]), (["MEM_FREE"], [], "x\x10\0"))
        self.assertEqual(norm_obj2yaml.normalise(text)["streams"], [0x18, 0x47670009, 0x10])

    @unittest.skipUnless(OBJ2YAML, "obj2yaml-14 not installed (Debian llvm-14)")
    @unittest.skipUnless(Path(DUMPCHECK).exists(), f"{DUMPCHECK} not built")
    def test_real_output_matches_reference(self):
        with tempfile.TemporaryDirectory() as tmp:
            for kind, opts in (("modules-threads", {"count": 4}),
                               ("full256", {"ranges": 3, "total": 3 * 4096})):
                path = str(Path(tmp) / f"{kind}.dmp")
                mkscale.generate(kind, path, **opts)
                y = subprocess.run([OBJ2YAML, path], capture_output=True, text=True, timeout=60)
                self.assertEqual(y.returncode, 0, y.stderr)
                theirs = norm_obj2yaml.normalise(y.stdout)
                j = subprocess.run([DUMPCHECK, "dump", "--json", path], capture_output=True,
                                   text=True, timeout=60)
                ours = normalize.from_dumpcheck_json(j.stdout)
                self.assertEqual(normalize.diff(ours, theirs), [], kind)
                self.assertEqual(theirs["streams"], ours["streams"])
                if kind == "modules-threads":
                    self.assertEqual(len(theirs["modules"]), 4)
                    self.assertEqual(len(theirs["threads"]), 4)


def make_corpus(folder: Path) -> None:
    """A hand-made dumpcheck-corpus v1 manifest over a generated dump and three
    patches, and two kernel dump cases (a clean render and a broken signature)."""
    base = folder / "base.dmp"
    mkscale.generate("modules-threads", str(base), count=2)
    data = base.read_bytes()
    patches = {"y_plain": ("y", [], ["header.signature"], data),
               "n_bad_signature": ("n", ["header.signature"], [], b"XXXX" + data[4:]),
               "n_dir_out": ("n", ["header.directory_in_file"], [],
                             data[:12] + struct.pack("<I", len(data) + 64) + data[16:]),
               "i_version_high": ("i", ["header.version_high"], ["header.version"],
                                  data[:6] + b"\x34\x12" + data[8:])}
    cases = []
    for name, (verdict, fires, quiet, body) in patches.items():
        (folder / f"{name}.dmp").write_bytes(body)
        cases.append({"id": name[2:], "file": f"{name}.dmp", "verdict": verdict, "fires": fires,
                      "quiet": quiet, "description": name, "source": "test"})
    (folder / "kdump").mkdir()
    good = folder / "kdump/y_kdump_full64.dmp"
    subprocess.run([DUMPCHECK, "kdump-write", str(ROOT / "spec/kdump-scenarios/full64.toml"),
                    str(good)], check=True, capture_output=True)
    (folder / "kdump/n_kdump_signature.dmp").write_bytes(b"XXXX" + good.read_bytes()[4:])
    for name, verdict, fires, quiet in (
            ("y_kdump_full64", "y", [], ["kdump.header.signature"]),
            ("n_kdump_signature", "n", ["kdump.header.signature"], [])):
        cases.append({"id": name, "file": f"kdump/{name}.dmp", "kind": "kdump",
                      "verdict": verdict, "fires": fires, "quiet": quiet,
                      "description": name, "source": "test"})
    (folder / "manifest.json").write_text(json.dumps(
        {"schema": "dumpcheck-corpus", "version": 1, "cases": cases}))


FILTER_SCENARIOS = ("full", "misbehave-offset", "fail-write")


@unittest.skipUnless(Path(DUMPCHECK).exists(), f"{DUMPCHECK} not built")
class EndToEndTest(unittest.TestCase):
    def test_conform_over_hand_made_corpus(self):
        with tempfile.TemporaryDirectory() as tmp:
            t = Path(tmp)
            (t / "corpus").mkdir()
            make_corpus(t / "corpus")
            (t / "scenarios").mkdir()
            (t / "dcb-none").mkdir()
            for name in FILTER_SCENARIOS:
                shutil.copy(ROOT / f"spec/filter-scenarios/{name}.toml", t / "scenarios")
            with contextlib.redirect_stdout(io.StringIO()) as out:
                rc = conform.main(["--dumpcheck", DUMPCHECK, "--corpus", str(t / "corpus"),
                                   "--real-dumps", str(t / "absent"), "--out", str(t / "out"),
                                   "--report", str(t / "report"), "--no-writers",
                                   "--dcb-adapters", str(t / "dcb-none"),
                                   "--filter-scenarios", str(t / "scenarios")])
            self.assertIn("[3/5] readers", out.getvalue())
            self.assertIn(str(t / "report/matrix.html"), out.getvalue())
            self.assertEqual(rc, 0)
            doc = json.loads((t / "report/report.json").read_text())
            impls = {(i["kind"], i["name"]): i for i in doc["implementations"]}
            ref = impls[("reader", "reference")]
            self.assertEqual(ref["totals"]["files"], 6)
            self.assertEqual(ref["totals"]["mismatches"], 0, ref["files"])
            self.assertEqual(ref["cells"]["header.signature"]["status"], "pass")
            self.assertIn("absent", doc["inputs"]["real_dumps"]["note"])
            self.assertEqual(doc["inputs"]["kdump"]["cases"], 2)
            # kernel dumps: judged by the reference reader, n.a. for obj2yaml
            self.assertEqual(ref["cells"]["kdump.header.signature"]["status"], "pass")
            self.assertEqual(ref["cells"]["kdump.header.signature"]["count"], 2)
            self.assertEqual(ref["cells"]["(kdump verdicts)"]["status"], "pass")
            obj = impls[("reader", "obj2yaml")]
            self.assertEqual(obj["cells"]["kdump.header.signature"]["status"], "na")
            self.assertEqual(obj["cells"]["(kdump verdicts)"]["status"], "na")
            self.assertFalse([f for f in obj["files"] if f.get("kind") == "kdump"],
                             "obj2yaml was run on a kernel dump")
            # the filter stack: rules judged, the negative control met
            flt = impls[("writer", "filter-reference")]
            self.assertEqual(flt["family"], "filter")
            runs = {r["scenario"]: r for r in flt["runs"]}
            self.assertEqual(set(runs), set(FILTER_SCENARIOS))
            ctl = runs["misbehave-offset"]
            self.assertEqual(ctl["expect"], {"fires": ["filter.write.offset_unchanged"]})
            self.assertIn("filter.write.offset_unchanged", {x["rule"] for x in ctl["findings"]})
            self.assertTrue(conform_eval.run_ok(ctl), ctl)
            cells = flt["cells"]
            self.assertEqual(cells["filter.write.offset_unchanged"]["status"], "pass")
            self.assertEqual(cells["filter.error.write"]["status"], "impl")
            self.assertEqual(cells["(scenario outcomes)"]["status"], "pass")
            self.assertEqual(flt["totals"]["must_rules_failed"], 0)
            self.assertTrue(all(c["status"] != "none" for r, c in cells.items()
                                if r.startswith("filter.write.")))
            summary = (t / "report/summary.txt").read_text()
            self.assertIn("2 kernel dump cases", summary)
            self.assertIn("kdump: 2 kernel dump cases: 1 accept, 1 reject, 0 unexpected", summary)
            self.assertIn("filter-reference", summary)
            self.assertIn("negative controls ([expect] fires): 2/2 met", summary)
            junit = ET.parse(t / "report/junit.xml").getroot()
            suite = next(s for s in junit if s.get("name") == "writer.filter-reference")
            self.assertEqual((suite.get("tests"), suite.get("failures")), ("3", "0"))
            if CHROMIUM:
                dom = chromium_dom(t / "report/matrix.html", t)
                self.assertEqual(dom.cells[("kdump.header.signature", "reader:reference")],
                                 {"pass"})
                self.assertEqual(dom.cells[("(kdump verdicts)", "reader:obj2yaml")], {"na"})
                self.assertEqual(dom.cells[("filter.write.offset_unchanged",
                                            "writer:filter-reference")], {"pass"})
                self.assertEqual(dom.cells[("(scenario outcomes)",
                                            "writer:filter-reference")], {"pass"})

    def test_old_dumpcheck_without_corpus_or_conform(self):
        with tempfile.TemporaryDirectory() as tmp:
            fake = Path(tmp) / "dumpcheck"
            fake.write_text("#!/bin/sh\necho 'commands:'; echo '  validate FILE...'; exit 0\n")
            fake.chmod(0o755)
            folder, msg = conform.materialise_corpus(str(fake), Path(tmp) / "corpus")
            self.assertIsNone(folder)
            self.assertIn("no `corpus` command", msg)
            impls = writers.run_all(str(fake), Path(tmp) / "none", Path(tmp) / "w", {},
                                    lambda m: None)
            self.assertEqual([i["name"] for i in impls], ["reference", "wine-dbghelp"])
            self.assertTrue(all(not i["available"] and "conform" in i["reason"] for i in impls))

    def test_writer_document(self):
        """A fake `dumpcheck conform` writing a dumpcheck-conform-writer document."""
        doc = {"schema": "dumpcheck-conform-writer", "version": 1, "implementation": "fake",
               "adapter": "fake", "runs": [
                   {"scenario": "plain", "status": "returned-true", "expect": {"returned": True},
                    "findings": [{"rule": "header.signature", "level": "MUST", "phase": "decode",
                                  "impl": False, "source": "dump", "offset": 0, "detail": "x"}]}]}
        with tempfile.TemporaryDirectory() as tmp:
            t = Path(tmp)
            (t / "doc.json").write_text(json.dumps(doc))
            fake = t / "dumpcheck"
            fake.write_text(f"#!/bin/sh\nif [ \"$1\" = help ]; then echo '  conform'; exit 0; fi\n"
                            f"while [ $# -gt 1 ]; do [ \"$1\" = -o ] && cp {t}/doc.json \"$2\"; "
                            f"shift; done; exit 1\n")
            fake.chmod(0o755)
            (t / "adapters").mkdir()
            (t / "adapters/fake.toml").write_text('name = "fake"\nrequires = ["sh"]\n')
            (t / "adapters/gone.toml").write_text('name = "gone"\nrequires = ["{root}/x.exe"]\n')
            impls = writers.run_all(str(fake), t / "adapters", t / "w", {"root": str(t)},
                                    lambda m: None)
            fake_impl, gone = impls
            self.assertTrue(fake_impl["available"], fake_impl["reason"])
            self.assertEqual(fake_impl["runs"][0]["scenario"], "plain")
            self.assertFalse(gone["available"])
            self.assertIn("x.exe", gone["reason"])

    def test_missing_manifest_is_explained(self):
        with tempfile.TemporaryDirectory() as tmp:
            files, msg = conform.load_corpus(Path(tmp))
            self.assertEqual(files, [])
            self.assertIn("manifest.json", msg)


class _Dom(HTMLParser):
    """Rows (tr data-rule), columns (th data-impl) and cell classes of matrix.html."""

    def __init__(self):
        super().__init__()
        self.rows, self.columns, self.cells, self.filter_hidden = [], [], {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-rule" in a:
            self.rows.append(a["data-rule"])
        elif tag == "th" and "data-impl" in a:
            self.columns.append(a["data-impl"])
        elif tag == "td" and "cell" in (a.get("class") or "").split():
            self.cells[(a["data-rule"], a["data-impl"])] = set(a["class"].split()) - {"cell"}
        elif tag == "input" and a.get("id") == "filter":
            self.filter_hidden = "hidden" in a


def chromium_dom(page: Path, tmp: Path) -> _Dom:
    """matrix.html PAGE as headless Chromium leaves it after its script ran."""
    r = subprocess.run([CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox",
                        f"--user-data-dir={tmp}/profile", "--dump-dom", page.as_uri()],
                       capture_output=True, text=True, timeout=90)
    if r.returncode != 0:
        raise AssertionError(f"chromium exited {r.returncode}: {r.stderr[-2000:]}")
    dom = _Dom()
    dom.feed(r.stdout)
    return dom


@unittest.skipUnless(CHROMIUM, "chromium not installed (make deps installs it): "
                               "headless matrix.html test skipped")
class ChromiumMatrixTest(unittest.TestCase):
    def test_dom(self):
        doc = synthetic_doc()
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "matrix.html"
            page.write_text(matrix_html.render(doc))
            dom = chromium_dom(page, Path(tmp))
        self.assertEqual(dom.rows, [r["id"] for r in RULES] + list(doc["pseudo_rows"]))
        self.assertEqual(dom.columns, ["reader:reference", "reader:peer", "writer:reference",
                                       "writer:wine-dbghelp"])
        expect = {("header.signature", "reader:reference"): "pass",
                  ("header.signature", "reader:peer"): "crash",
                  ("directory.streams_overlap", "reader:peer"): "fail",
                  ("header.version_high", "writer:reference"): "impl",
                  ("header.directory_rva", "reader:reference"): "none",
                  ("header.signature", "writer:wine-dbghelp"): "na"}
        for key, cls in expect.items():
            self.assertEqual(dom.cells[key], {cls}, key)
        self.assertEqual(len(dom.cells), len(dom.rows) * len(dom.columns))
        self.assertIs(dom.filter_hidden, False, "the page's script did not run")


if __name__ == "__main__":
    unittest.main()
