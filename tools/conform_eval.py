"""From the raw results of `make conform` (reader files, writer runs) to the
judgement: whether each file met its expectation, the rules x implementations
matrix cells, and per-implementation totals. Functions over dicts; a failed
writer run's last error is read from its trace.

Cell statuses: pass, fail, crash, impl (only implementation-defined notes),
na (the implementation could not run), none (not exercised).
"""
from __future__ import annotations

import functools
import json
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DUMP_PHASES = ("decode", "validate", "resolve", "limit")
NOT_MINIDUMP = ("kdump.", "filter.", "dcb.")
# reader input kind -> (rule prefix, verdict pseudo row): rows shown n.a. for a
# reader whose adapter cannot read that kind (no [kdump] table)
KIND_ROWS = {"kdump": ("kdump.", "(kdump verdicts)")}
READER_INPUT_ROWS = (("(corpus verdicts)", "corpus"), ("(real-dump verdicts)", "real"),
                     ("(kdump verdicts)", "kdump"))
PSEUDO_ROWS = {
    "(corpus verdicts)": "every corpus case: the reader's accept/reject against the case's verdict",
    "(real-dump verdicts)": "every real dump: accept/reject against tests/real-dumps/expected.tsv",
    "(kdump verdicts)": "every kernel dump case: the reader's accept/reject against the case's "
                        "verdict (readers with a [kdump] table)",
    "(summary vs reference)": "the reader's normalised summary against the reference's",
    "(scenario outcomes)": "every writer scenario, DriverCallback script and filter-stack "
                           "scenario: the status (and the rules its [expect] says fire) "
                           "against the expected one",
}
MAX_EVIDENCE = 40


def judge_file(f: dict) -> None:
    """Set f['ok'] and f['problems'] from outcome, expected verdict and rule checks."""
    problems = []
    if f["outcome"] in ("crash", "timeout", "error"):
        problems.append(f"{f['outcome']}: {f.get('detail', '')}")
    elif f.get("expected") == "y" and f["outcome"] != "accept":
        problems.append("rejected a y_ (must-accept) file")
    elif f.get("expected") == "n" and f["outcome"] == "accept":
        problems.append("accepted an n_ (must-reject) file")
    rules = f.get("found_rules")
    if rules is not None:
        problems += [f"{r} did not fire" for r in f.get("fires", []) if r not in rules]
        problems += [f"{r} fired (expected quiet)" for r in f.get("quiet", []) if r in rules]
    f["ok"] = not problems
    f["problems"] = problems


def _file_item(f: dict, rule: str) -> dict:
    offs = [x.get("offset") for x in f.get("findings") or [] if x.get("rule") == rule]
    offset = offs[0] if offs else (f.get("ref_offsets") or {}).get(rule)
    return {"input": f["input"], "id": f["id"], "path": f["path"], "expected": f.get("expected"),
            "outcome": f["outcome"], "ok": f["ok"], "problems": f["problems"], "offset": offset}


def _status(items: list[dict]) -> str:
    if not items:
        return "none"
    if any(i.get("outcome") in ("crash", "timeout", "error") for i in items):
        return "crash"
    return "pass" if all(i["ok"] for i in items) else "fail"


def reader_cells(impl: dict, rule_ids: list[str]) -> dict:
    """rule id (and pseudo row) -> {status, items} for one reader."""
    if not impl["available"]:
        return {r: {"status": "na", "items": [], "note": impl["reason"]}
                for r in rule_ids + _reader_pseudo()}
    by_rule: dict[str, list] = {r: [] for r in rule_ids}
    for f in impl["files"]:
        for r in dict.fromkeys(f.get("fires", []) + f.get("quiet", [])):
            if r in by_rule:
                by_rule[r].append(_file_item(f, r))
    cells = {r: {"status": _status(items), "items": items[:MAX_EVIDENCE], "count": len(items)}
             for r, items in by_rule.items()}
    for row, inp in READER_INPUT_ROWS:
        items = [_file_item(f, "") for f in impl["files"] if f["input"] == inp]
        cells[row] = {"status": _status(items), "items": items[:MAX_EVIDENCE], "count": len(items)}
    cells["(summary vs reference)"] = _summary_cell(impl)
    for kind, why in (impl.get("na_kinds") or {}).items():
        prefix, row = KIND_ROWS.get(kind, (None, None))
        for r in cells:
            if r == row or (prefix and r.startswith(prefix)):
                cells[r] = {"status": "na", "items": [], "note": why}
    return cells


def _reader_pseudo() -> list[str]:
    return [row for row, _ in READER_INPUT_ROWS] + ["(summary vs reference)"]


def _summary_cell(impl: dict) -> dict:
    compared = [f for f in impl["files"] if f.get("summary_diff") is not None]
    items = [{"input": f["input"], "id": f["id"], "path": f["path"], "outcome": f["outcome"],
              "ok": not f["summary_diff"], "problems": f["summary_diff"], "offset": None}
             for f in compared]
    bad = [i for i in items if not i["ok"]]
    status = "none" if not items else ("fail" if bad else "pass")
    return {"status": status, "items": (bad or items)[:MAX_EVIDENCE], "count": len(items)}


def _writer_exercised(rule: dict, runs: list[dict]) -> bool:
    for run in runs:
        if "checked" in run:  # the run says which rules it judged (DriverCallback runs do)
            if rule["id"] in run["checked"]:
                return True
        elif rule["id"].startswith(NOT_MINIDUMP):
            continue
        elif run.get("status") == "returned-true" and rule["phase"] in DUMP_PHASES:
            return True
    return False


def expected_fires(run: dict) -> set[str]:
    """The rules the run's scenario [expect] says must fire (negative controls)."""
    return set((run.get("expect") or {}).get("fires") or [])


def unexpected_must(run: dict, rules: dict | None = None) -> list[dict]:
    """The run's MUST findings (not implementation-defined) its [expect] does not list."""
    rules, want = rules or {}, expected_fires(run)
    return [x for x in run.get("findings", []) if not x.get("impl")
            and not rules.get(x.get("rule"), {}).get("impl")
            and (x.get("level") or rules.get(x.get("rule"), {}).get("level")) == "MUST"
            and x.get("rule") not in want]


def _writer_item(run: dict, finding: dict) -> dict:
    return {"scenario": run.get("scenario"), "status": run.get("status"),
            "source": finding.get("source"), "offset": finding.get("offset"),
            "level": finding.get("level"), "detail": finding.get("detail", ""),
            "artifact": run.get(finding.get("source") or "dump"),
            "expected": finding.get("rule") in expected_fires(run)}


def writer_cells(impl: dict, rules: list[dict]) -> dict:
    """rule id (and pseudo row) -> {status, items} for one writer."""
    ids = [r["id"] for r in rules]
    if not impl["available"]:
        return {r: {"status": "na", "items": [], "note": impl["reason"]}
                for r in ids + ["(scenario outcomes)"]}
    runs = impl["runs"]
    cells = {}
    for rule in rules:
        items = [_writer_item(run, f) for run in runs for f in run.get("findings", [])
                 if f.get("rule") == rule["id"]]
        if items and (rule["impl"] or rule["level"] == "MAY"):
            status = "impl"
        elif any(not i["expected"] for i in items):
            status = "fail"
        elif items:  # fired only where a negative-control scenario expects it
            status = "pass"
        else:
            status = "pass" if _writer_exercised(rule, runs) else "none"
        cells[rule["id"]] = {"status": status, "items": items[:MAX_EVIDENCE], "count": len(items)}
    cells["(scenario outcomes)"] = _outcome_cell(runs)
    return cells


@functools.lru_cache(maxsize=1)
def _hresults() -> dict[str, int]:
    """HRESULT names of the scenario files (HR_X / HRESULT_X constants of spec/)."""
    names = {}
    for path in sorted((ROOT / "spec/minidump").glob("*.toml")):
        for c in tomllib.loads(path.read_text()).get("constant", []):
            for prefix in ("HRESULT_", "HR_"):
                if c["name"].startswith(prefix):
                    names[c["name"][len(prefix):]] = c["value"]
    return names


def _last_error(run: dict) -> int | None:
    """The result record's last_error of the run's trace, or None."""
    try:
        lines = Path(run["trace"]).read_text().splitlines()
        result = json.loads(lines[-1]) if lines else {}
        return int(result["last_error"], 16) if result.get("record") == "result" else None
    except (KeyError, OSError, TypeError, ValueError):
        return None


def run_ok(run: dict) -> bool:
    """The run ended as its scenario's [expect] says (returned, last_error,
    fires: every listed rule fired; `roundtrip` is the reference writer's own
    test, not judged here). A trace-family run (one that lists the rules its
    check judged, `checked`) is met only when no other MUST rule fired either."""
    if run.get("status") in ("crash", "timeout", "error"):
        return False
    exp = run.get("expect") or {}
    fired = {x.get("rule") for x in run.get("findings", [])}
    if not expected_fires(run) <= fired or ("checked" in run and unexpected_must(run)):
        return False
    want_true = exp.get("returned", True)
    if want_true != (run.get("status") == "returned-true"):
        return False
    want_error = exp.get("last_error")
    if want_true or want_error is None:
        return True
    if isinstance(want_error, str):
        want_error = _hresults().get(want_error)
    return want_error is not None and _last_error(run) == want_error


def _outcome_cell(runs: list[dict]) -> dict:
    live = [r for r in runs if r.get("status") != "n.a."]
    items = [{"scenario": r.get("scenario"), "status": r.get("status"), "expect": r.get("expect"),
              "ok": run_ok(r), "outcome": r.get("status")} for r in live]
    if not runs:
        status = "none"
    elif not live:
        status = "na"
    elif any(r.get("status") in ("crash", "timeout") for r in live):
        status = "crash"
    else:
        status = "pass" if all(i["ok"] for i in items) else "fail"
    return {"status": status, "items": items[:MAX_EVIDENCE], "count": len(items)}


def reader_totals(impl: dict, cells: dict, rules: dict) -> dict:
    files = impl.get("files", [])
    t = {k: sum(1 for f in files if f["outcome"] == k)
         for k in ("accept", "reject", "crash", "timeout", "error")}
    t["files"] = len(files)
    t["mismatches"] = sum(1 for f in files if not f["ok"])
    t["summary_diffs"] = sum(1 for f in files if f.get("summary_diff"))
    t["i_cases"] = sum(1 for f in files if f.get("expected") == "i")
    t.update(_rule_failures(cells, rules))
    return t


def writer_totals(impl: dict, cells: dict, rules: dict) -> dict:
    runs = impl.get("runs", [])
    t = {"runs": len(runs), "run_failures": sum(1 for r in runs
                                                if r.get("status") != "n.a." and not run_ok(r))}
    for s in ("returned-true", "returned-false", "error", "crash", "timeout", "n.a."):
        t[s] = sum(1 for r in runs if r.get("status") == s)
    levels = [_finding_class(f, rules) for r in runs for f in r.get("findings", [])]
    t["must_findings"] = levels.count("MUST")
    t["expected_must_findings"] = sum(1 for r in runs for f in r.get("findings", [])
                                      if f.get("rule") in expected_fires(r)
                                      and _finding_class(f, rules) == "MUST")
    t["should_findings"] = levels.count("SHOULD")
    t["i_findings"] = levels.count("impl")
    t.update(_rule_failures(cells, rules))
    return t


def _finding_class(f: dict, rules: dict) -> str:
    rule = rules.get(f.get("rule"), {})
    if f.get("impl") or rule.get("impl"):
        return "impl"
    return f.get("level") or rule.get("level", "")


def _rule_failures(cells: dict, rules: dict) -> dict:
    failed = [r for r, c in cells.items() if c["status"] in ("fail", "crash") and r in rules]
    return {"must_rules_failed": sum(1 for r in failed if rules[r]["level"] == "MUST"),
            "should_rules_failed": sum(1 for r in failed if rules[r]["level"] == "SHOULD"),
            "impl_notes": sum(1 for r, c in cells.items() if c["status"] == "impl"),
            "rules_exercised": sum(1 for r, c in cells.items()
                                   if r in rules and c["status"] not in ("none", "na"))}
