"""The example scenarios of spec/scenarios through `dumpcheck write --trace`.

Each scenario is held to its [expect] table, and each shows its callback's
observable effect twice: in the trace (what was called, with what) and in the
dump (what `dumpcheck dump --json` reads back)."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import tomllib
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "spec/scenarios"
DUMPCHECK = os.environ.get("DUMPCHECK", str(ROOT / "build/debug/dumpcheck"))

HRESULTS = {"E_FAIL": 0x80004005, "ERROR_CANCELLED": 0x800704C7, "ERROR_PARTIAL_COPY": 0x8007012B}
MINIDUMP_TYPE_FLAGS = 27  # MiniDumpWithDataSegs (bit 0) .. MiniDumpWithMemoryCompressed (bit 26)
WITH_FULL_MEMORY, IGNORE_INACCESSIBLE = 0x2, 0x20000


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([DUMPCHECK, *args], capture_output=True, timeout=300)


class Run:
    """One `dumpcheck write` of a scenario: exit code, trace records, dump."""

    def __init__(self, tmp: Path, scenario: Path, *extra: str) -> None:
        stem = "-".join([scenario.stem, *extra]).replace("|", "_")
        self.dump = tmp / (stem + ".dmp")
        trace = tmp / (stem + ".jsonl")
        self.proc = run("write", "--trace", str(trace), *extra, str(scenario), str(self.dump))
        self.records = [json.loads(line) for line in trace.read_text().splitlines()]
        self.calls = [r for r in self.records if r["record"] == "callback"]

    def of(self, type_name: str) -> list[dict]:
        return [c for c in self.calls if c["type"] == type_name + "Callback"]

    def streams(self) -> dict[str, dict]:
        out = run("dump", "--json", str(self.dump))
        return {s["name"]: s for s in json.loads(out.stdout)["streams"]}


def memory_ranges(streams: dict[str, dict]) -> list[tuple[int, int]]:
    """(start, size) of every MemoryList / Memory64List range."""
    ranges = []
    for e in streams.get("MemoryListStream", {}).get("entries", []):
        ranges.append((e["StartOfMemoryRange"], e["Memory"]["DataSize"]))
    for e in streams.get("Memory64ListStream", {}).get("entries", []):
        ranges.append((e["StartOfMemoryRange"], e["DataSize"]))
    return ranges


def covers(ranges: list[tuple[int, int]], start: int, size: int) -> bool:
    return any(s <= start and start + size <= s + n for s, n in ranges)


def touches(ranges: list[tuple[int, int]], start: int, size: int) -> bool:
    return any(s < start + size and start < s + n for s, n in ranges)


def memory_bytes(r: "Run", start: int) -> bytes:
    """The bytes of the MemoryList range that starts at `start`."""
    for e in r.streams()["MemoryListStream"]["entries"]:
        if e["StartOfMemoryRange"] == start:
            loc = e["Memory"]
            return r.dump.read_bytes()[loc["Rva"]:loc["Rva"] + loc["DataSize"]]
    raise AssertionError(f"no MemoryList range at {start:#x}")


@unittest.skipUnless(Path(DUMPCHECK).exists(), f"{DUMPCHECK} not built")
class ScenarioTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmpdir = tempfile.TemporaryDirectory()
        cls.tmp = Path(cls.tmpdir.name)
        cls.runs: dict[str, Run] = {}

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmpdir.cleanup()

    def write(self, name: str) -> Run:
        if name not in self.runs:
            self.runs[name] = Run(self.tmp, SCENARIOS / f"{name}.toml")
        return self.runs[name]

    # ------------------------------------------------------------ every scenario

    def test_every_scenario_meets_its_expectation(self) -> None:
        for path in sorted(SCENARIOS.glob("*.toml")):
            with self.subTest(scenario=path.stem):
                expect = tomllib.loads(path.read_text()).get("expect", {})
                r = self.write(path.stem)
                returned = expect.get("returned", True)
                self.assertEqual(r.proc.returncode, 0 if returned else 1, r.proc.stderr.decode())
                header, result = r.records[0], r.records[-1]
                self.assertEqual((header["record"], header["schema_version"]), ("header", 1))
                self.assertEqual(result["record"], "result")
                self.assertEqual([c["seq"] for c in r.calls], list(range(1, len(r.calls) + 1)))
                self.assertEqual(result["callbacks"], len(r.calls))
                self.assertEqual(result["returned"], returned)
                self.assertEqual(int(result["bytes"], 16), r.dump.stat().st_size)
                want_error = HRESULTS[expect["last_error"]] if not returned else 0
                self.assertEqual(int(result["last_error"], 16), want_error)
                # a dump that succeeded validates; a failed one never looks valid
                verdict = run("validate", str(r.dump))
                self.assertEqual(verdict.returncode, 0 if returned else 1, verdict.stdout.decode())

    def test_every_dump_type_flag(self) -> None:
        plain = SCENARIOS / "plain.toml"
        for bit in range(MINIDUMP_TYPE_FLAGS):
            flag = 1 << bit
            if flag == WITH_FULL_MEMORY:
                flag |= IGNORE_INACCESSIBLE  # the base has an unreadable page
            with self.subTest(dump_type=hex(flag)):
                r = Run(self.tmp, plain, "--dump-type", hex(flag))
                self.assertEqual(r.proc.returncode, 0, r.proc.stderr.decode())
                self.assertEqual(int(r.records[0]["dump_type"], 16), flag)
                self.assertEqual(run("validate", str(r.dump)).returncode, 0)

    def test_full_memory_with_an_unreadable_page_fails(self) -> None:
        r = Run(self.tmp, SCENARIOS / "plain.toml", "--dump-type", "WithFullMemory")
        self.assertEqual(r.proc.returncode, 1)
        failure = r.of("ReadMemoryFailure")
        self.assertEqual([int(c["input"]["offset"], 16) for c in failure], [0x310000])
        self.assertEqual(int(r.records[-1]["last_error"], 16), HRESULTS["ERROR_PARTIAL_COPY"])

    # ------------------------------------------------------------ per scenario

    def test_include_thread_false_excludes(self) -> None:
        r = self.write("exclude-include-thread")
        self.assertNotIn(0x1003, [c["input"]["thread_id"] for c in r.of("Thread")])
        self.assertEqual(len(r.of("Thread")), 2)
        s = r.streams()
        self.assertEqual([e["ThreadId"] for e in s["ThreadListStream"]["entries"]], [0x1001, 0x1002])
        self.assertEqual([e["ThreadId"] for e in s["ThreadNamesStream"]["entries"]], [0x1001])

    def test_include_module_false_excludes(self) -> None:
        r = self.write("exclude-include-module")
        bases = [int(c["input"]["base_of_image"], 16) for c in r.of("Module")]
        self.assertEqual(bases, [0x400000, 0x7FF800000000])
        listed = [e["BaseOfImage"] for e in r.streams()["ModuleListStream"]["entries"]]
        self.assertEqual(listed, [0x400000, 0x7FF800000000])

    def test_thread_callback_false_drops_entry(self) -> None:
        r = self.write("exclude-thread-callback")
        self.assertEqual((len(r.of("IncludeThread")), len(r.of("Thread"))), (3, 3))
        listed = [e["ThreadId"] for e in r.streams()["ThreadListStream"]["entries"]]
        self.assertEqual(listed, [0x1002, 0x1003])

    def test_module_callback_false_or_no_module_flag_drops_entry(self) -> None:
        r = self.write("exclude-module-callback")
        app = [c for c in r.of("Module") if c["input"]["base_of_image"] == "0x400000"][0]
        self.assertEqual(app["output_out"]["module_write_flags"] & 1, 0)
        listed = [e["BaseOfImage"] for e in r.streams()["ModuleListStream"]["entries"]]
        self.assertEqual(listed, [0x7FF810000000])

    def test_trimmed_flags_take_effect(self) -> None:
        r = self.write("trim-flags")
        s = r.streams()
        threads = {e["ThreadId"]: e for e in s["ThreadListStream"]["entries"]}
        self.assertEqual(threads[0x1002]["Stack"]["Memory"]["DataSize"], 0)
        self.assertEqual(threads[0x1002]["ThreadContext"]["DataSize"], 0)
        self.assertEqual(threads[0x1001]["ThreadContext"]["DataSize"], 1232)
        modules = {e["BaseOfImage"]: e for e in s["ModuleListStream"]["entries"]}
        self.assertTrue(all(m["CvRecord"]["DataSize"] == 0 for m in modules.values()))
        self.assertEqual(modules[0x400000]["MiscRecord"]["DataSize"], 0)
        ranges = memory_ranges(s)
        self.assertTrue(covers(ranges, 0x402000, 0x800), "data segment kept (WithDataSegs default)")
        # the code section is there only as the two instruction windows (PC -/+ 0x80)
        self.assertTrue(covers(ranges, 0x401100 - 0x80, 0x100) and covers(ranges, 0x401234 - 0x80, 0x100))
        for start, end in ((0x401000, 0x401080), (0x401180, 0x4011B4), (0x4012B4, 0x402000)):
            self.assertFalse(touches(ranges, start, end - start), "code segment bit set beyond the defaults")
        self.assertFalse(touches(ranges, 0x111000, 0x1000), "thread 0x1002's stack trimmed")

    def test_instruction_windows(self) -> None:
        ranges = memory_ranges(self.write("plain").streams())
        self.assertTrue(covers(ranges, 0x401100 - 0x80, 0x100), "thread 0x1001: PC 0x401100")
        self.assertTrue(covers(ranges, 0x401234 - 0x80, 0x100), "thread 0x1002: PC 0x401234")
        self.assertFalse(touches(ranges, 0x401000, 0x80), "nothing of app.exe's code before the window")

    def test_memory_added_and_removed(self) -> None:
        r = self.write("memory-add-remove")
        self.assertEqual(len(r.of("Memory")), 3)  # two ranges, then MemorySize 0 ends the loop
        self.assertEqual(len(r.of("RemoveMemory")), 2)
        self.assertTrue(all(c["output_in"] == {"memory_base": "0x0", "memory_size": 0}
                            for c in r.of("Memory") + r.of("RemoveMemory")))
        ranges = memory_ranges(r.streams())
        self.assertTrue(covers(ranges, 0x200000, 0x1000))
        self.assertTrue(covers(ranges, 0x203000, 0x800))
        self.assertFalse(touches(ranges, 0x101800, 0x100))
        self.assertTrue(covers(ranges, 0x101000, 0x800))

    def test_cancel(self) -> None:
        r = self.write("cancel")
        cancels = r.of("Cancel")
        self.assertEqual(len(cancels), 3)
        self.assertTrue(all(c["output_in"] == {"check_cancel": False, "cancel": False} for c in cancels))
        self.assertEqual(r.calls[-1]["type"], "CancelCallback")

    def test_io_redirection_reproduces_the_dump(self) -> None:
        r = self.write("io-redirect")
        writes = r.of("IoWriteAll")
        self.assertGreater(len(writes), 3)
        self.assertTrue(all(c["input"]["handle"] == r.records[0]["file_handle"] for c in writes))
        finish = r.of("IoFinish")
        self.assertEqual(len(finish), 1)
        self.assertGreater(finish[0]["seq"], writes[-1]["seq"])
        data = r.dump.read_bytes()
        for c in writes:
            off, n = int(c["input"]["offset"], 16), c["input"]["buffer_bytes"]
            self.assertEqual(int(c["input"]["buffer_digest"], 16), fnv1a64(data[off:off + n]))
        plain = self.write("plain")
        self.assertEqual(data, plain.dump.read_bytes())

    def test_io_write_failure(self) -> None:
        r = self.write("io-write-failure")
        self.assertEqual(len(r.of("IoWriteAll")), 3)
        self.assertFalse(r.of("IoWriteAll")[-1]["returned"])

    def test_read_failure_skipped(self) -> None:
        r = self.write("read-failure")
        failures = r.of("ReadMemoryFailure")
        self.assertEqual(len(failures), 1)
        self.assertEqual(failures[0]["input"]["offset"], "0x310000")
        self.assertEqual(failures[0]["output_in"]["status"], hex(HRESULTS["ERROR_PARTIAL_COPY"]))
        self.assertFalse(touches(memory_ranges(r.streams()), 0x310000, 0x1000))

    def test_include_vm_region_trims_full_memory(self) -> None:
        r = self.write("full-memory-vm-region")
        self.assertEqual(r.of("Memory") + r.of("RemoveMemory"), [])
        regions = r.of("IncludeVmRegion")
        self.assertEqual(regions[0]["output_in"]["vm_region"]["base_address"], "0x100000")
        ranges = memory_ranges(r.streams())
        self.assertTrue(covers(ranges, 0x101000, 0x1000))
        self.assertFalse(touches(ranges, 0x100000, 0x1000))
        self.assertFalse(touches(ranges, 0x120000, 0x2000))
        self.assertTrue(covers(ranges, 0x200000, 0x4000))

    def test_vm_callbacks_change_the_bytes(self) -> None:
        r, plain = self.write("vm-callbacks"), self.write("plain")
        self.assertEqual(r.of("VmStart")[0]["output_out"]["status"], "0x1")
        pre, post = r.of("VmPreRead"), r.of("VmPostRead")
        self.assertGreater(len(pre), 1)
        self.assertEqual([c["input"]["offset"] for c in pre], [c["input"]["offset"] for c in post])
        first = int(pre[0]["input"]["offset"], 16)
        mine, theirs = memory_bytes(r, first), memory_bytes(plain, first)
        self.assertEqual(len(mine), len(theirs))
        self.assertEqual(mine[:16], bytes([0xCC ^ 0xFF]) * 16, "VmPreRead's bytes, then xored")
        self.assertEqual(mine[16:], bytes(b ^ 0xFF for b in theirs[16:]), "read, then xored")
        second = int(pre[1]["input"]["offset"], 16)
        self.assertEqual(memory_bytes(r, second), memory_bytes(plain, second), "untouched")
        self.assertEqual(self.write("plain").of("VmPreRead"), [])

    def test_kernel_minidump_status_follows(self) -> None:
        r = self.write("kernel-minidump")
        self.assertEqual([c["type"] for c in r.calls[-2:]],
                         ["WriteKernelMinidumpCallback", "KernelMinidumpStatusCallback"])
        self.assertEqual(r.calls[-2]["output_in"]["handle"], None)
        self.assertEqual((r.calls[-2]["process_id"], r.calls[-2]["process_handle"]), (0, None))
        self.assertEqual(r.calls[-1]["input"]["status"], "0x80004001")

    def test_secondary_flags_preset_and_answer(self) -> None:
        (c,) = self.write("secondary-flags").of("SecondaryFlags")
        self.assertEqual((c["input"]["secondary_flags"], c["output_in"]["secondary_flags"]), (0, 0))
        self.assertEqual(c["output_out"]["secondary_flags"], 1)

    def test_user_and_optional_streams(self) -> None:
        s = self.write("user-streams").streams()
        for name in ("HandleDataStream", "UnloadedModuleListStream", "ThreadInfoListStream",
                     "TokenStream", "MemoryInfoListStream"):
            self.assertIn(name, s)
        out = run("dump", "--json", str(self.write("user-streams").dump))
        by_type = {x["type"]: x for x in json.loads(out.stdout)["streams"]}
        self.assertEqual((by_type[0x10000]["size"], by_type[0x10001]["size"]), (17, 6))

    def test_no_callbacks_without_callback_param(self) -> None:
        r = self.write("no-callbacks")
        self.assertFalse(r.records[0]["callbacks"])
        self.assertEqual(r.calls, [])

    def test_huge_full_memory(self) -> None:
        r = self.write("huge")
        ranges = memory_ranges(r.streams())
        self.assertTrue(covers(ranges, 0x10000000, 0x10000000))
        with r.dump.open("rb") as data:
            data.seek(r.dump.stat().st_size - 4096)
            self.assertEqual(data.read(4096), b"\xa5" * 4096)

    def test_bad_scenarios_are_rejected_with_a_line(self) -> None:
        bad = self.tmp / "bad.toml"
        for text, why in (
            ('name = "x"\n[process]\narch = "amd64"\nbogus = 1\n', b"line 4: process.bogus: unknown key"),
            ('name = "x"\n[process]\narch = "mips"\n', b"process.arch: expected x86, amd64 or arm64"),
            ('name = "x"\n[process]\narch = "x86"\n[[callback]]\ntype = "Cancel"\nthread = 1\n',
             b"callback[0].thread: means nothing for CancelCallback"),
            ('name = "x"\n[process]\narch = "x86"\n[[process.thread]]\nid = 1\nstack = { base = 0x1000, size = 0x100 }\n',
             b"line 2: process: thread 1: stack is not inside one readable region"),
        ):
            with self.subTest(why=why):
                bad.write_text(text)
                p = run("write", str(bad), str(self.tmp / "bad.dmp"))
                self.assertEqual(p.returncode, 2)
                self.assertIn(why, p.stderr)


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


if __name__ == "__main__":
    unittest.main()
