"""The normalised dump summary that every reader adapter's output is turned
into, the reference's normaliser (`dumpcheck dump --json`), and the diff of
two summaries (JSONTestSuite's "transform" idea: parse with both, compare).

Summary (README "Reader adapters"):
  streams    [stream type, ...] in directory order (Unused entries included)
  modules    [{base, size, name}]             first ModuleListStream
  threads    [{id, stack_start, stack_size}]  first ThreadListStream
  memory     [{start, size}]                  first MemoryListStream
  memory64   [{start, size}]                  first Memory64ListStream
  exception  {thread_id, code, address} | null
A list is [] when the stream is absent; a member is null when the reader
does not decode it (it is then left out of the comparison).
"""
from __future__ import annotations

import json

FIELDS = ("streams", "modules", "threads", "memory", "memory64", "exception")
MAX_DIFFS = 20


def _first(streams: list, stream_type: int) -> dict | None:
    return next((s for s in streams if s.get("type") == stream_type), None)


def _entries(s: dict | None) -> list | None:
    if s is None:
        return []
    return s.get("entries") if isinstance(s.get("entries"), list) else None


def _map(s: dict | None, fn) -> list | None:
    entries = _entries(s)
    return None if entries is None else [fn(e) for e in entries]


def _module(e: dict) -> dict:
    return {"base": e.get("BaseOfImage", 0), "size": e.get("SizeOfImage", 0),
            "name": e.get("ModuleNameRva.text") or ""}


def _thread(e: dict) -> dict:
    stack = e.get("Stack") or {}
    return {"id": e.get("ThreadId", 0), "stack_start": stack.get("StartOfMemoryRange", 0),
            "stack_size": (stack.get("Memory") or {}).get("DataSize", 0)}


def _range(e: dict) -> dict:
    return {"start": e.get("StartOfMemoryRange", 0),
            "size": (e.get("Memory") or {}).get("DataSize", 0)}


def _range64(e: dict) -> dict:
    return {"start": e.get("StartOfMemoryRange", 0), "size": e.get("DataSize", 0)}


def _exception(s: dict | None) -> dict | None:
    if s is None or not isinstance(s.get("struct"), dict):
        return None
    st = s["struct"]
    rec = st.get("ExceptionRecord") or {}
    return {"thread_id": st.get("ThreadId", 0), "code": rec.get("ExceptionCode", 0),
            "address": rec.get("ExceptionAddress", 0)}


def from_dumpcheck_json(text: str) -> dict:
    """`dumpcheck dump --json` stdout (schema dumpcheck-dump) -> normalised summary."""
    doc = json.loads(text)
    streams = doc.get("streams") or []
    return {
        "streams": [s.get("type") for s in streams],
        "modules": _map(_first(streams, 4), _module),
        "threads": _map(_first(streams, 3), _thread),
        "memory": _map(_first(streams, 5), _range),
        "memory64": _map(_first(streams, 9), _range64),
        "exception": _exception(_first(streams, 6)),
    }


normalise = from_dumpcheck_json


def _diff_value(path: str, a, b, out: list) -> None:
    if len(out) >= MAX_DIFFS:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            _diff_value(f"{path}.{k}", a.get(k), b.get(k), out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} entries vs {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            _diff_value(f"{path}[{i}]", x, y, out)
    elif a != b:
        out.append(f"{path}: {json.dumps(a)} vs {json.dumps(b)}")


def diff(reference: dict, other: dict) -> list[str]:
    """Differences 'path: reference vs other', fields null on either side skipped."""
    out: list[str] = []
    for field in FIELDS:
        a, b = reference.get(field), other.get(field)
        if field != "exception" and (a is None or b is None):
            continue
        _diff_value(field, a, b, out)
    return out[:MAX_DIFFS]
