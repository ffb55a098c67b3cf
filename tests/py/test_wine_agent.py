"""The Windows agent (harnesses/win/) under Wine: Wine's real dbghelp
MiniDumpWriteDump driven by example scenarios through tools/wine_agent.py.

Skips when the wine64 loader, the mingw-w64 compiler or the agent is missing
(`make deps-wine agent`). The agent is built here when only the build is
missing. What holds for any dbghelp is asserted plainly; what Wine 8's
dbghelp does differently from the reference writer is asserted only under
Wine 8 (WineBehaviour), as a record of observed behaviour."""
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

SCENARIOS = ROOT / "spec/scenarios"
AGENT = Path(os.environ.get("DUMPCHECK_AGENT", str(ROOT / "build/win/agent.exe")))
DUMPCHECK = Path(os.environ.get("DUMPCHECK", str(ROOT / "build/debug/dumpcheck")))
MINGW = "x86_64-w64-mingw32-gcc"
NAMES = ("plain", "exclude-include-module", "cancel", "io-redirect")
ERROR_CANCELLED_HR = "0x800704c7"


def prerequisites() -> str | None:
    """Why the tests cannot run, or None; builds the agent if only that is missing."""
    if not wine_agent.find_loader():
        return "no wine64 loader (make deps-wine)"
    if not AGENT.exists():
        if not shutil.which(MINGW):
            return f"no {MINGW} (make deps-wine)"
        subprocess.run(["make", "--no-print-directory", "agent"], cwd=ROOT, capture_output=True, timeout=600)
    return None if AGENT.exists() else f"{AGENT} not built (make agent)"


class Run:
    """One agent run of a scenario under Wine: exit code, stderr, trace, dump."""

    def __init__(self, tmp: Path, name: str) -> None:
        self.dump = tmp / f"{name}.dmp"
        self.trace = tmp / f"{name}.jsonl"
        self.proc = subprocess.run(
            [sys.executable, str(ROOT / "tools/wine_agent.py"), "--agent", str(AGENT),
             str(SCENARIOS / f"{name}.toml"), str(self.dump), str(self.trace)],
            capture_output=True, text=True, timeout=600)
        self.raw = self.trace.read_bytes() if self.trace.exists() else b""
        self.records = [json.loads(line) for line in self.raw.decode("utf-8").splitlines()]
        self.calls = [r for r in self.records if r["record"] == "callback"]

    def types(self) -> set[str]:
        return {c["type"] for c in self.calls}

    def of(self, type_name: str) -> list[dict]:
        return [c for c in self.calls if c["type"] == type_name + "Callback"]

    def modules(self) -> list[int]:
        """BaseOfImage of every ModuleListStream entry (dumpcheck dump --json)."""
        out = subprocess.run([str(DUMPCHECK), "dump", "--json", str(self.dump)], capture_output=True,
                             text=True, timeout=300)
        doc = json.loads(out.stdout)
        return [e["BaseOfImage"] for s in doc["streams"] if s["name"] == "ModuleListStream"
                for e in s["entries"]]


_RUNS: dict[str, Run] = {}
_TMP: list[tempfile.TemporaryDirectory] = []


def runs() -> dict[str, Run]:
    """The scenario runs, made once for both test classes (a few seconds each)."""
    if not _RUNS:
        _TMP.append(tempfile.TemporaryDirectory(prefix="wine-agent-"))
        _RUNS.update({n: Run(Path(_TMP[0].name), n) for n in NAMES})
    return _RUNS


def tearDownModule() -> None:
    for t in _TMP:
        t.cleanup()


class AgentRuns(unittest.TestCase):
    runs: dict[str, Run] = {}

    @classmethod
    def setUpClass(cls) -> None:
        why = prerequisites()
        if why:
            raise unittest.SkipTest(why)
        cls.runs = runs()


class WineAgent(AgentRuns):

    def test_exit_code_matches_result(self) -> None:
        for name, r in self.runs.items():
            with self.subTest(name):
                self.assertIn(r.proc.returncode, (0, 1), r.proc.stderr)
                self.assertEqual(r.proc.returncode == 0, r.records[-1]["returned"])

    def test_trace_schema(self) -> None:
        for name, r in self.runs.items():
            with self.subTest(name):
                self.assertNotIn(b"\r\n", r.raw)  # written in binary mode
                head, result = r.records[0], r.records[-1]
                self.assertEqual((head["record"], head["schema"], head["schema_version"]),
                                 ("header", "dumpcheck-trace", 1))
                self.assertEqual((head["implementation"], head["scenario"], head["arch"]),
                                 ("dbghelp", name, "amd64"))
                self.assertRegex(head["version"], r"^\d+\.\d+\.\d+\.\d+")
                self.assertTrue(head["callbacks"])
                self.assertTrue(head["exception_param"])  # plain.toml asks for one
                self.assertEqual(result["record"], "result")
                self.assertEqual(result["callbacks"], len(r.calls))
                self.assertEqual([c["seq"] for c in r.calls], list(range(1, len(r.calls) + 1)))
                self.assertEqual(int(result["bytes"], 16), r.dump.stat().st_size)

    def test_threads_and_modules_are_reported(self) -> None:
        # Any dbghelp calls ThreadCallback / ModuleCallback for what it writes;
        # the agent has the scenario's 3 parked threads plus its main thread.
        for name, r in self.runs.items():
            with self.subTest(name):
                ids = {c["input"]["thread_id"] for c in r.of("Thread")}
                self.assertGreaterEqual(len(ids), 4)
                paths = [c["input"]["full_path"].lower() for c in r.of("Module")]
                self.assertTrue(any(p.endswith("agent.exe") for p in paths), paths)
                self.assertTrue(any(p.endswith("ntdll.dll") for p in paths), paths)

    def test_dump_is_a_readable_minidump(self) -> None:
        if not DUMPCHECK.exists():
            self.skipTest(f"{DUMPCHECK} not built")
        for name, r in self.runs.items():
            if not r.records[-1]["returned"]:
                continue
            with self.subTest(name):
                self.assertEqual(r.dump.read_bytes()[:4], b"MDMP")
                v = subprocess.run([str(DUMPCHECK), "validate", str(r.dump)], capture_output=True,
                                   text=True, timeout=300)
                self.assertIn(v.returncode, (0, 1), v.stderr)
                self.assertNotIn("unreadable)", v.stdout.splitlines()[0])

    def test_include_module_refusal_is_honoured_when_asked(self) -> None:
        # The scenario refuses its 3rd module, the agent's 3rd (kernel32.dll).
        r = self.runs["exclude-include-module"]
        kernel32 = [int(c["input"]["base_of_image"], 16) for c in r.of("Module")
                    if c["input"]["full_path"].lower().endswith("kernel32.dll")]
        refused = [int(c["input"]["base_of_image"], 16) for c in r.of("IncludeModule") if not c["returned"]]
        if not DUMPCHECK.exists():
            self.skipTest(f"{DUMPCHECK} not built")
        in_dump = set(r.modules())
        for base in refused:
            self.assertNotIn(base, in_dump)
        if not r.of("IncludeModule"):  # never asked: nothing may be left out
            self.assertTrue(set(kernel32) <= in_dump)

    def test_cancel_fails_the_dump_when_asked(self) -> None:
        r = self.runs["cancel"]
        cancelled = any(c["output_out"]["cancel"] and c["returned"] for c in r.of("Cancel"))
        self.assertEqual(r.records[-1]["returned"], not cancelled)
        if cancelled:
            self.assertEqual(r.records[-1]["last_error"], ERROR_CANCELLED_HR)

    def test_io_redirect_writes_through_the_script_when_asked(self) -> None:
        r = self.runs["io-redirect"]
        redirected = any(c["output_out"]["status"] == "0x1" for c in r.of("IoStart"))
        self.assertEqual(bool(r.of("IoWriteAll")), redirected)
        if redirected:
            written = sum(c["input"]["buffer_bytes"] for c in r.of("IoWriteAll"))
            self.assertLessEqual(r.dump.stat().st_size, written)


class WineBehaviour(AgentRuns):
    """What Wine 8's dbghelp does differently (observed with Debian 12's
    wine64 8.0): these document it and fail when a newer Wine changes."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        if "(Wine 8." not in cls.runs["plain"].records[0]["version"]:
            raise unittest.SkipTest("not Wine 8's dbghelp")

    def test_only_thread_and_module_callbacks(self) -> None:
        for name, r in self.runs.items():
            with self.subTest(name):
                self.assertEqual(r.types(), {"ThreadCallback", "ModuleCallback"})
                self.assertTrue(r.records[-1]["returned"])  # cancel.toml never gets to cancel

    def test_output_preset_is_the_default_write_flags(self) -> None:
        r = self.runs["plain"]
        self.assertEqual({c["output_in"]["thread_write_flags"] for c in r.of("Thread")}, {0x17})
        self.assertEqual({c["output_in"]["module_write_flags"] for c in r.of("Module")}, {0x0D})

    def test_host_elf_modules_get_module_callbacks(self) -> None:
        paths = [c["input"]["full_path"] for c in self.runs["plain"].of("Module")]
        self.assertTrue(any(p.startswith("/") or p.endswith(".so") for p in paths), paths)

    def test_module_input_has_no_version_or_debug_records(self) -> None:
        for c in self.runs["plain"].of("Module"):
            self.assertEqual((c["input"]["size_of_cv_record"], c["input"]["cv_record_digest"]), (0, None))
            self.assertEqual((c["input"]["size_of_misc_record"], c["input"]["misc_record_digest"]), (0, None))

    def test_thread_input_has_the_gcc_layout(self) -> None:
        # Context at 12, not Microsoft's 16: a Microsoft-layout callback
        # reads SizeOfContext from StackBase's low half (spec-notes §3.3).
        r = self.runs["plain"]
        self.assertIn("had the GCC layout", r.proc.stderr)
        self.assertTrue(all(c["input"]["size_of_context"] != 1232 for c in r.of("Thread")))
        self.assertTrue(all(c["input"]["thread_handle"] is None for c in r.of("Thread")))


if __name__ == "__main__":
    unittest.main()
