#!/usr/bin/env python3
"""mkscale.py - generate valid, deterministic minidumps for scale benchmarks.

Usage:
    python3 tools/mkscale.py modules-threads OUT [--count N]
    python3 tools/mkscale.py full256  OUT [--ranges N] [--total BYTES]
    python3 tools/mkscale.py sparse4g OUT [--ranges N] [--total BYTES]
    python3 tools/mkscale.py KIND --print-size [options]   (no file written)

Kinds:
  modules-threads  N modules + N threads (default 10,000 each): SystemInfo
                   (AMD64), ThreadList (1232-byte AMD64 CONTEXT per thread),
                   ModuleList (unique names, RSDS CodeView records) and a
                   MemoryList holding every thread's 256-byte stack.
  full256          MiniDumpWithFullMemory dump: SystemInfo, one thread whose
                   stack lies inside one of the ranges, Memory64List with
                   50,000 sorted page-aligned ranges totalling 256 MiB. The
                   range data is written (a repeating pseudo-random pattern).
  sparse4g         Same shape, 100,000 ranges totalling 4 GiB, but the range
                   data is not written: the file is extended with truncate(),
                   so it is sparse and uses almost no disk.

Layout rules: header at 0, directory at 32, every RVA 4-byte aligned, every
stream/struct that contains u64 fields 8-byte aligned, all structures use the
SDK's 4-byte packing. For the full kinds, the Memory64List stream is the last
stream and its range data follows it contiguously up to end of file.
The output is a pure function of the arguments (fixed timestamp, fixed PRNG
seed, no host data). Standard library only.
"""

import argparse
import hashlib
import os
import struct
import sys

# ---------------------------------------------------------------- constants

MINIDUMP_SIGNATURE = 0x504D444D          # "MDMP"
MINIDUMP_VERSION = 0x0000A793
TIME_DATE_STAMP = 0x64000000             # fixed: 2023-03-02, for determinism

MINIDUMP_NORMAL = 0x0
MINIDUMP_WITH_FULL_MEMORY = 0x2

THREAD_LIST_STREAM = 3
MODULE_LIST_STREAM = 4
MEMORY_LIST_STREAM = 5
SYSTEM_INFO_STREAM = 7
MEMORY64_LIST_STREAM = 9

HEADER_SIZE = 32
DIRECTORY_ENTRY_SIZE = 12
SYSTEM_INFO_SIZE = 56
THREAD_SIZE = 48
MODULE_SIZE = 108
MEMORY_DESCRIPTOR_SIZE = 16
MEMORY_DESCRIPTOR64_SIZE = 16
VS_FIXEDFILEINFO_SIZE = 52
AMD64_CONTEXT_SIZE = 1232                # 0x4D0

PROCESSOR_ARCHITECTURE_AMD64 = 9
VER_PLATFORM_WIN32_NT = 2
CONTEXT_AMD64_ALL = 0x0010001F           # CONTEXT_AMD64|CONTROL|INTEGER|SEGMENTS|FLOATING_POINT|DEBUG_REGISTERS
CODEVIEW_RSDS = 0x53445352               # "RSDS"
VS_FFI_SIGNATURE = 0xFEEF04BD
VS_FFI_STRUCVERSION = 0x00010000

PAGE = 4096
STACK_BYTES = 256                        # captured stack per thread (modules-threads)
FULL_STACK_MAX = 0x4000                  # captured stack of the single full-dump thread

MODULE_BASE = 0x00007FF000000000         # module i at MODULE_BASE + i * MODULE_STRIDE
MODULE_STRIDE = 0x100000
TEB_BASE = 0x000000B000000000
STACK_REGION = 0x000000C000000000        # thread i's stack reservation: STACK_REGION + i * 1 MiB
STACK_STRIDE = 0x100000
RANGES_START = 0x10000                   # first full-memory range

DEFAULTS = {
    "modules-threads": {"count": 10000},
    "full256": {"ranges": 50000, "total": 256 << 20},
    "sparse4g": {"ranges": 100000, "total": 4 << 30},
}
KINDS = tuple(DEFAULTS)
SEED = 0x6D6B7363616C65                  # "mkscale"
DATA_CHUNK = 8 << 20                     # write range data in 8 MiB chunks


# ---------------------------------------------------------------- helpers

def align(n, a):
    return (n + a - 1) & ~(a - 1)


class Blob:
    """A file image under construction: allocate aligned space, patch later."""

    def __init__(self):
        self.buf = bytearray()

    def alloc(self, size, alignment=4):
        rva = align(len(self.buf), alignment)
        self.buf.extend(bytes(rva - len(self.buf) + size))
        return rva

    def put(self, data, alignment=4):
        rva = self.alloc(len(data), alignment)
        self.buf[rva:rva + len(data)] = data
        return rva

    def pack_into(self, fmt, rva, *values):
        struct.pack_into(fmt, self.buf, rva, *values)

    def pad_to(self, alignment):
        self.alloc(0, alignment)
        return len(self.buf)


class SplitMix64:
    """Tiny deterministic PRNG (stable across Python versions, unlike random)."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


# ---------------------------------------------------------------- structures

def header(number_of_streams, flags):
    """MINIDUMP_HEADER (32 bytes); directory always at RVA 32."""
    return struct.pack("<IIIIIIQ", MINIDUMP_SIGNATURE, MINIDUMP_VERSION,
                       number_of_streams, HEADER_SIZE, 0, TIME_DATE_STAMP, flags)


def directory_entry(stream_type, data_size, rva):
    """MINIDUMP_DIRECTORY (12 bytes)."""
    return struct.pack("<III", stream_type, data_size, rva)


def minidump_string(text):
    """MINIDUMP_STRING: u32 byte length (excluding NUL), UTF-16LE, 2-byte NUL."""
    data = text.encode("utf-16-le")
    return struct.pack("<I", len(data)) + data + b"\0\0"


def system_info(csd_rva):
    """MINIDUMP_SYSTEM_INFO (56 bytes) for a Windows 10 AMD64 machine."""
    vendor = struct.unpack("<III", b"GenuineIntel")   # EBX, EDX, ECX order
    return struct.pack("<HHHBBIIIIIHH3IIII",
                       PROCESSOR_ARCHITECTURE_AMD64,
                       6,            # ProcessorLevel
                       0x8E0C,       # ProcessorRevision (model/stepping)
                       8,            # NumberOfProcessors
                       1,            # ProductType: workstation
                       10, 0, 19045, # Major, Minor, Build
                       VER_PLATFORM_WIN32_NT,
                       csd_rva,
                       0x0100,       # SuiteMask: SingleUserTS
                       0,            # Reserved2
                       *vendor,
                       0x000806EC,   # VersionInformation (CPUID 1 EAX)
                       0xBFEBFBFF,   # FeatureInformation (CPUID 1 EDX)
                       0)            # AMDExtendedCpuFeatures


def location(data_size, rva):
    """MINIDUMP_LOCATION_DESCRIPTOR (8 bytes): size first."""
    return struct.pack("<II", data_size, rva)


def memory_descriptor(start, data_size, rva):
    """MINIDUMP_MEMORY_DESCRIPTOR (16 bytes)."""
    return struct.pack("<QII", start, data_size, rva)


def thread_entry(thread_id, teb, stack_start, stack_size, stack_rva, ctx_size, ctx_rva):
    """MINIDUMP_THREAD (48 bytes, 4-byte packed)."""
    entry = (struct.pack("<IIIIQ", thread_id, 0, 0x20, 0, teb)  # NORMAL_PRIORITY_CLASS
             + memory_descriptor(stack_start, stack_size, stack_rva)
             + location(ctx_size, ctx_rva))
    assert len(entry) == THREAD_SIZE
    return entry


def amd64_context(rip, rsp):
    """AMD64 CONTEXT (1232 bytes) with ContextFlags = CONTEXT_ALL (0x0010001F)."""
    ctx = bytearray(AMD64_CONTEXT_SIZE)
    struct.pack_into("<II", ctx, 0x30, CONTEXT_AMD64_ALL, 0x1F80)      # ContextFlags, MxCsr
    struct.pack_into("<HHHHHHI", ctx, 0x38, 0x33, 0x2B, 0x2B, 0x53, 0x2B, 0x2B, 0x202)
    struct.pack_into("<Q", ctx, 0x98, rsp)                               # Rsp
    struct.pack_into("<Q", ctx, 0xA0, rsp + 0x40)                        # Rbp
    struct.pack_into("<Q", ctx, 0xF8, rip)                               # Rip
    struct.pack_into("<HH", ctx, 0x100, 0x027F, 0)                       # FltSave.ControlWord/StatusWord
    struct.pack_into("<I", ctx, 0x118, 0x1F80)                           # FltSave.MxCsr
    return bytes(ctx)


def vs_fixed_file_info(index):
    """VS_FIXEDFILEINFO (52 bytes), version 10.0.<index>.0."""
    return struct.pack("<13I", VS_FFI_SIGNATURE, VS_FFI_STRUCVERSION,
                       0x000A0000, index << 16, 0x000A0000, index << 16,
                       0x3F, 0, 0x00040004, 2, 0, 0, 0)    # VOS_NT_WINDOWS32, VFT_DLL


def rsds_record(guid, age, pdb_name):
    """CodeView PDB 7.0 record: 'RSDS', 16-byte GUID, u32 age, NUL-terminated name."""
    assert len(guid) == 16
    return struct.pack("<I", CODEVIEW_RSDS) + guid + struct.pack("<I", age) + pdb_name.encode() + b"\0"


def module_entry(base, size, checksum, name_rva, version_info, cv_size, cv_rva):
    """MINIDUMP_MODULE (108 bytes, 4-byte packed)."""
    entry = (struct.pack("<QIIII", base, size, checksum, TIME_DATE_STAMP, name_rva)
             + version_info
             + location(cv_size, cv_rva)
             + location(0, 0)                 # MiscRecord
             + struct.pack("<QQ", 0, 0))      # Reserved0, Reserved1
    assert len(entry) == MODULE_SIZE
    return entry


def memory64_list_header(count, base_rva):
    """MINIDUMP_MEMORY64_LIST header: u64 NumberOfMemoryRanges, u64 BaseRva."""
    return struct.pack("<QQ", count, base_rva)


def memory_descriptor64(start, data_size):
    return struct.pack("<QQ", start, data_size)


def write_directory(blob, dir_rva, entries):
    for i, (stream_type, size, rva) in enumerate(entries):
        blob.buf[dir_rva + i * DIRECTORY_ENTRY_SIZE:dir_rva + (i + 1) * DIRECTORY_ENTRY_SIZE] = \
            directory_entry(stream_type, size, rva)


def add_system_info(blob):
    """Reserve + fill SystemInfo and its CSD string; returns (rva, size)."""
    rva = blob.alloc(SYSTEM_INFO_SIZE, 8)
    csd_rva = blob.put(minidump_string("Service Pack 1"), 4)
    blob.buf[rva:rva + SYSTEM_INFO_SIZE] = system_info(csd_rva)
    return rva, SYSTEM_INFO_SIZE


# ---------------------------------------------------------------- modules-threads

def module_name(i):
    return "C:\\Windows\\System32\\scalemod%05d.dll" % i


def module_size(i):
    return 0x10000 + (i % 16) * 0x1000          # varies, always < MODULE_STRIDE


def stack_bytes(i, count):
    """256 bytes of plausible stack: pointers into modules, plus a marker."""
    words = [MODULE_BASE + ((i + k) % count) * MODULE_STRIDE + 0x1000 + 16 * k
             for k in range(STACK_BYTES // 8)]
    words[0] = 0x5354414B00000000 | i            # "STAK" | thread index
    return struct.pack("<%dQ" % len(words), *words)


def build_modules_threads(count):
    """Whole modules-threads dump as bytes."""
    if count < 1:
        raise ValueError("--count must be >= 1")
    blob = Blob()
    blob.alloc(HEADER_SIZE, 1)
    nstreams = 4
    dir_rva = blob.alloc(DIRECTORY_ENTRY_SIZE * nstreams, 4)

    sys_rva, sys_size = add_system_info(blob)
    thread_list_size = 4 + THREAD_SIZE * count
    module_list_size = 4 + MODULE_SIZE * count
    memory_list_size = 4 + MEMORY_DESCRIPTOR_SIZE * count
    thread_list_rva = blob.alloc(thread_list_size, 8)
    module_list_rva = blob.alloc(module_list_size, 8)
    memory_list_rva = blob.alloc(memory_list_size, 8)
    blob.pack_into("<I", thread_list_rva, count)
    blob.pack_into("<I", module_list_rva, count)
    blob.pack_into("<I", memory_list_rva, count)

    for i in range(count):
        name_rva = blob.put(minidump_string(module_name(i)), 4)
        pdb = "scalemod%05d.pdb" % i
        cv = rsds_record(hashlib.md5(pdb.encode()).digest(), 1, pdb)
        cv_rva = blob.put(cv, 4)
        base = MODULE_BASE + i * MODULE_STRIDE
        entry = module_entry(base, module_size(i), 0x10000 + i, name_rva,
                             vs_fixed_file_info(i), len(cv), cv_rva)
        off = module_list_rva + 4 + i * MODULE_SIZE
        blob.buf[off:off + MODULE_SIZE] = entry

    ctx_rvas = []
    for i in range(count):
        stack_start = STACK_REGION + i * STACK_STRIDE + STACK_STRIDE - STACK_BYTES
        rip = MODULE_BASE + i * MODULE_STRIDE + 0x1000 + (i * 16) % 0x1000
        ctx_rvas.append(blob.put(amd64_context(rip, stack_start), 16))
    for i in range(count):
        stack_start = STACK_REGION + i * STACK_STRIDE + STACK_STRIDE - STACK_BYTES
        stack_rva = blob.put(stack_bytes(i, count), 16)
        t_off = thread_list_rva + 4 + i * THREAD_SIZE
        blob.buf[t_off:t_off + THREAD_SIZE] = thread_entry(
            4 + 4 * i, TEB_BASE + i * 0x2000, stack_start, STACK_BYTES, stack_rva,
            AMD64_CONTEXT_SIZE, ctx_rvas[i])
        m_off = memory_list_rva + 4 + i * MEMORY_DESCRIPTOR_SIZE
        blob.buf[m_off:m_off + MEMORY_DESCRIPTOR_SIZE] = memory_descriptor(
            stack_start, STACK_BYTES, stack_rva)

    blob.buf[0:HEADER_SIZE] = header(nstreams, MINIDUMP_NORMAL)
    write_directory(blob, dir_rva, [
        (SYSTEM_INFO_STREAM, sys_size, sys_rva),
        (THREAD_LIST_STREAM, thread_list_size, thread_list_rva),
        (MODULE_LIST_STREAM, module_list_size, module_list_rva),
        (MEMORY_LIST_STREAM, memory_list_size, memory_list_rva),
    ])
    if len(blob.buf) >= 1 << 32:
        raise ValueError("dump too large for 32-bit RVAs")
    return bytes(blob.buf)


# ---------------------------------------------------------------- full-memory kinds

def plan_ranges(count, total, seed=SEED):
    """count sorted, non-overlapping, page-aligned (start, size) ranges, sizes
    summing to total. Sizes are a random composition of the pages (so they
    vary: mostly small, some large); gaps between ranges are 1..16 pages."""
    if total % PAGE:
        raise ValueError("--total must be a multiple of %d" % PAGE)
    pages = total // PAGE
    if count < 1 or pages < count:
        raise ValueError("need 1 <= --ranges <= --total/%d" % PAGE)
    rng = SplitMix64(seed)
    # Floyd's algorithm: choose count-1 distinct cut points in 1..pages-1.
    n, k = pages - 1, count - 1
    cuts = set()
    for j in range(n - k, n):
        t = rng.below(j + 1)
        cuts.add(j if t in cuts else t)
    bounds = [0] + sorted(c + 1 for c in cuts) + [pages]
    ranges = []
    addr = RANGES_START
    for i in range(count):
        size = (bounds[i + 1] - bounds[i]) * PAGE
        ranges.append((addr, size))
        addr += size + (1 + rng.below(16)) * PAGE
    return ranges


def build_full_metadata(ranges):
    """Everything of a full-memory dump up to BaseRva: returns (bytes, base_rva).
    The single thread's stack is the top of a range in the first quarter, so
    its 32-bit RVA (inside the Memory64 data) stays below 4 GiB."""
    count = len(ranges)
    blob = Blob()
    blob.alloc(HEADER_SIZE, 1)
    nstreams = 3
    dir_rva = blob.alloc(DIRECTORY_ENTRY_SIZE * nstreams, 4)
    sys_rva, sys_size = add_system_info(blob)
    thread_list_size = 4 + THREAD_SIZE
    thread_list_rva = blob.alloc(thread_list_size, 8)
    mem64_size = 16 + MEMORY_DESCRIPTOR64_SIZE * count

    # Find the stack range and its offset inside the range data.
    stack_index = count // 4
    data_offset = sum(size for _, size in ranges[:stack_index])
    range_start, range_size = ranges[stack_index]
    stack_size = min(range_size, FULL_STACK_MAX)
    stack_start = range_start + range_size - stack_size
    ctx_rva = blob.put(amd64_context(MODULE_BASE + 0x1234, stack_start), 16)

    mem64_rva = blob.alloc(mem64_size, 8)     # last stream; data follows directly
    base_rva = len(blob.buf)
    stack_rva = base_rva + data_offset + (range_size - stack_size)
    if stack_rva + stack_size > 0xFFFFFFFF:
        raise ValueError("stack RVA does not fit in 32 bits")

    blob.pack_into("<I", thread_list_rva, 1)
    blob.buf[thread_list_rva + 4:thread_list_rva + 4 + THREAD_SIZE] = thread_entry(
        0x1000, TEB_BASE, stack_start, stack_size, stack_rva, AMD64_CONTEXT_SIZE, ctx_rva)
    blob.buf[mem64_rva:mem64_rva + 16] = memory64_list_header(count, base_rva)
    descs = b"".join(memory_descriptor64(start, size) for start, size in ranges)
    blob.buf[mem64_rva + 16:mem64_rva + mem64_size] = descs

    blob.buf[0:HEADER_SIZE] = header(nstreams, MINIDUMP_WITH_FULL_MEMORY)
    write_directory(blob, dir_rva, [
        (SYSTEM_INFO_STREAM, sys_size, sys_rva),
        (THREAD_LIST_STREAM, thread_list_size, thread_list_rva),
        (MEMORY64_LIST_STREAM, mem64_size, mem64_rva),
    ])
    return bytes(blob.buf), base_rva


def pattern_chunk(size=DATA_CHUNK):
    """A cheap, deterministic, non-zero fill: 1 MiB of SHA-256 counter-mode
    output, tiled up to size."""
    block = b"".join(hashlib.sha256(struct.pack("<Q", i)).digest()
                     for i in range((1 << 20) // 32))
    return (block * (size // len(block) + 1))[:size]


def write_full(path, ranges, sparse):
    meta, base_rva = build_full_metadata(ranges)
    total = sum(size for _, size in ranges)
    with open(path, "wb") as f:
        f.write(meta)
        if sparse:
            f.truncate(base_rva + total)
        else:
            chunk = memoryview(pattern_chunk())
            left = total
            while left:
                n = min(left, len(chunk))
                f.write(chunk[:n])
                left -= n
    return base_rva + total


# ---------------------------------------------------------------- driver

def resolve_options(kind, count=None, ranges=None, total=None):
    opts = dict(DEFAULTS[kind])
    if kind == "modules-threads":
        if ranges is not None or total is not None:
            raise ValueError("--ranges/--total apply to full256/sparse4g only")
        if count is not None:
            opts["count"] = count
    else:
        if count is not None:
            raise ValueError("--count applies to modules-threads only")
        if ranges is not None:
            opts["ranges"] = ranges
        if total is not None:
            opts["total"] = total
    return opts


def expected_size(kind, count=None, ranges=None, total=None):
    opts = resolve_options(kind, count, ranges, total)
    if kind == "modules-threads":
        return len(build_modules_threads(opts["count"]))
    meta, base_rva = build_full_metadata(plan_ranges(opts["ranges"], opts["total"]))
    return base_rva + opts["total"]


def generate(kind, out, count=None, ranges=None, total=None):
    """Write the dump to out (atomically via a temp file); returns its size."""
    opts = resolve_options(kind, count, ranges, total)
    tmp = "%s.tmp%d" % (out, os.getpid())
    try:
        if kind == "modules-threads":
            data = build_modules_threads(opts["count"])
            with open(tmp, "wb") as f:
                f.write(data)
            size = len(data)
        else:
            size = write_full(tmp, plan_ranges(opts["ranges"], opts["total"]),
                              sparse=(kind == "sparse4g"))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return size


def parse_size(text):
    """Integer with optional K/M/G suffix (binary units), e.g. 256M, 4G, 1048576."""
    t = text.strip().upper().rstrip("B").rstrip("I")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(t[-1:], 1)
    if mult != 1:
        t = t[:-1]
    try:
        return int(t, 0) * mult
    except ValueError:
        raise argparse.ArgumentTypeError("bad size: %r" % text)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate minidumps for scale benchmarks.")
    ap.add_argument("kind", choices=KINDS)
    ap.add_argument("out", nargs="?", help="output file (required unless --print-size)")
    ap.add_argument("--count", type=int, help="modules and threads (modules-threads; default 10000)")
    ap.add_argument("--ranges", type=int, help="number of memory ranges (full kinds)")
    ap.add_argument("--total", type=parse_size, help="total range bytes, page multiple (full kinds; K/M/G ok)")
    ap.add_argument("--print-size", action="store_true", help="print the file size the arguments produce; write nothing")
    args = ap.parse_args(argv)
    try:
        if args.print_size:
            print(expected_size(args.kind, args.count, args.ranges, args.total))
            return 0
        if not args.out:
            ap.error("OUT is required")
        size = generate(args.kind, args.out, args.count, args.ranges, args.total)
    except ValueError as e:
        print("mkscale: %s" % e, file=sys.stderr)
        return 2
    print("%s: %s, %d bytes" % (args.out, args.kind, size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
