#!/usr/bin/env python3
"""Rewrite expected.tsv from what `dumpcheck validate` says now, keeping the
notes. Review the diff by hand before committing: the file is the record of
what each real dump is supposed to be.
    python3 tests/real-dumps/update_expected.py build/asan/dumpcheck ../shared/real-dumps
"""
import csv
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ("# Expected results of `dumpcheck validate` on ../shared/real-dumps (reviewed by hand).\n"
          "# verdict: y conformant, n non-conformant, i implementation-defined; "
          "must_rules: MUST rule ids that fire.\n")


def main() -> int:
    dumpcheck, real = sys.argv[1], Path(sys.argv[2])
    path = HERE / "expected.tsv"
    with path.open(newline="") as fh:
        old = {r["file"]: r for r in csv.DictReader((l for l in fh if not l.startswith("#")),
                                                        delimiter="\t")}
    rows = []
    for p in sorted(x for x in real.rglob("*") if x.is_file() and x.name != "MANIFEST.tsv"):
        rel = str(p.relative_to(real))
        out = subprocess.run([dumpcheck, "validate", "--format", "json", str(p)], capture_output=True)
        rep = json.loads(out.stdout)["files"][0]
        must = sorted({f["rule"] for f in rep["findings"] if f["level"] == "MUST" and not f["impl"]})
        rows.append((rel, rep["verdict"], ",".join(must), old.get(rel, {}).get("note", "")))
    with path.open("w") as fh:
        fh.write(HEADER + "file\tverdict\tmust_rules\tnote\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
