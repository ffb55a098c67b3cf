#!/usr/bin/env python3
"""Regenerate the seed corpora derived from spec/.

corpus/seeds/fuzz_scenario/: each example scenario of spec/scenarios/,
flattened, since a fuzz input is one file: a scenario naming
`base = "plain.toml"` gets the base's [process] tables (and its [request]
when it has none) written in, the way dc_scenario_load reads it.

corpus/seeds/fuzz_minidump_stream/: stream bodies cut from the dumps the
reference writer makes of those scenarios (`dumpcheck write`; stream
offsets from `dumpcheck dump --json`), each prefixed with its u32 stream
type, the input format of harnesses/fuzz_minidump_stream.c. Identical bodies
are kept once, at most PER_TYPE per stream type; runs the writer refuses
(FALSE) and dumps above MAX_DUMP are skipped. Every other stream type of
spec/minidump/streams.toml gets a seed with an empty body (`<name>-empty`),
so each decoder starts from its "too small" path. These need the CLI: --dumpcheck
PATH (make seeds / make check-gen pass $(BUILD)/dumpcheck). The writer is
deterministic (the scenario fixes every timestamp), so --check compares
bytes.

corpus/seeds/fuzz_kdump_read/: the kernel dumps of spec/kdump-scenarios
(`dumpcheck kdump-write`), each below KDUMP_MAX (the harness's max_len); they
need --dumpcheck too.

corpus/seeds/fuzz_filter_stack/: byte scripts in the input format of
harnesses/fuzz_filter_stack.c (a header byte, then 7 bytes a filter), one
per behaviour of the filter stack (FILTER_SEEDS); they need no CLI.

Usage: tools/mkseeds.py [--check] [--dumpcheck PATH]
  --check   fail when the seeds drift (the stream seeds are only checked when
            --dumpcheck is given: without the CLI they cannot be rebuilt)"""
from __future__ import annotations

import argparse
import hashlib
import json
import struct
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "spec/scenarios"
OUT = ROOT / "corpus/seeds/fuzz_scenario"
STREAM_OUT = ROOT / "corpus/seeds/fuzz_minidump_stream"
MAX_DUMP = 8 << 20    # huge.toml's 256 MiB dump adds nothing a small one lacks
MAX_BODY = (64 << 10) - 4  # type + body within max_len (harnesses/fuzz_minidump_stream.options)
PER_TYPE = 4          # distinct bodies kept per stream type
KDUMP_SCENARIOS = ROOT / "spec/kdump-scenarios"
KDUMP_OUT = ROOT / "corpus/seeds/fuzz_kdump_read"
KDUMP_MAX = 64 << 10  # harnesses/fuzz_kdump_read.options max_len
FILTER_OUT = ROOT / "corpus/seeds/fuzz_filter_stack"

# The choices harnesses/fuzz_filter_stack.c decodes: FILTER_CALLBACK values
# (6: Dump_Unload; 8: no routine fails), its statuses[] and enum dc_fx_misbehave.
FX_FAIL = {"init": 0, "start": 1, "write": 2, "finish": 3, "read": 4, "unload": 6, None: 8}
FX_STATUS = ["unsuccessful", "io_device_error", "not_supported", "pending", "insufficient_resources"]
FX_MISBEHAVE = ["", "offset", "count", "in_place", "unaligned", "oversize", "read_offset", "read_mdl"]


def fx(encrypt: bool = False, major: int = 2, flags: int = 0, dump_read: bool = False, max_pages: int = 4,
       fail: str | None = None, fail_nth: int = 0, fail_status: str = "unsuccessful",
       misbehave: str = "", misbehave_nth: int = 0) -> bytes:
    """One filter's 7 bytes: kind and version, Flags and DumpRead, MaxPagesPerWrite,
    the routine that fails (on which call, with which status), the misbehaviour (from which call)."""
    return bytes([int(encrypt) | major << 1, flags | int(dump_read) << 2, max_pages, FX_FAIL[fail],
                  fail_nth | FX_STATUS.index(fail_status) << 2, FX_MISBEHAVE.index(misbehave), misbehave_nth])


def fx_stack(filters: list[bytes], offset_pages: int = 1, stack_max_pages: int = 0, bitmap: bool = False,
             hibernation: bool = False) -> bytes:
    """The header byte (filter count, dump offset in pages, the stack's page limit,
    bitmap dump, hibernation), then the filters."""
    head = len(filters) - 1 | offset_pages << 2 | stack_max_pages << 4 | int(bitmap) << 6 | int(hibernation) << 7
    return bytes([head]) + b"".join(filters)


READER = {"encrypt": True, "flags": 1, "dump_read": True}  # an encrypter with Dump_Read: the read path decrypts
FILTER_SEEDS = {
    "observer": fx_stack([fx()]),
    "encrypt": fx_stack([fx(), fx(**READER)]),
    "encrypt-no-read": fx_stack([fx(encrypt=True)]),
    "four-filters": fx_stack([fx(max_pages=2), fx(**READER, max_pages=5), fx(max_pages=7),
                              fx(**READER, max_pages=3)], stack_max_pages=3),
    "bitmap-hibernation": fx_stack([fx(max_pages=3)], bitmap=True, hibernation=True),
    "bad-version": fx_stack([fx(major=3), fx()]),
    "v1-read-flag": fx_stack([fx(major=1, flags=1, dump_read=True)]),
    "zero-pages": fx_stack([fx(max_pages=0), fx()]),
    "informational-status": fx_stack([fx(fail="start", fail_status="pending")]),
    "fail-init-noncritical": fx_stack([fx(), fx(fail="init", fail_status="io_device_error")]),
    **{f"fail-{cb}": fx_stack([fx(), fx(**READER, fail=cb, fail_nth=2 if cb in ("write", "read") else 0,
                                        fail_status="io_device_error")])
       for cb in ("init", "start", "write", "finish", "read", "unload")},
    **{f"misbehave-{m}": fx_stack([fx(max_pages=16, misbehave=m, misbehave_nth=3)], stack_max_pages=2)
       for m in ("offset", "count", "in_place", "unaligned", "oversize")},
    **{f"misbehave-{m.replace('_', '-')}": fx_stack([fx(), fx(**READER, misbehave=m, misbehave_nth=2)])
       for m in ("read_offset", "read_mdl")},
}


def flatten(text: str) -> str:
    first = text.index("\n[") + 1  # top-level keys come before the first table
    base_line = next((l for l in text[:first].splitlines() if l.startswith("base = ")), None)
    if base_line is None:
        return text
    base = (SCENARIOS / base_line.split('"')[1]).read_text()
    process = base[base.index("[process]"):base.index("[request]")]
    request = base[base.index("[request]"):]
    top = "".join(line + "\n" for line in text[:first].splitlines() if line != base_line)
    rest = text[first:]
    return top + "\n" + process + ("" if "[request]" in rest else request + "\n") + rest


def rendered(dumpcheck: Path, command: str, scenarios: Path, max_size: int):
    """(scenario, dump) for each scenario of `scenarios` that `dumpcheck COMMAND
    SCENARIO DUMP` renders into a dump of at most `max_size` bytes (a temporary file)."""
    with tempfile.TemporaryDirectory(prefix="mkseeds-") as tmp:
        for scen in sorted(scenarios.glob("*.toml")):
            dump = Path(tmp) / (scen.stem + ".dmp")
            run = subprocess.run([str(dumpcheck), command, str(scen), str(dump)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if run.returncode == 0 and dump.exists() and dump.stat().st_size <= max_size:
                yield scen, dump


def stream_seeds(dumpcheck: Path) -> dict[str, bytes]:
    """{file name: u32 type + body} for every kept stream of every scenario's dump."""
    seeds: dict[str, bytes] = {}
    seen: set[bytes] = set()
    per_type: dict[int, int] = {}
    for scen, dump in rendered(dumpcheck, "write", SCENARIOS, MAX_DUMP):
        data = dump.read_bytes()
        listing = subprocess.run([str(dumpcheck), "dump", "--json", str(dump)],
                                 capture_output=True, text=True)
        for st in json.loads(listing.stdout)["streams"]:
            body = data[st["rva"]:st["rva"] + st["size"]]
            seed = struct.pack("<I", st["type"]) + body
            digest = hashlib.sha256(seed).digest()
            if digest in seen or len(body) > MAX_BODY or per_type.get(st["type"], 0) >= PER_TYPE:
                continue
            seen.add(digest)
            per_type[st["type"]] = per_type.get(st["type"], 0) + 1
            name = st.get("name") or f"type{st['type']:#x}"
            seeds[f"{name}-{scen.stem}"] = seed
    for st in tomllib.loads((ROOT / "spec/minidump/streams.toml").read_text())["stream"]:
        if st["value"] not in per_type:
            seeds[f"{st['name']}-empty"] = struct.pack("<I", st["value"])
    return seeds


def kdump_seeds(dumpcheck: Path) -> dict[str, bytes]:
    """{scenario name: the kernel dump `dumpcheck kdump-write` renders} for the small scenarios."""
    return {scen.stem: dump.read_bytes()
            for scen, dump in rendered(dumpcheck, "kdump-write", KDUMP_SCENARIOS, KDUMP_MAX)}


def same(directory: Path, want: dict, pattern: str, read) -> bool:
    have = {p.name: read(p) for p in directory.glob(pattern)} if directory.is_dir() else {}
    return have == want


def write(directory: Path, want: dict, pattern: str, binary: bool) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob(pattern):
        old.unlink()
    for name, content in want.items():
        (directory / name).write_bytes(content) if binary else (directory / name).write_text(content)
    print(f"mkseeds: {len(want)} seeds in {directory.relative_to(ROOT)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="fail when the seeds drift from spec/")
    ap.add_argument("--dumpcheck", type=Path, help="the dumpcheck CLI (for the stream seeds)")
    args = ap.parse_args()
    want = {p.name: flatten(p.read_text()) for p in sorted(SCENARIOS.glob("*.toml"))}
    streams = stream_seeds(args.dumpcheck) if args.dumpcheck else None
    kdumps = kdump_seeds(args.dumpcheck) if args.dumpcheck else None
    if args.dumpcheck and not streams:
        print(f"mkseeds: {args.dumpcheck} made no stream seeds", file=sys.stderr)
        return 2
    if args.check:
        stale = []
        if not same(OUT, want, "*.toml", Path.read_text):
            stale.append(str(OUT.relative_to(ROOT)))
        if streams is not None and not same(STREAM_OUT, streams, "*", Path.read_bytes):
            stale.append(str(STREAM_OUT.relative_to(ROOT)))
        if kdumps is not None and not same(KDUMP_OUT, kdumps, "*", Path.read_bytes):
            stale.append(str(KDUMP_OUT.relative_to(ROOT)))
        if not same(FILTER_OUT, FILTER_SEEDS, "*", Path.read_bytes):
            stale.append(str(FILTER_OUT.relative_to(ROOT)))
        if streams is None:
            print("mkseeds: no --dumpcheck: corpus/seeds/fuzz_minidump_stream not checked", file=sys.stderr)
        for d in stale:
            print(f"mkseeds: {d} is stale; run make seeds", file=sys.stderr)
        return 1 if stale else 0
    write(OUT, want, "*.toml", binary=False)
    write(FILTER_OUT, FILTER_SEEDS, "*", binary=True)
    if streams is not None:
        write(STREAM_OUT, streams, "*", binary=True)
    if kdumps is not None:
        write(KDUMP_OUT, kdumps, "*", binary=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
