"""matrix.html: the rules x implementations conformance matrix of `make
conform`, one self-contained page (inline CSS and JS, no external assets).

Rows are the rules of `dumpcheck rules --json` (then a few pseudo rows:
verdicts, summaries, scenario outcomes); columns the readers and writers.
A cell's class is its status (pass, fail, crash, impl, na, none); its detail
(evidence: case ids, scenarios, offsets, detail text) is a <details> element,
so a click opens it with or without JavaScript. The script only closes the
other open cells and filters rows.
"""
from __future__ import annotations

from html import escape

LABEL = {"pass": "pass", "fail": "FAIL", "crash": "CRASH", "impl": "i_",
         "na": "n.a.", "none": "\u00b7"}
LEGEND = [("pass", "pass: exercised, met every expectation"),
          ("fail", "fail: an expectation was not met"),
          ("crash", "crash: crashed, timed out or failed to run"),
          ("impl", "i_: implementation-defined behaviour noted"),
          ("na", "n.a.: the implementation could not run here"),
          ("none", "\u00b7 not exercised")]

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}
h1{font-size:1.4em;margin:.2em 0}
.meta{color:#555;margin:.2em 0 1em}
table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:2px 6px;vertical-align:top}
thead th{background:#f4f4f4}
th.rule{text-align:left;font-weight:normal;font-family:ui-monospace,monospace;white-space:nowrap}
td.level{font-size:.85em;color:#444}
td.cell{position:relative;text-align:center;min-width:4.5em;white-space:nowrap}
td.pass{background:#c8e6c9}td.fail{background:#ef9a9a}td.crash{background:#6a1b9a;color:#fff}
td.impl{background:#bbdefb}td.na{background:#e0e0e0;color:#555}td.none{background:#fcfcfc;color:#aaa}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border:1px solid #ccc}
.legend .pass{background:#c8e6c9}.legend .fail{background:#ef9a9a}
.legend .crash{background:#6a1b9a;color:#fff}.legend .impl{background:#bbdefb}
.legend .na{background:#e0e0e0}.legend .none{background:#fcfcfc}
summary{cursor:pointer;list-style:none}summary::-webkit-details-marker{display:none}
details[open] .ev{position:absolute;left:0;top:100%;z-index:5;background:#fff;color:#222;
 text-align:left;white-space:normal;width:34em;max-height:26em;overflow:auto;
 border:1px solid #888;box-shadow:0 2px 8px rgba(0,0,0,.3);padding:.5em}
.ev ul{margin:.3em 0;padding-left:1.2em}.ev code{font-size:.9em}
.ev .bad{color:#b00}.ev .ok{color:#070}
tbody.pseudo th.rule{font-style:italic}
tbody.pseudo tr:first-child>*{border-top:3px solid #888}
th small{display:block;font-weight:normal;color:#666}
#filter{margin:.5em 0;padding:2px 4px;width:20em}
"""

JS = """
document.addEventListener('toggle',function(e){
 if(!e.target.open)return;
 document.querySelectorAll('td.cell details[open]').forEach(function(d){if(d!==e.target)d.open=false;});
},true);
document.addEventListener('keydown',function(e){
 if(e.key==='Escape')document.querySelectorAll('td.cell details[open]').forEach(function(d){d.open=false;});
});
var f=document.getElementById('filter');
if(f){f.hidden=false;f.addEventListener('input',function(){
 var q=f.value.toLowerCase();
 document.querySelectorAll('tbody tr').forEach(function(tr){
  var hit=tr.dataset.rule.toLowerCase().indexOf(q)>=0||
   (q==='fail'&&tr.querySelector('td.fail,td.crash'));
  tr.style.display=hit?'':'none';});});}
"""


def _fmt_offset(off) -> str:
    return f"0x{off:x}" if isinstance(off, int) else ""


def _item_html(item: dict) -> str:
    if "scenario" in item and "source" in item:
        where = "trace line" if item.get("source") == "trace" else "dump offset"
        off = item.get("offset")
        loc = f"{where} {off if item.get('source') == 'trace' else _fmt_offset(off)}" \
            if off is not None else item.get("source") or ""
        cls, exp = ("ok", "; expected by [expect]") if item.get("expected") else ("bad", "")
        return (f"<li class={cls}>scenario <code>{escape(str(item['scenario']))}</code>"
                f" ({escape(str(item.get('level') or ''))}, {escape(loc)}{exp}): "
                f"{escape(item.get('detail') or '')}</li>")
    if "scenario" in item:
        cls = "ok" if item["ok"] else "bad"
        return (f"<li class={cls}>scenario <code>{escape(str(item['scenario']))}</code>: "
                f"{escape(str(item['status']))} (expected {escape(str(item.get('expect')))})</li>")
    cls = "ok" if item["ok"] else "bad"
    exp = item.get("expected")
    off = f" @ {_fmt_offset(item['offset'])}" if item.get("offset") is not None else ""
    probs = "; ".join(item.get("problems") or [])
    return (f"<li class={cls}>{escape(item['input'])} <code>{escape(item['id'])}</code>: "
            f"{escape(item['outcome'])}" + (f" (expected {escape(exp)})" if exp else "")
            + escape(off) + (f" \u2014 {escape(probs)}" if probs else "") + "</li>")


def _evidence(rule_id: str, text: str, impl: str, cell: dict) -> str:
    items = cell.get("items") or []
    more = cell.get("count", len(items)) - len(items)
    body = "".join(_item_html(i) for i in items)
    if more > 0:
        body += f"<li>\u2026 {more} more in report.json</li>"
    note = f"<p>{escape(cell['note'])}</p>" if cell.get("note") else ""
    return (f"<div class=ev><b>{escape(rule_id)}</b> \u2014 {escape(impl)}: "
            f"{escape(cell['status'])}<br><small>{escape(text)}</small>{note}"
            + (f"<ul>{body}</ul>" if body else "") + "</div>")


def _cell_html(rule_id: str, text: str, impl: dict) -> str:
    cell = impl["cells"].get(rule_id, {"status": "none", "items": []})
    st = cell["status"]
    n = cell.get("count", 0)
    bad = sum(1 for i in cell.get("items", []) if not i.get("ok", st != "fail"))
    label = LABEL[st] + (f" {bad}/{n}" if st == "fail" and n else f" {n}" if st == "pass" and n else "")
    attrs = f'class="cell {st}" data-impl="{escape(column_key(impl))}" data-rule="{escape(rule_id)}"'
    if st == "none":
        return f"<td {attrs} title='not exercised'>{LABEL[st]}</td>"
    return (f"<td {attrs}><details><summary>{escape(label)}</summary>"
            f"{_evidence(rule_id, text, column_key(impl), cell)}</details></td>")


def _head(impls: list[dict]) -> str:
    cols, groups = [], []
    for i in impls:
        state = i["kind"] + ("" if i["available"] else " \u00b7 n.a.")
        title = escape(i.get("reason") or i.get("description") or "")
        cols.append(f'<th class="impl {i["kind"]}" data-impl="{escape(column_key(i))}" '
                    f'title="{title}">{escape(i["name"])}<small>{escape(state)}</small></th>')
        if groups and groups[-1][0] == i["kind"]:
            groups[-1][1] += 1
        else:
            groups.append([i["kind"], 1])
    top = "".join(f"<th colspan={n}>{escape(k)}s</th>" for k, n in groups)
    return ("<thead><tr><th rowspan=2>rule</th><th rowspan=2>level</th>" + top + "</tr><tr>"
            + "".join(cols) + "</tr></thead>")


def column_key(impl: dict) -> str:
    """The column's id in the page: kind:name (a reader and a writer may share a name)."""
    return f"{impl['kind']}:{impl['name']}"


def _row(rule_id: str, level: str, text: str, impls: list[dict]) -> str:
    cells = "".join(_cell_html(rule_id, text, i) for i in impls)
    return (f'<tr data-rule="{escape(rule_id)}"><th class=rule title="{escape(text)}">'
            f"{escape(rule_id)}</th><td class=level>{escape(level)}</td>{cells}</tr>")


def _meta(doc: dict) -> str:
    inp = doc["inputs"]
    parts = [f"generated {escape(doc['generated'])}", f"{inp['corpus']['cases']} corpus cases",
             f"{inp['real_dumps']['files']} real dumps", f"{len(doc['rules'])} rules",
             f"{doc['seconds']:.1f} s"]
    notes = [escape(inp[k]["note"]) for k in ("corpus", "real_dumps") if inp[k].get("note")]
    return "<p class=meta>" + " \u00b7 ".join(parts) + "".join(
        f"<br>note: {n}" for n in notes) + "</p>"


def render(doc: dict) -> str:
    """The whole page for one dumpcheck-conform document."""
    impls = doc["implementations"]
    rows = [_row(r["id"], ("i_ " if r.get("impl") else "") + r["level"], r["text"], impls)
            for r in doc["rules"]]
    pseudo = [_row(name, "", text, impls) for name, text in doc["pseudo_rows"].items()]
    legend = "".join(f"<span class={c}>{escape(t)}</span>" for c, t in LEGEND)
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            "<title>dumpcheck conformance matrix</title>"
            f"<style>{CSS}</style></head><body>"
            "<h1>dumpcheck conformance matrix</h1>" + _meta(doc) +
            f"<p class=legend>{legend}</p>"
            "<p>Click a cell for its evidence (Esc closes).</p>"
            "<input id=filter hidden placeholder='filter rules (or type: fail)'>"
            "<table id=matrix>" + _head(impls) +
            "<tbody class=rules>" + "".join(rows) + "</tbody>"
            "<tbody class=pseudo>" + "".join(pseudo) + "</tbody></table>"
            f"<script>{JS}</script></body></html>\n")
