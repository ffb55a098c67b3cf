#!/usr/bin/env python3
"""Cross-compile check of the clean-room Windows ABI headers (make abi-check).

The headers: reference/include/dumpcheck/win/minidumpapiset.h (the
MiniDumpWriteDump callback structs, spec/minidump/) and .../ntdddump.h (the
crash-dump filter interface: FILTER_INITIALIZATION_DATA, FILTER_EXTENSION,
DISK_GEOMETRY, DISK_PARTITION_INFO, MDL; spec/filter/ntdddump.toml).

For each mingw-w64 cross compiler that is installed:
  1. build tests/abi/abi_cross.c (minidumpapiset.h; linked against dbghelp)
     and tests/abi/abi_ntdddump.c (ntdddump.h) with -std=c11 -Wall -Wextra
     -Werror: each header's _Static_assert pins then hold with that target's
     real <windows.h> types and its compiler's layout of our declarations
     (x86_64 checks the x64 layout, i686 the x86 one: spec/'s x86 columns of
     ntdddump.toml are computed by hand, spec-notes §7, so this is where they
     meet a compiler);
  2. check that mixing minidumpapiset.h with mingw's <dbghelp.h> is refused;
  3. compare mingw-w64's own declarations with spec/ and print every size
     and offset that differs, as a note (not a failure): <dbghelp.h> for the
     minidump structs (the ABI hazard DESIGN.md "Clean-room Windows ABI"
     describes); <windows.h> (winioctl.h) and <ddk/wdm.h> for the filter
     structs (mingw has no ntdddump.h: FILTER_* are compared through our
     build's pins only).
Then, if clang is installed, a freestanding ARM64 syntax check of both
headers (the ARM64 layout, with the headers' own non-Windows types).

Exit 1 only when our header fails to build; a missing compiler is skipped.
Standard library only.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import specgen  # noqa: E402

CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wundef",
          f"-I{ROOT / 'reference/include'}", f"-I{ROOT / 'reference/gen'}"]
CROSS = [("x86_64-w64-mingw32-gcc", "x64"), ("i686-w64-mingw32-gcc", "x86")]
# (test source, header it checks, link flags)
BUILDS = [("abi_cross.c", "minidumpapiset.h", ["-ldbghelp"]), ("abi_ntdddump.c", "ntdddump.h", [])]
# spec/ files whose [[abi]] structs ntdddump.h declares (the rest: minidumpapiset.h)
NTDDDUMP_SPEC = "spec/filter/ntdddump.toml"
# mingw headers a group's facts are probed in, in turn (a fact takes the first that declares it)
PROBE_HEADS = {
    "dbghelp": [["#include <windows.h>", "#include <dbghelp.h>"]],
    "ntdddump": [["#include <windows.h>"], ["#include <ddk/wdm.h>"]],
}
# spec field -> the member designator mingw needs (named inner structs)
MEMBER_PATH = {
    ("CPU_INFORMATION", "VendorId"): "X86CpuInfo.VendorId",
    ("CPU_INFORMATION", "VersionInformation"): "X86CpuInfo.VersionInformation",
    ("CPU_INFORMATION", "FeatureInformation"): "X86CpuInfo.FeatureInformation",
    ("CPU_INFORMATION", "AMDExtendedCpuFeatures"): "X86CpuInfo.AMDExtendedCpuFeatures",
    ("CPU_INFORMATION", "ProcessorFeatures"): "OtherCpuInfo.ProcessorFeatures",
}
# spec's all-versions MiscInfo struct is five SDK structs, one per size in
# streams.toml's `sizes` for MiscInfoStream
MISC_VERSIONS = ["MINIDUMP_MISC_INFO", "MINIDUMP_MISC_INFO_2", "MINIDUMP_MISC_INFO_3",
                 "MINIDUMP_MISC_INFO_4", "MINIDUMP_MISC_INFO_5"]
# differences that are declarations, not layouts
EXPLAINED = {
    "sizeof(IMAGE_DEBUG_MISC)": "SDK ends it with Data[1]; spec/ counts the 12-byte header",
}


def run(cmd: list, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", **kw)


def build_ours(cc: str, out: Path, source: str, libs: list) -> bool:
    out.mkdir(parents=True, exist_ok=True)
    exe = out / source.replace(".c", ".exe")
    cmd = [cc, *CFLAGS, str(ROOT / "tests/abi" / source), "-o", str(exe), *libs]
    print("$ " + " ".join(cmd), flush=True)
    proc = run(cmd)
    sys.stdout.write(proc.stdout)
    return proc.returncode == 0


def refuses_mixing(cc: str, tmp: Path) -> bool:
    src = tmp / "mix.c"
    src.write_text("#include <windows.h>\n#include <dbghelp.h>\n"
                   "#include \"dumpcheck/win/minidumpapiset.h\"\nint dc_mix;\n")
    proc = run([cc, *CFLAGS, "-fsyntax-only", str(src)])
    return proc.returncode != 0 and "include only one" in proc.stdout


def mingw_version(cc: str, tmp: Path) -> str:
    src = tmp / "ver.c"
    src.write_text("#include <windows.h>\n")
    proc = run([cc, "-dM", "-E", str(src)])
    parts = [re.search(rf"#define __MINGW64_VERSION_{k} (\d+)", proc.stdout)
             for k in ("MAJOR", "MINOR", "BUGFIX")]
    return ".".join(m.group(1) for m in parts) if all(parts) else "(unknown version)"


def spec_facts(spec: specgen.Spec, arch: str, group: str = "dbghelp") -> list:
    """(struct, member or None for the size, spec value) for every fact of spec/ in
    `group`: "dbghelp" (the minidump structs) or "ntdddump" (spec/filter/ntdddump.toml)."""
    facts = []
    versions = {st["struct"]: st["sizes"] for st in spec.streams if st.get("sizes")}
    for s in (spec.structs if group == "dbghelp" else []):
        if s["tag"] == "P":  # peer formats (Breakpad, Crashpad, CodeView): not SDK structs
            continue
        if s["name"] in versions:
            for name, size in zip(MISC_VERSIONS, versions[s["name"]]):
                facts.append((name, None, size))
                facts += [(name, f["name"], f["off"]) for f in s["fields"] if f["off"] < size]
            continue
        facts.append((s["name"], None, s["size"]))
        for f in s["fields"]:
            facts.append((s["name"], MEMBER_PATH.get((s["name"], f["name"]), f["name"]), f["off"]))
    for a in spec.abis:
        if arch not in specgen.abi_targets(a) or (a.get("_file") == NTDDDUMP_SPEC) != (group == "ntdddump"):
            continue
        facts.append((a["name"], None, specgen.abi_size(a, arch)))
        for f in a["fields"]:
            off = specgen.abi_off(f, a, arch)
            if off is not None:
                facts.append((a["name"], f["name"], off))
    seen, out = set(), []
    for fact in facts:  # MINIDUMP_MEMORY_INFO is both a file and an ABI struct
        if fact[:2] not in seen:
            seen.add(fact[:2])
            out.append(fact)
    return out


def probe_all(cc: str, facts: list, tmp: Path, heads: list) -> dict:
    """probe() with each of `heads` in turn, for the facts the ones before did not declare."""
    values = {}
    for head in heads:
        rest = [i for i in range(len(facts)) if i not in values]
        if rest:
            values.update(probe(cc, facts, tmp, head, rest))
    return values


def probe(cc: str, facts: list, tmp: Path, head: list | None = None, only: list | None = None) -> dict:
    """Ask mingw's headers `head` (default <dbghelp.h>) for each fact (those in `only`);
    {index: value} for those they declare."""
    head = [*(head or PROBE_HEADS["dbghelp"][0]), "#include <stddef.h>"]
    lines = {}
    for i, (struct, member, _) in enumerate(facts):
        if only is not None and i not in only:
            continue
        expr = f"sizeof({struct})" if member is None else f"offsetof({struct}, {member})"
        lines[i] = f"unsigned int dcp_{i} = {expr};"
    src, asm = tmp / "probe.c", tmp / "probe.s"
    for _ in range(20):
        src.write_text("\n".join(head + [lines[i] for i in sorted(lines)]) + "\n")
        order = sorted(lines)
        proc = run([cc, "-std=gnu11", "-w", "-S", "-o", str(asm), str(src)])
        if proc.returncode == 0:
            break
        bad = {int(m.group(1)) for m in re.finditer(rf"{re.escape(str(src))}:(\d+):\d+: error", proc.stdout)}
        drop = {order[n - len(head) - 1] for n in bad if 0 <= n - len(head) - 1 < len(order)}
        if not drop:
            raise RuntimeError(f"{cc}: probe does not compile:\n{proc.stdout[:2000]}")
        for i in drop:
            del lines[i]
        if not lines:
            return {}
    else:
        raise RuntimeError(f"{cc}: probe does not converge")
    text = asm.read_text()
    values = {}
    # an initialised variable is a label then `.long N`; a zero one, in .bss, `.space 4`
    for m in re.finditer(r"^_?dcp_(\d+):\s*\n\s*(?:\.long\s+(\d+)|\.(?:space|zero)\s+4)", text, re.M):
        values[int(m.group(1))] = int(m.group(2) or 0)
    if set(values) != set(lines):
        raise RuntimeError(f"{cc}: cannot read probe values {sorted(set(lines) - set(values))[:5]}")
    return values


def compare(cc: str, arch: str, spec: specgen.Spec, out: Path, tmp: Path, group: str = "dbghelp") -> None:
    facts = spec_facts(spec, arch, group)
    values = probe_all(cc, facts, tmp, PROBE_HEADS[group])
    differ, missing = [], {}
    for i, (struct, member, want) in enumerate(facts):
        what = f"{struct}.{member}" if member else f"sizeof({struct})"
        if i not in values:
            missing.setdefault(struct, []).append(member or "sizeof")
        elif values[i] != want:
            differ.append((what, values[i], want))
    headers = {"dbghelp": "<dbghelp.h>", "ntdddump": "<windows.h>/<ddk/wdm.h> (no ntdddump.h)"}[group]
    report = [f"mingw-w64 {mingw_version(cc, tmp)} {headers} on {arch} ({cc}) vs "
              f"{NTDDDUMP_SPEC if group == 'ntdddump' else 'spec/'}: "
              f"{len(values)} sizes/offsets compared, {len(differ)} differ, "
              f"{len(facts) - len(values)} not declared by mingw"]
    if differ:
        width = max(len(d[0]) for d in differ)
        report.append(f"  {'':{width}}  mingw  spec/")
        for what, got, want in differ:
            note = f"  ({EXPLAINED[what]})" if what in EXPLAINED else ""
            report.append(f"  {what:{width}}  {got:5}  {want:5}{note}")
    whole = sorted(s for s, members in missing.items() if "sizeof" in members or
                   len(members) == sum(1 for f in facts if f[0] == s))
    partial = {s: m for s, m in missing.items() if s not in whole}
    if partial:
        report.append("  members mingw lacks: " + "; ".join(
            f"{s}.{{{', '.join(m)}}}" for s, m in sorted(partial.items())))
    if whole:
        report.append("  structs mingw lacks: " + ", ".join(whole))
    text = "\n".join(report)
    print(text)
    (out / ("mingw-vs-spec.txt" if group == "dbghelp" else "mingw-vs-spec-ntdddump.txt")).write_text(text + "\n")


def arm64_syntax(tmp: Path) -> bool | None:
    if not shutil.which("clang"):
        return None
    src = tmp / "arm64.c"
    src.write_text("#include \"dumpcheck/win/minidumpapiset.h\"\n"
                   "#include \"dumpcheck/win/ntdddump.h\"\n"
                   "_Static_assert(sizeof(MINIDUMP_THREAD_CALLBACK) == DC_ABI_SIZE_MINIDUMP_THREAD_CALLBACK_ARM64, \"arm64\");\n"
                   "_Static_assert(offsetof(MINIDUMP_THREAD_CALLBACK, Pad) == 12, \"arm64 Pad\");\n"
                   "_Static_assert(sizeof(FILTER_EXTENSION) == DC_ABI_SIZE_FILTER_EXTENSION_X64, \"arm64 ext\");\n")
    cmd = ["clang", "--target=aarch64-linux-gnu", "-ffreestanding", *CFLAGS, "-fsyntax-only", str(src)]
    print("$ " + " ".join(cmd), flush=True)
    proc = run(cmd)
    sys.stdout.write(proc.stdout)
    return proc.returncode == 0


def main(argv: list) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "build/abi"), help="output folder")
    args = ap.parse_args(argv)
    spec = specgen.load()
    failed = checked = 0
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for cc, arch in CROSS:
            if not shutil.which(cc):
                print(f"abi-check: {cc} not installed, {arch} skipped (make deps-cross installs it)")
                continue
            checked += 1
            out = Path(args.out) / cc.split("-gcc")[0]
            built = {}
            for source, header, libs in BUILDS:
                built[header] = build_ours(cc, out, source, libs)
                if built[header]:
                    print(f"abi-check: {arch}: {header} builds and links with {cc}; every pin holds")
                else:
                    print(f"abi-check: FAILED: {header} does not build for {arch} with {cc}")
                    failed += 1
            if built["minidumpapiset.h"] and not refuses_mixing(cc, tmp):
                print(f"abi-check: FAILED: {cc}: including it after <dbghelp.h> is not refused")
                failed += 1
            for group, header in (("dbghelp", "minidumpapiset.h"), ("ntdddump", "ntdddump.h")):
                if not built[header]:
                    continue
                try:
                    compare(cc, arch, spec, out, tmp, group)
                except RuntimeError as exc:  # a note, not a verdict on our header
                    print(f"abi-check: note: mingw comparison ({group}) skipped: {exc}")
        ok = arm64_syntax(tmp)
        if ok is None:
            print("abi-check: clang not installed, arm64 skipped")
        elif ok:
            checked += 1
            print("abi-check: arm64: minidumpapiset.h and ntdddump.h compile for aarch64 (clang, "
                  "freestanding); every pin holds")
        else:
            failed += 1
            print("abi-check: FAILED: the headers do not compile for arm64")
    if not checked:
        print("abi-check: skipped: no cross compiler installed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
