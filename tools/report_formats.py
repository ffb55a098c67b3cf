"""Report formats of `make conform` from one `dumpcheck-conform` document:
the terminal text summary, JUnit XML, TAP 13 and SARIF 2.1.0.
Standard library only; every function takes the document and returns text
(SARIF: a dict to serialise).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import conform_eval

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"MUST": "error", "SHOULD": "warning", "MAY": "note"}
META_RULES = {
    "conform.verdict": ("error", "The reader's accept/reject contradicts the file's expected verdict."),
    "conform.crash": ("error", "The implementation crashed, timed out or failed to run."),
    "conform.summary": ("warning", "The reader's normalised summary differs from the reference's."),
    "conform.scenario": ("error", "The writer's result differs from the scenario's expected one."),
}
ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- test cases

def _reader_cases(impl: dict):
    for f in impl["files"]:
        name = f"{f['input']}/{f['id']}"
        if f["outcome"] in ("crash", "timeout", "error"):
            yield name, "error", f"{f['outcome']}: {f.get('detail', '')}", f
        elif not f["ok"]:
            yield name, "fail", "; ".join(f["problems"]), f
        else:
            yield name, "pass", f"{f['outcome']} (expected {f.get('expected') or '-'})", f


def _writer_cases(impl: dict, rules: dict):
    for run in impl["runs"]:
        name = str(run.get("scenario"))
        must = conform_eval.unexpected_must(run, rules)
        if run.get("status") == "n.a.":
            yield name, "skip", "n.a.", run
        elif run.get("status") in ("crash", "timeout", "error"):
            yield name, "error", f"status {run.get('status')}", run
        elif not conform_eval.run_ok(run) or must:
            why = [] if conform_eval.run_ok(run) else [_expect_miss(run)]
            why += [f"{x['rule']} at {x.get('offset')}: {x.get('detail', '')}" for x in must]
            yield name, "fail", "; ".join(why), run
        else:
            yield name, "pass", f"status {run.get('status')}", run


def _expect_miss(run: dict) -> str:
    fired = {x.get("rule") for x in run.get("findings", [])}
    silent = sorted(conform_eval.expected_fires(run) - fired)
    return f"status {run.get('status')}, expected {run.get('expect')}" + \
        (f" (did not fire: {', '.join(silent)})" if silent else "")


def test_cases(doc: dict):
    """(implementation, kind, case name, pass|fail|error|skip, message) for every case."""
    rules = {r["id"]: r for r in doc["rules"]}
    for impl in doc["implementations"]:
        if not impl["available"]:
            yield impl["name"], impl["kind"], "n.a.", "skip", impl["reason"]
            continue
        cases = _reader_cases(impl) if impl["kind"] == "reader" else _writer_cases(impl, rules)
        for name, status, msg, _ in cases:
            yield impl["name"], impl["kind"], name, status, msg


# ---------------------------------------------------------------- text

def _impl_line(impl: dict) -> str:
    head = f"{impl['kind']:6} {impl['name']:14}"
    if not impl["available"]:
        return f"{head} n.a. ({impl['reason']})"
    t = impl["totals"]
    rules = f"MUST rules failed {t['must_rules_failed']}, SHOULD rules failed " \
            f"{t['should_rules_failed']}, i_ notes {t['impl_notes']}"
    if impl["kind"] == "reader":
        return (f"{head} {t['files']} files: {t['accept']} accept, {t['reject']} reject, "
                f"{t['crash']} crash, {t['timeout']} timeout, {t['error']} error | "
                f"{t['mismatches']} unexpected | {t['summary_diffs']} summary diffs | "
                f"{rules} | {t['i_cases']} i_ cases")
    # a script / filter-stack scenario has no BOOL result of its own: TRUE means it ran to the end
    runs = (f"{t['runs']} {impl.get('unit', 'runs')}: {t['returned-true']} ran to the end"
            if impl.get("family") else
            f"{t['runs']} scenarios: {t['returned-true']} TRUE, {t['returned-false']} FALSE")
    return (f"{head} {runs}, "
            f"{t['crash']} crash, {t['timeout']} timeout, {t['error']} error | "
            f"{t['run_failures']} unexpected | findings MUST {t['must_findings']}"
            + (f" ({t['expected_must_findings']} expected by [expect])"
               if t.get("expected_must_findings") else "") + ", SHOULD "
            f"{t['should_findings']}, i_ {t['i_findings']} | {rules}")


def _scope_lines(impl: dict) -> list[str]:
    """What a column covers beyond the minidump files: the kinds a reader is
    n.a. for, the kernel dump cases it judged, a trace family's negative controls."""
    if not impl["available"]:
        return []
    if impl["kind"] == "reader":
        kd = [f for f in impl["files"] if f.get("kind") == "kdump"]
        out = [f"    n.a. for {k} files: {why}" for k, why in (impl.get("na_kinds") or {}).items()]
        if kd:
            c = impl["cells"].get("(kdump verdicts)", {})
            out.append(f"    kdump: {len(kd)} kernel dump cases: "
                       f"{sum(1 for f in kd if f['outcome'] == 'accept')} accept, "
                       f"{sum(1 for f in kd if f['outcome'] == 'reject')} reject, "
                       f"{sum(1 for f in kd if not f['ok'])} unexpected "
                       f"(kdump verdicts {c.get('status', 'none')})")
        return out
    controls = [r for r in impl["runs"] if conform_eval.expected_fires(r)]
    if not controls:
        return []
    met = [r for r in controls if conform_eval.run_ok(r)]
    return [f"    negative controls ([expect] fires): {len(met)}/{len(controls)} met: "
            + ", ".join(f"{r['scenario']}{'' if r in met else ' (NOT met)'}" for r in controls)]


def text(doc: dict, max_failures: int = 8) -> str:
    inp = doc["inputs"]
    kdump = inp.get("kdump", {}).get("cases", 0)
    lines = [f"dumpcheck conform: {inp['corpus']['cases']} corpus cases, "
             + (f"{kdump} kernel dump cases, " if kdump else "")
             + f"{inp['real_dumps']['files']} real dumps, {len(doc['rules'])} rules, "
             f"{doc['seconds']:.1f} s"]
    for key in ("corpus", "real_dumps"):
        if inp[key].get("note"):
            lines.append(f"  note: {inp[key]['note']}")
    lines.append("")
    for impl in doc["implementations"]:
        lines.append(_impl_line(impl))
        lines += _scope_lines(impl)
        bad = [c for c in test_cases({**doc, "implementations": [impl]})
               if c[3] in ("fail", "error")]
        for _, _, name, status, msg in bad[:max_failures]:
            lines.append(f"    {status:5} {name}: {msg[:160]}")
        if len(bad) > max_failures:
            lines.append(f"    ... {len(bad) - max_failures} more (report.json)")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- JUnit, TAP

def junit(doc: dict) -> str:
    root = ET.Element("testsuites", name="dumpcheck conform")
    suites: dict[str, ET.Element] = {}
    counts: dict[str, dict] = {}
    for impl, kind, name, status, msg in test_cases(doc):
        key = f"{kind}.{impl}"
        suite = suites.get(key)
        if suite is None:
            suite = suites[key] = ET.SubElement(root, "testsuite", name=key)
            counts[key] = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        case = ET.SubElement(suite, "testcase", classname=key, name=name)
        counts[key]["tests"] += 1
        tag = {"fail": "failure", "error": "error", "skip": "skipped"}.get(status)
        if tag:
            ET.SubElement(case, tag, message=msg[:500]).text = msg if tag != "skipped" else None
            counts[key][{"failure": "failures", "error": "errors", "skipped": "skipped"}[tag]] += 1
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for key, suite in suites.items():
        for k, v in counts[key].items():
            suite.set(k, str(v))
            total[k] += v
    for k, v in total.items():
        root.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def tap(doc: dict) -> str:
    cases = list(test_cases(doc))
    lines = ["TAP version 13", f"1..{len(cases)}"]
    for n, (impl, kind, name, status, msg) in enumerate(cases, 1):
        desc = f"{kind} {impl}: {name}".replace("#", "\\#")
        if status == "skip":
            lines.append(f"ok {n} - {desc} # SKIP {msg}")
        elif status == "pass":
            lines.append(f"ok {n} - {desc}")
        else:
            lines.append(f"not ok {n} - {desc}")
            lines += ["  ---", f"  status: {status}", f"  message: {_yaml_str(msg)}", "  ..."]
    return "\n".join(lines) + "\n"


def _yaml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


# ---------------------------------------------------------------- SARIF

def _uri(path: str) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return p.resolve().as_uri() if p.is_absolute() or p.exists() else path


def _location(artifact: str, offset, line: bool = False) -> dict:
    phys: dict = {"artifactLocation": {"uri": _uri(artifact)}}
    if isinstance(offset, int) and offset >= 0:
        phys["region"] = {"startLine": max(1, offset)} if line else {"byteOffset": offset}
    return {"physicalLocation": phys}


def _sarif_rules(doc: dict) -> list[dict]:
    out = []
    for r in doc["rules"]:
        level = "note" if r.get("impl") else SARIF_LEVEL.get(r["level"], "note")
        out.append({"id": r["id"], "shortDescription": {"text": r["text"]},
                    "defaultConfiguration": {"level": level},
                    "properties": {"level": r["level"], "phase": r["phase"],
                                   "impl": r.get("impl", False), "source": r.get("source", "")}})
    for rid, (level, txt) in META_RULES.items():
        out.append({"id": rid, "shortDescription": {"text": txt},
                    "defaultConfiguration": {"level": level}})
    return out


def _result(rule: str, level: str, msg: str, loc: dict | None) -> dict:
    res = {"ruleId": rule, "level": level, "message": {"text": msg}}
    if loc:
        res["locations"] = [loc]
    return res


def _reader_results(impl: dict, rules: dict) -> list[dict]:
    out = []
    for f in impl["files"]:
        offsets = {**(f.get("ref_offsets") or {}),
                   **{x["rule"]: x.get("offset") for x in reversed(f.get("findings") or [])}}
        for p in f.get("problems", []):
            rule = p.split(" ", 1)[0]
            if rule in rules:
                level = SARIF_LEVEL.get(rules[rule]["level"], "note")
                out.append(_result(rule, level, f"{impl['name']}: {p}",
                                   _location(f["path"], offsets.get(rule))))
            else:
                meta = "conform.crash" if f["outcome"] in ("crash", "timeout", "error") \
                    else "conform.verdict"
                fires = f" (fires: {', '.join(f['fires'])})" if f.get("fires") else ""
                ref = f.get("ref_offsets") or {}
                off = next((ref[r] for r in f.get("fires", []) if r in ref), None)
                out.append(_result(meta, "error", f"{impl['name']}: {p}{fires}",
                                   _location(f["path"], off)))
        for d in f.get("summary_diff") or []:
            out.append(_result("conform.summary", "warning", f"{impl['name']}: {d}",
                               _location(f["path"], None)))
    return out


def _writer_results(impl: dict, rules: dict) -> list[dict]:
    out = []
    for run in impl["runs"]:
        scen = str(run.get("scenario"))
        for x in run.get("findings", []):
            rule = rules.get(x.get("rule"), {})
            expected = x.get("rule") in conform_eval.expected_fires(run)
            level = "note" if x.get("impl") or rule.get("impl") or expected else \
                SARIF_LEVEL.get(x.get("level") or rule.get("level"), "note")
            trace = x.get("source") == "trace"
            art = run.get("trace" if trace else "dump") or f"{impl['name']}/{scen}" + \
                (".trace.jsonl" if trace else ".dmp")
            out.append(_result(x.get("rule", "?"), level,
                               f"{impl['name']} {scen}: {'(expected) ' if expected else ''}"
                               f"{x.get('detail', '')}",
                               _location(art, x.get("offset"), line=trace)))
        if run.get("status") != "n.a." and not conform_eval.run_ok(run):
            meta = "conform.crash" if run.get("status") in ("crash", "timeout", "error") \
                else "conform.scenario"
            out.append(_result(meta, "error", f"{impl['name']} {scen}: status "
                               f"{run.get('status')}, expected {run.get('expect')}", None))
    return out


def sarif(doc: dict) -> dict:
    rules = {r["id"]: r for r in doc["rules"]}
    driver = {"name": "dumpcheck", "rules": _sarif_rules(doc)}
    runs = []
    for impl in doc["implementations"]:
        results = [] if not impl["available"] else (
            _reader_results(impl, rules) if impl["kind"] == "reader"
            else _writer_results(impl, rules))
        run = {"tool": {"driver": driver},
               "automationDetails": {"id": f"{impl['kind']}/{impl['name']}"},
               "results": results}
        if not impl["available"]:
            run["invocations"] = [{"executionSuccessful": False,
                                   "toolExecutionNotifications": [
                                       {"message": {"text": f"n.a.: {impl['reason']}"}}]}]
        runs.append(run)
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}
