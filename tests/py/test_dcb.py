"""DriverCallback end to end: `dumpcheck dcb-run` / `dcb-check` (binary from
$DUMPCHECK) over the shipped scripts and an edited trace, and the Windows
agent's `dcb` mode under Wine (Wine's real winmm DriverCallback) through
tools/wine_agent.py --dcb, its traces judged by the same checker.

The Wine tests skip when the wine64 loader, the mingw-w64 compiler or the
agent is missing (`make deps-wine agent`). What holds for any DriverCallback
is asserted plainly; what Wine 8's winmm does where native is unknown or
differs (no posted-message limit) only under Wine 8."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import wine_agent  # noqa: E402

SCRIPTS = ROOT / "spec/dcb-scripts"
DUMPCHECK = os.environ.get("DUMPCHECK", str(ROOT / "build/debug/dumpcheck"))
AGENT = Path(os.environ.get("DUMPCHECK_AGENT", str(ROOT / "build/win/agent.exe")))
MINGW = "x86_64-w64-mingw32-gcc"


def dumpcheck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([DUMPCHECK, *args], capture_output=True, text=True, timeout=300)


def check(trace: Path) -> tuple[int, list[dict], set[str]]:
    """(exit, findings, exercised rule ids) of dcb-check on `trace`."""
    ex = trace.with_suffix(".ex")
    r = dumpcheck("dcb-check", "--format", "json", "--exercised", str(ex), str(trace))
    doc = json.loads(r.stdout)
    return r.returncode, doc["files"][0]["findings"], set(ex.read_text().split())


def records(trace: Path) -> list[dict]:
    return [json.loads(line) for line in trace.read_text().splitlines()]


def must_or_should(findings: list[dict]) -> list[dict]:
    return [f for f in findings if not f["impl"] and f["level"] in ("MUST", "SHOULD")]


@unittest.skipUnless(Path(DUMPCHECK).exists(), f"{DUMPCHECK} not built")
class Cli(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="dcb-"))

    def tearDown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_scripts_pass_on_the_reference(self) -> None:
        exercised: set[str] = set()
        for script in sorted(SCRIPTS.glob("*.toml")):
            trace = self.tmp / f"{script.stem}.jsonl"
            r = dumpcheck("dcb-run", str(script), str(trace))
            self.assertEqual(r.returncode, 0, r.stderr)
            rc, findings, ex = check(trace)
            self.assertEqual(rc, 0, f"{script.name}: {findings}")
            self.assertEqual(must_or_should(findings), [], script.name)
            exercised |= ex
        rules = json.loads(dumpcheck("rules", "--json").stdout)["rules"]
        dcb = {r["id"] for r in rules if r["id"].startswith("dcb.")}
        self.assertEqual(dcb - exercised, set())

    def test_edited_trace_fails(self) -> None:
        trace = self.tmp / "window.jsonl"
        self.assertEqual(dumpcheck("dcb-run", str(SCRIPTS / "window.toml"), str(trace)).returncode, 0)
        recs = records(trace)
        first = next(r for r in recs if r["record"] == "call")
        first["deliveries"][0]["wparam"] = first["user"]  # dwUser delivered as wParam
        trace.write_text("".join(json.dumps(r) + "\n" for r in recs))
        rc, findings, _ = check(trace)
        self.assertEqual(rc, 1)
        self.assertEqual([f["rule"] for f in must_or_should(findings)], ["dcb.window.delivery"])
        trace.write_text("".join(json.dumps(r) + "\n" for r in recs[:-1]))  # no result record
        _, findings, _ = check(trace)
        self.assertIn("dcb.trace.result_present", [f["rule"] for f in findings])

    def test_usage_and_input_errors(self) -> None:
        self.assertEqual(dumpcheck("dcb-run").returncode, 2)
        bad = self.tmp / "bad.toml"
        bad.write_text('name = "x"\n[[step]]\ncallback = "ghost"\nflags = 1\n')
        r = dumpcheck("dcb-run", str(bad), str(self.tmp / "t.jsonl"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("line 3", r.stderr)
        junk = self.tmp / "junk.jsonl"
        junk.write_text("{not json\n")
        self.assertEqual(dumpcheck("dcb-check", str(junk)).returncode, 2)
        for fmt in ("text", "junit", "tap", "sarif"):
            self.assertIn(dumpcheck("dcb-check", "--format", fmt, str(junk)).returncode, (2,))


def prerequisites() -> str | None:
    if not Path(DUMPCHECK).exists():
        return f"{DUMPCHECK} not built"
    if not wine_agent.find_loader():
        return "no wine64 loader (make deps-wine)"
    if not AGENT.exists():
        if not shutil.which(MINGW):
            return f"no {MINGW} (make deps-wine)"
        subprocess.run(["make", "--no-print-directory", "agent"], cwd=ROOT, capture_output=True,
                       timeout=600)
    return None if AGENT.exists() else f"{AGENT} not built (make agent)"


class Wine(unittest.TestCase):
    """Every shipped script against Wine's winmm."""

    @classmethod
    def setUpClass(cls) -> None:
        why = prerequisites()
        if why:
            raise unittest.SkipTest(why)
        cls.tmp = Path(tempfile.mkdtemp(prefix="dcb-wine-"))
        cls.traces = {}
        for script in sorted(SCRIPTS.glob("*.toml")):
            trace = cls.tmp / f"{script.stem}.jsonl"
            r = subprocess.run([sys.executable, str(ROOT / "tools/wine_agent.py"), "--dcb", "--agent",
                                str(AGENT), str(script), str(trace)],
                               capture_output=True, text=True, timeout=600)
            cls.traces[script.stem] = (r, trace)

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def calls(self, name: str) -> list[dict]:
        return [r for r in records(self.traces[name][1]) if r["record"] == "call"]

    def test_runs_and_conforms(self) -> None:
        for name, (r, trace) in self.traces.items():
            self.assertEqual(r.returncode, 0, f"{name}: {r.stderr}")
            head = records(trace)[0]
            self.assertEqual(head["implementation"], "winmm")
            rc, findings, _ = check(trace)
            self.assertEqual(must_or_should(findings), [], name)

    def test_delivery_per_type(self) -> None:
        w, t, f, e = (self.calls(n)[0] for n in ("window", "task", "function", "event"))
        self.assertEqual(w["deliveries"], [{"via": "window", "target": "w1", "mode": "posted",
                                            "msg": w["msg"], "wparam": w["hdrvr"],
                                            "lparam": w["param1"]}])
        self.assertEqual([(d["via"], d["target"], d["mode"]) for d in t["deliveries"]],
                         [("thread", "t1", "posted")])
        fd = f["deliveries"][0]
        self.assertEqual((fd["hdrvr"], fd["msg"], fd["user"], fd["param1"], fd["param2"]),
                         (f["hdrvr"], f["msg"], f["user"], f["param1"], f["param2"]))
        self.assertTrue(fd["same_thread"] and fd["during_call"])
        self.assertEqual(e["deliveries"], [{"via": "event", "target": "e1", "mode": "signaled"}])
        self.assertTrue(all(c["returned"] for c in (w, t, f, e)))

    def test_failures_return_false(self) -> None:
        for c in self.calls("null-and-undocumented") + self.calls("wrong-kind"):
            self.assertFalse(c["returned"], c)
            self.assertEqual(c["deliveries"], [], c)

    def test_wine_queue_has_no_limit(self) -> None:
        """Wine 8: 10001 posts go into one queue; the call after the fill is delivered."""
        recs = records(self.traces["queue-full"][1])
        if "Wine" not in (recs[0].get("version") or ""):
            self.skipTest("not Wine")
        fills = [r for r in recs if r["record"] == "fill"]
        self.assertTrue(all(not f["refused"] and f["posted"] == 10001 for f in fills))
        _, findings, _ = check(self.traces["queue-full"][1])
        self.assertEqual({f["rule"] for f in findings}, {"dcb.queue_limit"})


if __name__ == "__main__":
    unittest.main()
