#!/usr/bin/env python3
"""`make conform`: run every available reader over the conformance corpus and
the real dumps, every writer adapter through `dumpcheck conform`, and write
the reports.

Steps (progress on stdout):
  1. rules      `dumpcheck rules --json`
  2. corpus     `dumpcheck corpus OUT/corpus` (manifest.json, schema
                dumpcheck-corpus v1), or --corpus DIR; skipped with a message
                when the command is missing
  3. readers    adapters/readers/*.toml over corpus + --real-dumps: accept /
                reject / crash / timeout, expected vs observed, normalised
                summaries diffed against the reference reader; the corpus's
                kernel dump cases only for readers with a [kdump] table
  4. writers    adapters/writers/*.toml via `dumpcheck conform --writer NAME`;
                adapters/dcb/*.toml over spec/dcb-scripts and
                adapters/filter/*.toml over spec/filter-scenarios, each trace
                judged by dcb-check / filter-check (tools/trace_conform.py)
  5. reports    --report: summary.txt, report.json (dumpcheck-conform v1),
                junit.xml, report.tap, report.sarif, matrix.html
Exit status: 0 when the reports were written, 3 when the reference reader or
writer crashed or timed out, 2 when dumpcheck itself could not be run.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import conform_eval  # noqa: E402
import matrix_html  # noqa: E402
import normalize  # noqa: E402
import readers  # noqa: E402
import report_formats  # noqa: E402
import trace_conform  # noqa: E402
import writers  # noqa: E402

SCHEMA = "dumpcheck-conform"
VERSION = 1
CORPUS_SCHEMA = "dumpcheck-corpus"
READER_KINDS = {"dump": "corpus", "kdump": "kdump"}  # corpus case kind -> reader input


def log(msg: str) -> None:
    print(f"conform: {msg}", flush=True)


def load_rules(dumpcheck: str) -> list[dict]:
    r = subprocess.run([dumpcheck, "rules", "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"conform: `{dumpcheck} rules --json` exited {r.returncode}: {r.stderr}")
    return json.loads(r.stdout)["rules"]


# ---------------------------------------------------------------- inputs

def materialise_corpus(dumpcheck: str, folder: Path) -> tuple[Path | None, str]:
    """Run `dumpcheck corpus FOLDER`; (manifest folder or None, message)."""
    if not writers.has_command(dumpcheck, "corpus"):
        return None, "this dumpcheck has no `corpus` command yet: corpus cases skipped"
    folder.mkdir(parents=True, exist_ok=True)
    r = subprocess.run([dumpcheck, "corpus", "--spec", str(ROOT / "spec"), str(folder.resolve())],
                       capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        return None, f"`dumpcheck corpus {folder}` exited {r.returncode}: {r.stderr.strip()[:300]}"
    return folder, ""


def load_corpus(folder: Path) -> tuple[list[dict], str]:
    """Corpus cases as input files; ([], message) when the manifest is missing or bad."""
    manifest = folder / "manifest.json"
    try:
        doc = json.loads(manifest.read_text())
    except (OSError, ValueError) as e:
        return [], f"{manifest}: {e}"
    if doc.get("schema") != CORPUS_SCHEMA or doc.get("version") != 1:
        return [], f"{manifest}: schema {doc.get('schema')!r} v{doc.get('version')}, " \
                   f"expected {CORPUS_SCHEMA} v1"
    files, traces, limited = [], 0, 0
    for c in doc.get("cases", []):
        kind = c.get("kind", "dump")
        if kind not in READER_KINDS or not c.get("file"):
            traces += 1
            continue
        rec = {"input": READER_KINDS[kind], "kind": kind, "id": c["id"],
               "path": str(folder / c["file"]),
               "expected": c.get("verdict"), "fires": list(c.get("fires", [])),
               "quiet": list(c.get("quiet", [])), "description": c.get("description", ""),
               "source": c.get("source", "")}
        if c.get("limits"):
            # The verdict holds under the case's validator limits, which a reader
            # cannot be given: only crashes and timeouts are judged.
            limited += 1
            rec.update(expected=None, fires=[], quiet=[], limits=c["limits"],
                       note=f"verdict {c.get('verdict')} under limits: not judged")
        files.append(rec)
    notes = [] if doc.get("cases") else ["the manifest has no cases"]
    kdumps = sum(1 for f in files if f["kind"] == "kdump")
    notes += [f"{kdumps} kernel dump case(s), for readers with [kdump]"] if kdumps else []
    notes += [f"{traces} trace case(s) not for readers"] if traces else []
    notes += [f"{limited} case(s) with validator limits: verdict not judged"] if limited else []
    return files, "; ".join(notes)


def load_expected(path: Path) -> dict:
    """tests/real-dumps/expected.tsv: relative path -> (verdict, [must rules])."""
    out = {}
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        if line.startswith("#") or line.startswith("file\t") or not line.strip():
            continue
        cols = line.split("\t")
        rules = [r for r in (cols[2] if len(cols) > 2 else "").split(",") if r]
        out[cols[0]] = (cols[1], rules)
    return out


def load_real_dumps(folder: Path) -> tuple[list[dict], str]:
    if not folder.is_dir():
        return [], f"{folder} absent: real dumps skipped"
    expected = load_expected(ROOT / "tests/real-dumps/expected.tsv")
    files = []
    for p in sorted(q for q in folder.rglob("*") if q.is_file() and q.name != "MANIFEST.tsv"):
        rel = p.relative_to(folder).as_posix()
        verdict, rules = expected.get(rel, (None, []))
        files.append({"input": "real", "kind": "dump", "id": rel, "path": str(p), "expected": verdict,
                      "fires": rules, "quiet": [], "description": "", "source": str(folder)})
    return files, ""


# ---------------------------------------------------------------- readers

def _run_one(adapter: readers.Adapter, f: dict, values: dict) -> dict:
    adapter = readers.for_kind(adapter, f.get("kind", "dump"))
    res = readers.run_reader(adapter, Path(f["path"]), values)
    rec = {**f, "outcome": res.outcome, "exit": res.exit, "seconds": round(res.seconds, 4),
           "detail": res.detail}
    if adapter.summary and res.outcome in ("accept", "reject"):
        if adapter.summary["command"] == adapter.command and res.outcome == "accept":
            try:
                summary, why = readers.load_normaliser(adapter.summary["normaliser"])(res.stdout), ""
            except (ValueError, KeyError, TypeError) as e:
                summary, why = None, f"normaliser: {e}"
        else:
            summary, why = readers.summarise(adapter, Path(f["path"]), values)
        rec["summary"], rec["summary_note"] = summary, why
    found = readers.findings(adapter, Path(f["path"]), values) \
        if res.outcome in ("accept", "reject") else None
    if found is not None:
        rec["findings"] = found
        rec["found_rules"] = sorted({x["rule"] for x in found})
    return rec


def run_reader_adapter(adapter: readers.Adapter, files: list[dict], values: dict,
                       jobs: int) -> dict:
    impl = {"name": adapter.name, "kind": "reader", "description": adapter.description,
            "adapter": adapter.path, "available": True, "reason": "", "files": []}
    missing = readers.missing_requirements(adapter, values)
    if missing:
        impl.update(available=False, reason="missing: " + ", ".join(missing))
        log(f"reader {adapter.name}: n.a. ({impl['reason']})")
        return impl
    kinds = {f.get("kind", "dump") for f in files}
    impl["na_kinds"] = {k: f"the adapter has no [{k}] table" for k in sorted(kinds)
                        if readers.for_kind(adapter, k) is None}
    skipped = [f for f in files if f.get("kind", "dump") in impl["na_kinds"]]
    files = [f for f in files if f.get("kind", "dump") not in impl["na_kinds"]]
    if skipped:
        log(f"reader {adapter.name}: n.a. for {len(skipped)} "
            + ", ".join(sorted(impl["na_kinds"])) + " file(s) (no table for them)")
    log(f"reader {adapter.name}: {len(files)} files ...")
    start = last = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for rec in pool.map(lambda f: _run_one(adapter, f, values), files):
            impl["files"].append(rec)
            if time.monotonic() - last >= 5:
                last = time.monotonic()
                log(f"reader {adapter.name}: {len(impl['files'])}/{len(files)} files")
    impl["seconds"] = round(time.monotonic() - start, 3)
    counts = {k: sum(1 for f in impl["files"] if f["outcome"] == k)
              for k in ("accept", "reject", "crash", "timeout", "error")}
    log(f"reader {adapter.name}: done in {impl['seconds']:.1f} s: "
        + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return impl


def compare_with_reference(impls: list[dict], reference: str = "reference") -> None:
    """summary_diff on every reader file that has a summary, against the reference's,
    and ref_offsets: where the reference found each of the file's `fires` rules."""
    ref = next((i for i in impls if i["name"] == reference and i["available"]), None)
    ref_files = {f["path"]: f for f in ref["files"]} if ref else {}
    for impl in impls:
        for f in impl.get("files", []):
            rf = ref_files.get(f["path"], {})
            offs = {x["rule"]: x.get("offset") for x in reversed(rf.get("findings") or [])}
            f["ref_offsets"] = {r: offs[r] for r in f.get("fires", []) if r in offs}
            theirs, ours = f.get("summary"), rf.get("summary")
            if impl is not ref and theirs is not None and ours is not None:
                f["summary_diff"] = normalize.diff(ours, theirs)


def save_summaries(impls: list[dict], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for impl in impls:
        data = {f["id"]: f.get("summary") for f in impl.get("files", []) if "summary" in f}
        if data:
            (folder / f"{impl['name']}.json").write_text(json.dumps(data, indent=1) + "\n")
        for f in impl.get("files", []):
            f.pop("summary", None)


# ---------------------------------------------------------------- report

def build_report(rules: list[dict], impls: list[dict], inputs: dict, started: float,
                 dumpcheck: str) -> dict:
    by_id = {r["id"]: r for r in rules}
    ids = [r["id"] for r in rules]
    for impl in impls:
        if impl["kind"] == "reader":
            for f in impl.get("files", []):
                conform_eval.judge_file(f)
            impl["cells"] = conform_eval.reader_cells(impl, ids)
            impl["totals"] = conform_eval.reader_totals(impl, impl["cells"], by_id)
        else:
            impl["cells"] = conform_eval.writer_cells(impl, rules)
            impl["totals"] = conform_eval.writer_totals(impl, impl["cells"], by_id)
    return {"schema": SCHEMA, "version": VERSION,
            "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds": round(time.monotonic() - started, 3), "dumpcheck": dumpcheck,
            "inputs": inputs, "rules": rules, "pseudo_rows": conform_eval.PSEUDO_ROWS,
            "implementations": impls}


def write_reports(doc: dict, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"text": folder / "summary.txt", "json": folder / "report.json",
             "junit": folder / "junit.xml", "tap": folder / "report.tap",
             "sarif": folder / "report.sarif", "html": folder / "matrix.html"}
    paths["text"].write_text(report_formats.text(doc))
    paths["json"].write_text(json.dumps(doc, indent=1) + "\n")
    paths["junit"].write_text(report_formats.junit(doc))
    paths["tap"].write_text(report_formats.tap(doc))
    paths["sarif"].write_text(json.dumps(report_formats.sarif(doc), indent=1) + "\n")
    paths["html"].write_text(matrix_html.render(doc))
    return paths


def exit_status(doc: dict) -> int:
    for impl in doc["implementations"]:
        if impl["name"] != "reference":
            continue
        t = impl.get("totals", {})
        if t.get("crash") or t.get("timeout"):
            return 3
    return 0


# ---------------------------------------------------------------- main

def gather_inputs(args, out: Path) -> tuple[list[dict], dict]:
    if args.corpus:
        corpus_dir, msg = Path(args.corpus), ""
    else:
        log(f"materialising the conformance corpus: dumpcheck corpus {out / 'corpus'}")
        corpus_dir, msg = materialise_corpus(args.dumpcheck, out / "corpus")
    corpus, cmsg = load_corpus(corpus_dir) if corpus_dir else ([], msg)
    kdump = [f for f in corpus if f["kind"] == "kdump"]
    corpus = [f for f in corpus if f["kind"] != "kdump"]
    log(f"corpus: {len(corpus)} cases, {len(kdump)} kernel dump cases"
        + (f" ({cmsg})" if cmsg else ""))
    real, rmsg = load_real_dumps(Path(args.real_dumps))
    log(f"real dumps: {len(real)} files" + (f" ({rmsg})" if rmsg else ""))
    inputs = {"corpus": {"dir": str(corpus_dir) if corpus_dir else None, "cases": len(corpus),
                         "note": cmsg},
              "kdump": {"dir": str(corpus_dir / "kdump") if corpus_dir else None,
                        "cases": len(kdump), "note": ""},
              "real_dumps": {"dir": args.real_dumps, "files": len(real), "note": rmsg}}
    return corpus + kdump + real, inputs


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dumpcheck", required=True)
    ap.add_argument("--real-dumps", default=str(ROOT.parent / "shared/real-dumps"))
    ap.add_argument("--out", default=str(ROOT / "build/conform"), help="work folder")
    ap.add_argument("--report", default=str(ROOT / "build/report"), help="reports folder")
    ap.add_argument("--corpus", help="use this materialised corpus folder (manifest.json)")
    ap.add_argument("--readers", default=str(ROOT / "adapters/readers"))
    ap.add_argument("--writers", default=str(ROOT / "adapters/writers"))
    ap.add_argument("--dcb-adapters", default=str(ROOT / "adapters/dcb"),
                    help="DriverCallback adapters (run with the writers)")
    ap.add_argument("--filter-adapters", default=str(ROOT / "adapters/filter"),
                    help="filter-stack adapters (run with the writers)")
    ap.add_argument("--filter-scenarios", default=str(ROOT / "spec/filter-scenarios"),
                    help="the filter-stack scenarios")
    ap.add_argument("--no-writers", action="store_true",
                    help="skip the writer adapters (`dumpcheck conform`)")
    ap.add_argument("--no-traces", action="store_true",
                    help="skip the DriverCallback and filter-stack adapters")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    args.dumpcheck = str(Path(args.dumpcheck).resolve())
    out, report = Path(args.out), Path(args.report)
    out.mkdir(parents=True, exist_ok=True)
    log("[1/5] rules")
    rules = load_rules(args.dumpcheck)
    log("[2/5] inputs")
    files, inputs = gather_inputs(args, out)
    values = {"dumpcheck": args.dumpcheck, "root": ROOT}
    log("[3/5] readers")
    adapters = sorted(readers.load_adapters(Path(args.readers)),
                      key=lambda a: (a.name != "reference", a.name))
    impls = [run_reader_adapter(a, files, values, args.jobs) for a in adapters]
    compare_with_reference(impls)
    save_summaries(impls, out / "summaries")
    log("[4/5] writers")
    if not args.no_writers:
        impls += writers.run_all(args.dumpcheck, Path(args.writers), out / "writers", values, log)
    if not args.no_traces:
        fams = trace_conform.FAMILIES
        impls += trace_conform.run_all(fams["dcb"], args.dumpcheck, out / "dcb", log,
                                       Path(args.dcb_adapters))
        impls += trace_conform.run_all(fams["filter"], args.dumpcheck, out / "filter", log,
                                       Path(args.filter_adapters), Path(args.filter_scenarios))
    log("[5/5] reports")
    doc = build_report(rules, impls, inputs, started, args.dumpcheck)
    paths = write_reports(doc, report)
    print(paths["text"].read_text(), end="")
    print("reports:")
    for kind, p in paths.items():
        print(f"  {kind:6} {p}")
    return exit_status(doc)


if __name__ == "__main__":
    sys.exit(main())
