#!/usr/bin/env python3
"""Regenerate corpus/seeds/fuzz_scenario/ from spec/scenarios/.

A fuzz input is one file, so each example scenario is flattened: a scenario
naming `base = "plain.toml"` gets the base's [process] tables (and its
[request] when it has none) written in, the way dc_scenario_load reads it.
Usage: tools/mkseeds.py [--check]   (--check: fail when the seeds drift)"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "spec/scenarios"
OUT = ROOT / "corpus/seeds/fuzz_scenario"


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


def main() -> int:
    want = {p.name: flatten(p.read_text()) for p in sorted(SCENARIOS.glob("*.toml"))}
    if sys.argv[1:] == ["--check"]:
        have = {p.name: p.read_text() for p in OUT.glob("*.toml")}
        if have != want:
            print("mkseeds: corpus/seeds/fuzz_scenario is stale; run tools/mkseeds.py", file=sys.stderr)
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.toml"):
        old.unlink()
    for name, text in want.items():
        (OUT / name).write_text(text)
    print(f"mkseeds: {len(want)} seeds in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
