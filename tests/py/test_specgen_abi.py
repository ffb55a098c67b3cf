"""Tests for tools/specgen.py's [[abi]] table: the layout checks and the macros.

Run: python3 -m unittest discover -s tests/py -v
Each negative case copies spec/, breaks one fact of callbacks.toml the way a
real mistake would (mingw's Context offset, natural alignment, a forgotten
ARM64 layout), and expects specgen to refuse it.
"""

import re
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import specgen  # noqa: E402

CALLBACKS = "minidump/callbacks.toml"


class AbiSpec(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.spec_dir = self.tmp / "spec"
        shutil.copytree(ROOT / "spec", self.spec_dir)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def edit(self, old, new, path=CALLBACKS):
        p = self.spec_dir / path
        text = p.read_text()
        self.assertIn(old, text)
        p.write_text(text.replace(old, new, 1))

    def refused(self, *needles):
        with self.assertRaises(specgen.SpecError) as cm:
            specgen.load(self.spec_dir)
        for n in needles:
            self.assertIn(n, str(cm.exception))

    def test_real_spec_layouts(self):
        spec = specgen.load(self.spec_dir)
        lay = spec.abi_layouts
        self.assertEqual(lay[("MINIDUMP_CALLBACK_INPUT", "x64")].size, 1312)
        self.assertEqual(lay[("MINIDUMP_CALLBACK_INPUT", "x64")].offs["Thread"], 16)
        self.assertEqual(lay[("MINIDUMP_CALLBACK_INPUT", "x86")].offs["Thread"], 12)
        self.assertEqual(lay[("MINIDUMP_CALLBACK_INPUT", "arm64")].size, 992)
        self.assertEqual(lay[("MINIDUMP_THREAD_CALLBACK", "x64")].offs["Context"], 16)
        self.assertEqual(lay[("MINIDUMP_THREAD_CALLBACK", "x64")].align, 16)
        self.assertEqual(lay[("MINIDUMP_THREAD_CALLBACK", "x86")].align, 4)
        self.assertNotIn("Pad", lay[("MINIDUMP_THREAD_CALLBACK", "x64")].offs)
        self.assertEqual(lay[("MINIDUMP_THREAD_CALLBACK", "arm64")].offs["Pad"], 12)
        out = lay[("MINIDUMP_CALLBACK_OUTPUT", "x86")]
        self.assertEqual((out.size, out.offs["Cancel"], out.offs["Continue"]), (52, 4, 48))

    def test_mingw_context_offset_refused(self):
        self.edit('{ name = "Context", x64 = 16, x86 = 8, arm64 = 16, type = "CONTEXT", doc',
                  '{ name = "Context", x64 = 12, x86 = 8, arm64 = 16, type = "CONTEXT", doc')
        self.refused("MINIDUMP_THREAD_CALLBACK.Context on x64", "gives 16")

    def test_natural_alignment_refused(self):
        self.edit('{ name = "VmQueryResult", x64 = 4,', '{ name = "VmQueryResult", x64 = 8,')
        self.refused("MINIDUMP_CALLBACK_OUTPUT.VmQueryResult on x64")

    def test_wrong_size_refused(self):
        self.edit("size_x86 = 772", "size_x86 = 776")
        self.refused("MINIDUMP_CALLBACK_INPUT on x86", "gives 772")

    def test_forgotten_arm64_layout_refused(self):
        self.edit("size_arm64 = 960\n", "")
        self.refused("size_arm64")  # the arm64 offsets now have no size_arm64

    def test_arm64_taken_over_from_x64_refused(self):
        p = self.spec_dir / CALLBACKS
        text = p.read_text()
        start = text.index('name = "MINIDUMP_THREAD_CALLBACK"')
        end = text.index("[[abi]]", start)
        block = re.sub(r", arm64 = \w+", "", text[start:end]).replace("size_arm64 = 960\n", "")
        block = re.sub(r"  \{ name = \"Pad\".*\n", "", block)
        p.write_text(text[:start] + block + text[end:])
        self.refused("MINIDUMP_THREAD_CALLBACK", "on arm64", "ARM64 differs from x64")

    def test_missing_x86_offset_refused(self):
        self.edit('{ name = "BufferBytes", x64 = 24, x86 = 16,', '{ name = "BufferBytes", x64 = 24,')
        self.refused("BufferBytes", "x86 offset missing")

    def test_unknown_type_refused(self):
        self.edit('{ name = "BufferBytes", x64 = 24, x86 = 16, type = "ULONG" }',
                  '{ name = "BufferBytes", x64 = 24, x86 = 16, type = "SIZE_T" }')
        self.refused("SIZE_T")

    def test_memory_info_must_match_file_struct(self):
        self.edit('{ name = "Type", x64 = 40, x86 = 40, type = "ULONG32" },\n'
                  '  { name = "__alignment2", x64 = 44, x86 = 44, type = "ULONG32" },',
                  '{ name = "__alignment2", x64 = 40, x86 = 40, type = "ULONG32" },\n'
                  '  { name = "Type", x64 = 44, x86 = 44, type = "ULONG32" },')
        self.refused("MINIDUMP_MEMORY_INFO", "differs from [[struct]]")

    def test_x64_only_struct_has_no_x86_macros(self):
        with (self.spec_dir / CALLBACKS).open("a") as f:
            f.write('\n[[abi]]\nname = "DC_TEST_X64_ONLY"\nsize_x64 = 12\ntag = "I"\n'
                    'doc = "x86 unknown."\nfields = [\n'
                    '  { name = "A", x64 = 0, type = "ULONG" },\n'
                    '  { name = "B", x64 = 4, type = "PVOID" },\n]\n')
        spec = specgen.load(self.spec_dir)
        h = specgen.gen_header(spec)
        self.assertIn("#define DC_ABI_OFF_DC_TEST_X64_ONLY_B_X64 4u", h)
        self.assertNotIn("DC_TEST_X64_ONLY_B_X86", h)
        x86_block = h[h.index("#elif defined(DC_ABI_ARCH_X86)"):]
        self.assertNotIn("DC_ABI_SIZE_DC_TEST_X64_ONLY", x86_block)
        self.assertIn("#define DC_ABI_SIZE_DC_TEST_X64_ONLY DC_ABI_SIZE_DC_TEST_X64_ONLY_X64", h)

    def test_selectors_per_target(self):
        h = specgen.gen_header(specgen.load(self.spec_dir))
        arm = h[h.index("#if defined(DC_ABI_ARCH_ARM64)"):h.index("#elif defined(DC_ABI_ARCH_X64)")]
        self.assertIn("#define DC_ABI_SIZE_MINIDUMP_THREAD_CALLBACK "
                      "DC_ABI_SIZE_MINIDUMP_THREAD_CALLBACK_ARM64", arm)
        self.assertIn("#define DC_ABI_SIZE_MINIDUMP_IO_CALLBACK DC_ABI_SIZE_MINIDUMP_IO_CALLBACK_X64", arm)
        self.assertIn("#define DC_ABI_OFF_MINIDUMP_THREAD_CALLBACK_Pad "
                      "DC_ABI_OFF_MINIDUMP_THREAD_CALLBACK_Pad_ARM64", arm)
        self.assertNotIn("MINIDUMP_THREAD_CALLBACK_Pad", h[h.index("#elif defined(DC_ABI_ARCH_X64)"):])
        self.assertIn("#define DC_ABI_OFF_MINIDUMP_CALLBACK_OUTPUT_Continue_X86 48u", h)


if __name__ == "__main__":
    unittest.main()
