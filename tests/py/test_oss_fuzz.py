"""harnesses/oss-fuzz/build.sh run locally with OSS-Fuzz's environment simulated.

Run: python3 -m unittest tests.py.test_oss_fuzz -v
Two builds, as OSS-Fuzz's base-builder would run them: the libFuzzer engine
(CC=clang, CFLAGS with -fsanitize=address,fuzzer-no-link,
LIB_FUZZING_ENGINE=-fsanitize=fuzzer), then AFL++ (CC=afl-clang-fast,
LIB_FUZZING_ENGINE=AFL++'s libAFLDriver.a). Each checks that every
harnesses/fuzz_*.c target lands in $OUT with <target>_seed_corpus.zip (seeds
and regressions), <target>.dict and <target>.options naming it, and runs
over its seed corpus: libFuzzer with -runs=0 (and the dictionary loaded),
the AFL++ binary once over every seed file. Not simulated: the real
base-builder image (its clang, -stdlib=libc++ in CXXFLAGS). A missing
clang or afl-clang-fast skips that half.
"""

import configparser
import os
import shutil
import subprocess
import tempfile
import unittest
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD_SH = ROOT / "harnesses/oss-fuzz/build.sh"
AFL_DRIVER = Path(os.environ.get("AFL_DRIVER", "/usr/lib/afl/libAFLDriver.a"))
OSS_CFLAGS = ("-O1 -fno-omit-frame-pointer -gline-tables-only "
              "-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION "
              "-fsanitize=address -fsanitize-address-use-after-scope")
TARGETS = sorted(p.stem for p in (ROOT / "harnesses").glob("fuzz_*.c"))


def seed_files(target: str) -> list:
    """The files build.sh must zip: seeds, then regressions."""
    dirs = [ROOT / "corpus/seeds" / target, ROOT / "corpus/regress" / target]
    return sorted(p.name for d in dirs if d.is_dir() for p in d.iterdir() if p.is_file())


class OssFuzzBuild(unittest.TestCase):
    def build(self, tmp: Path, env_extra: dict) -> Path:
        """Run build.sh the way OSS-Fuzz does: $SRC/dumpcheck the checkout, fresh $OUT and $WORK."""
        src, out, work = tmp / "src", tmp / "out", tmp / "work"
        for d in (src, out, work):
            d.mkdir()
        (src / "dumpcheck").symlink_to(ROOT)
        env = dict(os.environ, SRC=str(src), OUT=str(out), WORK=str(work),
                   SANITIZER="address", ARCHITECTURE="x86_64", **env_extra)
        proc = subprocess.run(["bash", str(BUILD_SH)], cwd=src / "dumpcheck", env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              errors="replace", timeout=600)
        self.assertEqual(proc.returncode, 0, proc.stdout[-3000:])
        return out

    def check_layout(self, out: Path, target: str) -> Path:
        """The target, its dict (when its options name one) and options, its seed zip;
        returns the unzipped seeds."""
        binary = out / target
        self.assertTrue(binary.is_file() and os.access(binary, os.X_OK), f"{target} not in $OUT")
        options = configparser.ConfigParser()
        options.read(out / f"{target}.options")
        own = configparser.ConfigParser()
        own.read(ROOT / "harnesses" / f"{target}.options")
        if own.has_option("libfuzzer", "dict"):
            self.assertEqual(options.get("libfuzzer", "dict", fallback=None), f"{target}.dict",
                             f"{target}.options must name {target}.dict")
            self.assertTrue((out / f"{target}.dict").stat().st_size > 0)
        else:  # a byte-script input (fuzz_filter_stack) has no tokens to offer
            self.assertFalse((out / f"{target}.dict").exists(), f"{target}.dict with no dict option")
        int(options.get("libfuzzer", "max_len"))
        int(options.get("libfuzzer", "timeout"))
        seeds = out / "seeds" / target
        seeds.mkdir(parents=True)
        with zipfile.ZipFile(out / f"{target}_seed_corpus.zip") as z:
            self.assertEqual(sorted(z.namelist()), seed_files(target))
            z.extractall(seeds)
        return seeds

    def test_libfuzzer(self):
        if not shutil.which("clang") or not shutil.which("clang++"):
            self.skipTest("clang is not installed (make deps)")
        with tempfile.TemporaryDirectory(prefix="ossfuzz-lf-") as tmp:
            flags = OSS_CFLAGS + " -fsanitize=fuzzer-no-link"
            out = self.build(Path(tmp), {"CC": "clang", "CXX": "clang++", "CFLAGS": flags,
                                         "CXXFLAGS": flags, "FUZZING_ENGINE": "libfuzzer",
                                         "LIB_FUZZING_ENGINE": "-fsanitize=fuzzer"})
            for target in TARGETS:
                with self.subTest(target=target):
                    seeds = self.check_layout(out, target)
                    has_dict = (out / f"{target}.dict").exists()
                    run = subprocess.run([str(out / target), "-runs=0"]
                                         + ([f"-dict={out / target}.dict"] if has_dict else [])
                                         + [str(seeds)], stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True, errors="replace",
                                         timeout=120)
                    self.assertEqual(run.returncode, 0, run.stdout[-3000:])
                    if has_dict:
                        self.assertIn("Dictionary:", run.stdout)
                    self.assertIn("DONE", run.stdout)

    def test_afl(self):
        if not shutil.which("afl-clang-fast") or not AFL_DRIVER.is_file():
            self.skipTest("afl-clang-fast or libAFLDriver.a is not installed (make deps)")
        with tempfile.TemporaryDirectory(prefix="ossfuzz-afl-") as tmp:
            out = self.build(Path(tmp), {"CC": "afl-clang-fast", "CXX": "afl-clang-fast++",
                                         "CFLAGS": OSS_CFLAGS, "CXXFLAGS": OSS_CFLAGS,
                                         "FUZZING_ENGINE": "afl", "AFL_QUIET": "1",
                                         "LIB_FUZZING_ENGINE": str(AFL_DRIVER)})
            for target in TARGETS:
                with self.subTest(target=target):
                    seeds = sorted(str(p) for p in self.check_layout(out, target).iterdir())
                    if not seeds:
                        continue
                    # Outside afl-fuzz, the driver runs each file named once.
                    run = subprocess.run([str(out / target)] + seeds, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True, errors="replace",
                                         timeout=120)
                    self.assertEqual(run.returncode, 0, run.stdout[-3000:])
                    self.assertEqual(run.stdout.count("Execution successful"), len(seeds))


if __name__ == "__main__":
    unittest.main()
