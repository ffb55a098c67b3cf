"""Tests for tools/mkscale.py: generate small dumps and parse them with struct.

Run: python3 -m unittest discover -s tests/py -v
The parser here is written independently of mkscale.py (it only runs it as a
subprocess), so it checks the on-disk format, not the generator's own idea of it.
Set MKSCALE_FULL_SIZE=1 to also generate and check the default-size dumps
(writes 256 MiB; the sparse 4 GiB one is always checked, it uses ~2 MiB of disk).
"""

import hashlib
import os
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MKSCALE = os.path.join(HERE, "..", "..", "tools", "mkscale.py")

SIG = 0x504D444D
THREAD_LIST, MODULE_LIST, MEMORY_LIST, SYSTEM_INFO, MEMORY64_LIST = 3, 4, 5, 7, 9
PAGE = 4096


def run_mkscale(*args, check=True):
    proc = subprocess.run([sys.executable, MKSCALE, *map(str, args)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and proc.returncode != 0:
        raise AssertionError("mkscale %s failed: %s" % (args, proc.stderr))
    return proc


class Dump:
    """Minimal independent minidump reader (only what these tests need)."""

    def __init__(self, path, read_limit=64 << 20):
        self.path = path
        self.size = os.path.getsize(path)
        with open(path, "rb") as f:
            self.data = f.read(min(self.size, read_limit))
        (self.signature, self.version, self.nstreams, self.dir_rva,
         self.checksum, self.timestamp, self.flags) = struct.unpack_from("<IIIIIIQ", self.data, 0)
        self.dirs = [struct.unpack_from("<III", self.data, self.dir_rva + 12 * i)
                     for i in range(self.nstreams)]

    def u32(self, off):
        return struct.unpack_from("<I", self.data, off)[0]

    def stream(self, stream_type):
        found = [(size, rva) for t, size, rva in self.dirs if t == stream_type]
        assert len(found) == 1, "stream %d present %d times" % (stream_type, len(found))
        return found[0]

    def string(self, rva):
        """MINIDUMP_STRING at rva -> text; checks length and NUL."""
        length = self.u32(rva)
        assert length % 2 == 0, "odd UTF-16 byte length"
        raw = self.data[rva + 4:rva + 4 + length]
        assert len(raw) == length
        assert self.data[rva + 4 + length:rva + 6 + length] == b"\0\0", "missing NUL"
        return raw.decode("utf-16-le")


class TestCase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="mkscale-test-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp, name)

    def check_header_and_directory(self, d, expected_types, flags):
        self.assertEqual(d.signature, SIG)
        self.assertEqual(d.version, 0x0000A793)
        self.assertEqual(d.dir_rva, 32)
        self.assertEqual(d.checksum, 0)
        self.assertNotEqual(d.timestamp, 0)
        self.assertEqual(d.flags, flags)
        self.assertEqual(d.nstreams, len(expected_types))
        self.assertEqual(sorted(t for t, _, _ in d.dirs), sorted(expected_types))
        extents = []
        for t, size, rva in d.dirs:
            self.assertEqual(rva % 8, 0, "stream %d RVA %#x not 8-aligned" % (t, rva))
            self.assertGreaterEqual(rva, 32 + 12 * d.nstreams, "stream overlaps header/directory")
            self.assertLessEqual(rva + size, d.size)
            extents.append((rva, rva + size))
        extents.sort()
        for (a0, a1), (b0, b1) in zip(extents, extents[1:]):
            self.assertLessEqual(a1, b0, "streams overlap")

    def check_system_info(self, d):
        size, rva = d.stream(SYSTEM_INFO)
        self.assertEqual(size, 56)
        arch = struct.unpack_from("<H", d.data, rva)[0]
        self.assertEqual(arch, 9)
        platform_id, csd_rva = struct.unpack_from("<II", d.data, rva + 20)
        self.assertEqual(platform_id, 2)
        self.assertEqual(csd_rva % 4, 0)
        d.string(csd_rva)          # asserts it is a well-formed MINIDUMP_STRING

    def check_context(self, d, size, rva):
        self.assertEqual(size, 1232)
        self.assertEqual(rva % 4, 0)
        self.assertLessEqual(rva + size, d.size)
        self.assertEqual(d.u32(rva + 0x30), 0x0010001F)


class ModulesThreads(TestCase):
    N = 50

    @classmethod
    def setUpClass(cls):
        cls._ctmp = tempfile.TemporaryDirectory(prefix="mkscale-mt-")
        cls.file = os.path.join(cls._ctmp.name, "mt.dmp")
        run_mkscale("modules-threads", cls.file, "--count", cls.N)
        cls.d = Dump(cls.file)

    @classmethod
    def tearDownClass(cls):
        cls._ctmp.cleanup()

    def test_header_directory(self):
        self.check_header_and_directory(self.d, [SYSTEM_INFO, THREAD_LIST, MODULE_LIST, MEMORY_LIST], 0)

    def test_system_info(self):
        self.check_system_info(self.d)

    def test_threads(self):
        d = self.d
        size, rva = d.stream(THREAD_LIST)
        self.assertEqual(d.u32(rva), self.N)
        self.assertEqual(size, 4 + 48 * self.N)
        ids, ctx_rvas = set(), set()
        for i in range(self.N):
            (tid, suspend, prio_class, prio, teb, st_start, st_size, st_rva,
             ctx_size, ctx_rva) = struct.unpack_from("<IIIIQQIIII", d.data, rva + 4 + 48 * i)
            ids.add(tid)
            ctx_rvas.add(ctx_rva)
            self.assertNotEqual(teb, 0)
            self.assertGreater(st_size, 0)
            self.assertEqual(st_rva % 4, 0)
            self.assertLessEqual(st_rva + st_size, d.size)
            self.check_context(d, ctx_size, ctx_rva)
            rsp = struct.unpack_from("<Q", d.data, ctx_rva + 0x98)[0]
            self.assertTrue(st_start <= rsp < st_start + st_size, "Rsp outside captured stack")
        self.assertEqual(len(ids), self.N, "thread ids not unique")
        self.assertEqual(len(ctx_rvas), self.N, "contexts shared between threads")

    def test_memory_list_holds_each_stack(self):
        d = self.d
        t_size, t_rva = d.stream(THREAD_LIST)
        m_size, m_rva = d.stream(MEMORY_LIST)
        self.assertEqual(d.u32(m_rva), self.N)
        self.assertEqual(m_size, 4 + 16 * self.N)
        mem = {struct.unpack_from("<QII", d.data, m_rva + 4 + 16 * i) for i in range(self.N)}
        stacks = {struct.unpack_from("<QII", d.data, t_rva + 4 + 48 * i + 24) for i in range(self.N)}
        self.assertEqual(mem, stacks)
        spans = sorted((start, start + size) for start, size, _ in mem)
        for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
            self.assertLessEqual(a1, b0, "memory ranges overlap")

    def test_modules(self):
        d = self.d
        size, rva = d.stream(MODULE_LIST)
        self.assertEqual(d.u32(rva), self.N)
        self.assertEqual(size, 4 + 108 * self.N)
        names, spans = set(), []
        for i in range(self.N):
            off = rva + 4 + 108 * i
            base, img_size, _cks, _tds, name_rva = struct.unpack_from("<QIIII", d.data, off)
            vs = struct.unpack_from("<13I", d.data, off + 24)
            cv_size, cv_rva, misc_size, misc_rva = struct.unpack_from("<IIII", d.data, off + 76)
            reserved = struct.unpack_from("<QQ", d.data, off + 92)
            self.assertEqual(vs[0], 0xFEEF04BD)
            self.assertEqual(vs[1], 0x00010000)
            self.assertEqual(reserved, (0, 0))
            self.assertEqual((misc_size, misc_rva), (0, 0))
            self.assertGreater(img_size, 0)
            spans.append((base, base + img_size))
            self.assertEqual(name_rva % 4, 0)
            name = d.string(name_rva)
            self.assertTrue(name.lower().endswith(".dll"), name)
            names.add(name)
            # RSDS CodeView record
            self.assertGreaterEqual(cv_size, 25)
            self.assertEqual(cv_rva % 4, 0)
            cv = d.data[cv_rva:cv_rva + cv_size]
            self.assertEqual(len(cv), cv_size)
            self.assertEqual(struct.unpack_from("<I", cv, 0)[0], 0x53445352)
            self.assertEqual(cv[-1], 0, "pdb name not NUL-terminated")
            self.assertNotIn(0, cv[24:-1], "embedded NUL in pdb name")
            self.assertTrue(cv[24:-1].endswith(b".pdb"))
            self.assertNotEqual(cv[4:20], bytes(16), "null GUID")
        self.assertEqual(len(names), self.N, "module names not unique")
        spans.sort()
        for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
            self.assertLessEqual(a1, b0, "module ranges overlap")

    def test_all_rvas_inside_file(self):
        # Highest referenced byte is the end of the file (no trailing junk).
        d = self.d
        self.assertEqual(len(d.data), d.size)
        _, m_rva = d.stream(MEMORY_LIST)
        ends = [struct.unpack_from("<QII", d.data, m_rva + 4 + 16 * i) for i in range(self.N)]
        self.assertEqual(max(rva + size for _, size, rva in ends), d.size)


class FullMemoryMixin:
    KIND = None
    RANGES = 100
    TOTAL = 1 << 20

    def make(self, name="x.dmp", ranges=None, total=None):
        p = self.path(name)
        run_mkscale(self.KIND, p, "--ranges", ranges or self.RANGES, "--total", total or self.TOTAL)
        return p

    def check_full(self, d, ranges, total, read_data):
        self.check_header_and_directory(d, [SYSTEM_INFO, THREAD_LIST, MEMORY64_LIST], 0x2)
        self.check_system_info(d)
        size, rva = d.stream(MEMORY64_LIST)
        count, base_rva = struct.unpack_from("<QQ", d.data, rva)
        self.assertEqual(count, ranges)
        self.assertEqual(size, 16 + 16 * ranges)
        # Memory64List stream is the last structure: every other stream ends before it,
        # and the raw data starts right after it and runs to end of file.
        for t, s, r in d.dirs:
            if t != MEMORY64_LIST:
                self.assertLessEqual(r + s, rva)
        self.assertEqual(base_rva, rva + size)
        descs = [struct.unpack_from("<QQ", d.data, rva + 16 + 16 * i) for i in range(count)]
        sizes = [s for _, s in descs]
        self.assertEqual(sum(sizes), total)
        self.assertEqual(base_rva + sum(sizes), d.size, "range data not contiguous up to EOF")
        self.assertGreater(len(set(sizes)), 1, "range sizes do not vary")
        prev_end = 0
        for start, s in descs:
            self.assertEqual(start % PAGE, 0)
            self.assertEqual(s % PAGE, 0)
            self.assertGreater(s, 0)
            self.assertGreaterEqual(start, prev_end, "ranges unsorted or overlapping")
            prev_end = start + s
        # The single thread: context valid, stack inside one range, its RVA
        # pointing at the matching bytes of the Memory64 data.
        t_size, t_rva = d.stream(THREAD_LIST)
        self.assertEqual(d.u32(t_rva), 1)
        self.assertEqual(t_size, 4 + 48)
        (_tid, _s, _pc, _p, teb, st_start, st_size, st_rva, ctx_size,
         ctx_rva) = struct.unpack_from("<IIIIQQIIII", d.data, t_rva + 4)
        self.check_context(d, ctx_size, ctx_rva)
        self.assertLess(ctx_rva, base_rva)
        offset = 0
        for start, s in descs:
            if start <= st_start and st_start + st_size <= start + s:
                self.assertEqual(st_rva, base_rva + offset + (st_start - start))
                break
            offset += s
        else:
            self.fail("thread stack not inside any Memory64 range")
        if read_data:
            with open(d.path, "rb") as f:
                f.seek(base_rva)
                head = f.read(1 << 16)
            self.assertNotEqual(head, bytes(len(head)), "range data is zeros")
        return base_rva, descs


class Full256(FullMemoryMixin, TestCase):
    KIND = "full256"

    def test_small_full(self):
        p = self.make()
        self.check_full(Dump(p), self.RANGES, self.TOTAL, read_data=True)
        # Data is really written: allocated blocks cover the file.
        st = os.stat(p)
        self.assertGreaterEqual(st.st_blocks * 512, self.TOTAL)

    def test_deterministic(self):
        a = self.make("a.dmp")
        b = self.make("b.dmp")
        with open(a, "rb") as fa, open(b, "rb") as fb:
            self.assertEqual(hashlib.sha256(fa.read()).digest(), hashlib.sha256(fb.read()).digest())

    def test_print_size_matches(self):
        p = self.make(ranges=300, total=2 << 20)
        out = run_mkscale(self.KIND, "--print-size", "--ranges", 300, "--total", 2 << 20).stdout
        self.assertEqual(int(out), os.path.getsize(p))

    def test_one_page_per_range(self):
        # Edge: as many ranges as pages -> every range exactly one page.
        p = self.make(ranges=64, total=64 * PAGE)
        d = Dump(p)
        size, rva = d.stream(MEMORY64_LIST)
        sizes = {struct.unpack_from("<Q", d.data, rva + 24 + 16 * i)[0] for i in range(64)}
        self.assertEqual(sizes, {PAGE})

    def test_bad_arguments(self):
        self.assertNotEqual(run_mkscale(self.KIND, self.path("x"), "--total", 1000, check=False).returncode, 0)
        self.assertNotEqual(run_mkscale(self.KIND, self.path("x"), "--ranges", 10, "--total", 4 * PAGE,
                                        check=False).returncode, 0)
        self.assertNotEqual(run_mkscale(self.KIND, self.path("x"), "--count", 5, check=False).returncode, 0)
        self.assertNotEqual(run_mkscale("modules-threads", self.path("x"), "--ranges", 5,
                                        check=False).returncode, 0)
        self.assertFalse(os.path.exists(self.path("x")))

    @unittest.skipUnless(os.environ.get("MKSCALE_FULL_SIZE"), "set MKSCALE_FULL_SIZE=1 (writes 256 MiB)")
    def test_default_full256(self):
        p = self.path("full256.dmp")
        run_mkscale(self.KIND, p)
        self.check_full(Dump(p), 50000, 256 << 20, read_data=True)


class Sparse4g(FullMemoryMixin, TestCase):
    KIND = "sparse4g"

    def test_small_sparse(self):
        total = 64 << 20
        p = self.make(total=total)
        base_rva, _ = self.check_full(Dump(p), self.RANGES, total, read_data=False)
        self.assertEqual(os.path.getsize(p), base_rva + total)
        # Not written: far fewer blocks allocated than the data size.
        self.assertLess(os.stat(p).st_blocks * 512, total // 4)

    def test_default_sparse4g(self):
        p = self.path("sparse4g.dmp")
        run_mkscale(self.KIND, p)
        d = Dump(p)
        # check_full also proves the thread's 32-bit stack RVA did not wrap:
        # it must equal BaseRva + the range's offset in the data.
        self.check_full(d, 100000, 4 << 30, read_data=False)
        self.assertGreater(d.size, 4 << 30)
        self.assertLess(os.stat(p).st_blocks * 512, 64 << 20, "sparse dump uses real disk")


if __name__ == "__main__":
    unittest.main()
