#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build of dumpcheck's fuzz targets.
#
# The standard environment (google.github.io/oss-fuzz, "new project guide"):
# $CC/$CFLAGS compile, $CXX/$CXXFLAGS link (with $LIB_FUZZING_ENGINE, which
# brings main(): libFuzzer, AFL++'s driver, honggfuzz, ...), $SRC holds the
# checkout, $OUT receives the targets, $WORK is scratch space. Every
# harnesses/fuzz_*.c becomes $OUT/<target>, beside it:
#   <target>_seed_corpus.zip   corpus/seeds/<target> + corpus/regress/<target>
#   <target>.dict              the family dictionary its .options names
#                              (generated from spec/ by tools/specgen.py)
#   <target>.options           harnesses/<target>.options, dict = <target>.dict
# The same sources build with the Makefile (make fuzz / afl / replay).
# DUMPCHECK_SRC overrides the checkout's place ($SRC/dumpcheck).

ROOT="${DUMPCHECK_SRC:-$SRC/dumpcheck}"
BUILD="$WORK/dumpcheck-build"
FLAGS="-std=c11 -D_GNU_SOURCE -I$ROOT/reference/include -I$ROOT/reference/gen -I$ROOT/reference/src"

rm -rf "$BUILD"
mkdir -p "$BUILD/lib" "$OUT"

# The library: plain C, no generated step (reference/gen is committed).
(cd "$BUILD/lib" && $CC $CFLAGS $FLAGS -c "$ROOT"/reference/src/*.c "$ROOT/reference/gen/dc_spec.c")
ar rcs "$BUILD/libdumpcheck.a" "$BUILD"/lib/*.o

for harness in "$ROOT"/harnesses/fuzz_*.c; do
  target=$(basename "$harness" .c)
  $CC $CFLAGS $FLAGS -c "$harness" -o "$BUILD/$target.o"
  $CXX $CXXFLAGS "$BUILD/$target.o" "$BUILD/libdumpcheck.a" $LIB_FUZZING_ENGINE -o "$OUT/$target"

  options="$ROOT/harnesses/$target.options"
  if [ -f "$options" ]; then
    dict=$(sed -n 's/^dict *= *//p' "$options")
    if [ -n "$dict" ]; then
      cp "$ROOT/harnesses/$dict" "$OUT/$target.dict"
    fi
    sed "s/^dict *=.*/dict = $target.dict/" "$options" > "$OUT/$target.options"
  fi

  rm -f "$OUT/${target}_seed_corpus.zip"
  for dir in "$ROOT/corpus/seeds/$target" "$ROOT/corpus/regress/$target"; do
    if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
      # -j: flat names; seeds and regressions never share a name (a date prefix)
      zip -j -q "$OUT/${target}_seed_corpus.zip" "$dir"/*
    fi
  done
done
