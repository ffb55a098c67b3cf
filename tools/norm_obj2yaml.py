"""Normalise LLVM `obj2yaml` minidump output (the `!minidump` YAML document)
into the summary form of tools/normalize.py.

The YAML is parsed by a small parser of the subset obj2yaml prints: block
mappings and sequences by indentation, plain / single-quoted / double-quoted
scalars, literal block scalars (`|`, `|-`, `|+`) and empty flow collections
(`{}`, and `[ A, B ]` flow sequences of plain scalars, as for flag sets). Anything else raises ValueError. Standard library only.
"""
from __future__ import annotations

import re

# LLVM BinaryFormat/MinidumpConstants.def, the stream-type names obj2yaml prints.
STREAM_TYPES = {
    "ThreadList": 0x3, "ModuleList": 0x4, "MemoryList": 0x5, "Exception": 0x6,
    "SystemInfo": 0x7, "ThreadExList": 0x8, "Memory64List": 0x9, "CommentA": 0xA,
    "CommentW": 0xB, "HandleData": 0xC, "FunctionTable": 0xD, "UnloadedModuleList": 0xE,
    "MiscInfo": 0xF, "MemoryInfoList": 0x10, "ThreadInfoList": 0x11,
    "HandleOperationList": 0x12, "Token": 0x13, "JavascriptData": 0x14,
    "SystemMemoryInfo": 0x15, "ProcessVMCounters": 0x16,
    "BreakpadInfo": 0x47670001, "AssertionInfo": 0x47670002, "LinuxCPUInfo": 0x47670003,
    "LinuxProcStatus": 0x47670004, "LinuxLSBRelease": 0x47670005, "LinuxCMDLine": 0x47670006,
    "LinuxEnviron": 0x47670007, "LinuxAuxv": 0x47670008, "LinuxMaps": 0x47670009,
    "LinuxDSODebug": 0x4767000A, "LinuxProcStat": 0x4767000B, "LinuxProcUptime": 0x4767000C,
    "LinuxProcFD": 0x4767000D,
    "FacebookLogcat": 0xFACE1CA7, "FacebookAppCustomData": 0xFACECAFA,
    "FacebookBuildID": 0xFACECAFB, "FacebookAppVersionName": 0xFACECAFC,
    "FacebookJavaStack": 0xFACECAFD, "FacebookDalvikInfo": 0xFACECAFE,
    "FacebookUnwindSymbols": 0xFACECAFF, "FacebookDumpErrorLog": 0xFACECB00,
    "FacebookAppStateLog": 0xFACECCCC, "FacebookAbortReason": 0xFACEDEAD,
    "FacebookThreadName": 0xFACEE000, "LLDBGenerated": 0x4C4C4442,
}

_KEY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9 _.\-]*):(?:\s+(.*))?$")
_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f",
            "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\"}


class _Lines:
    """The document's lines as (indent, text), with a read position."""

    def __init__(self, text: str) -> None:
        self.raw = text.split("\n")
        self.pos = 0

    def peek(self) -> tuple[int, str] | None:
        while self.pos < len(self.raw):
            line = self.raw[self.pos]
            if line.strip() and not line.lstrip().startswith("#"):
                return len(line) - len(line.lstrip(" ")), line.strip()
            self.pos += 1
        return None


def _double_quoted(s: str) -> str:
    out, i = [], 1
    while i < len(s) - 1:
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = s[i + 1]
        if e == "x":
            out.append(chr(int(s[i + 2:i + 4], 16)))
            i += 4
        elif e == "u":
            out.append(chr(int(s[i + 2:i + 6], 16)))
            i += 6
        elif e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 2
        else:
            raise ValueError(f"unsupported escape \\{e}")
    return "".join(out)


def scalar(s: str):
    """A flow scalar as a Python value (strings stay strings; {} and [] are empty)."""
    if s.startswith("'") and s.endswith("'") and len(s) >= 2:
        return s[1:-1].replace("''", "'")
    if s.startswith('"') and s.endswith('"') and len(s) >= 2:
        return _double_quoted(s)
    if s == "{}":
        return {}
    if s.startswith("[") and s.endswith("]"):
        inner = s[1:-1].strip()
        return [scalar(x.strip()) for x in inner.split(",")] if inner else []
    if s[:1] in "{[&*!|>%@`":
        raise ValueError(f"unsupported YAML scalar {s[:20]!r}")
    return s


def _block_scalar(lines: _Lines, parent_indent: int, style: str) -> str:
    body = []
    while lines.pos < len(lines.raw):
        line = lines.raw[lines.pos]
        if line.strip() and len(line) - len(line.lstrip(" ")) <= parent_indent:
            break
        body.append(line)
        lines.pos += 1
    indents = [len(x) - len(x.lstrip(" ")) for x in body if x.strip()]
    cut = min(indents) if indents else 0
    text = "\n".join(x[cut:] for x in body)
    return text.rstrip("\n") if style == "|-" else text.rstrip("\n") + "\n"


def _value(lines: _Lines, indent: int, rest: str | None):
    """The value after `key:` at `indent`: inline scalar, block scalar or nested node."""
    if rest is not None and rest.startswith("|"):
        return _block_scalar(lines, indent, rest)
    if rest is not None:
        return scalar(rest)
    nxt = lines.peek()
    if nxt is None or nxt[0] < indent or (nxt[0] == indent and not nxt[1].startswith("- ")):
        return None
    return _node(lines, nxt[0])


def _mapping(lines: _Lines, indent: int, first: str | None = None) -> dict:
    out: dict = {}
    while True:
        if first is None:
            nxt = lines.peek()
            if nxt is None or nxt[0] != indent or nxt[1].startswith("- "):
                return out
            first = nxt[1]
            lines.pos += 1
        m = _KEY.match(first)
        if not m:
            raise ValueError(f"line {lines.pos}: not a mapping entry: {first[:40]!r}")
        key, rest = m.group(1), m.group(2)
        out.setdefault(key, _value(lines, indent, rest))
        first = None


def _sequence(lines: _Lines, indent: int) -> list:
    out = []
    while True:
        nxt = lines.peek()
        if nxt is None or nxt[0] != indent or not nxt[1].startswith("- "):
            return out
        lines.pos += 1
        item = nxt[1][2:].strip()
        if _KEY.match(item):
            out.append(_mapping(lines, indent + 2, first=item))
        else:
            out.append(scalar(item))


def _node(lines: _Lines, indent: int):
    nxt = lines.peek()
    if nxt[1].startswith("- "):
        return _sequence(lines, indent)
    return _mapping(lines, indent)


def parse(text: str) -> dict:
    """Parse one obj2yaml document (`--- !minidump` ... `...`) into dicts and lists."""
    kept = [ln for ln in text.split("\n") if not ln.startswith("---") and ln.rstrip() != "..."]
    lines = _Lines("\n".join(kept))
    if lines.peek() is None:
        return {}
    doc = _node(lines, 0)
    if lines.peek() is not None:
        raise ValueError(f"line {lines.pos + 1}: unexpected indentation")
    return doc


def _int(v, default: int = 0) -> int:
    if v is None or v == "":
        return default
    return int(v, 0) if isinstance(v, str) else int(v)


def _hex_len(v) -> int:
    return len(v) // 2 if isinstance(v, str) else 0


def _stream_type(name) -> int:
    if isinstance(name, str) and name in STREAM_TYPES:
        return STREAM_TYPES[name]
    return _int(name)


def _first(streams: list, type_name: str) -> dict | None:
    return next((s for s in streams if s.get("Type") == type_name), None)


def _modules(s: dict | None) -> list | None:
    if s is None or "Modules" not in s:
        return [] if s is None else None
    return [{"base": _int(m.get("Base of Image")), "size": _int(m.get("Size of Image")),
             "name": m.get("Module Name") or ""} for m in s["Modules"] or []]


def _threads(s: dict | None) -> list | None:
    if s is None or "Threads" not in s:
        return [] if s is None else None
    out = []
    for t in s["Threads"] or []:
        stack = t.get("Stack") or {}
        out.append({"id": _int(t.get("Thread Id")),
                    "stack_start": _int(stack.get("Start of Memory Range")),
                    "stack_size": _hex_len(stack.get("Content"))})
    return out


def _memory(s: dict | None) -> list | None:
    if s is None or "Memory Ranges" not in s:
        return [] if s is None else None
    return [{"start": _int(r.get("Start of Memory Range")), "size": _hex_len(r.get("Content"))}
            for r in s["Memory Ranges"] or []]


def _exception(s: dict | None) -> dict | None:
    if s is None or "Exception Record" not in s:
        return None
    rec = s["Exception Record"] or {}
    return {"thread_id": _int(s.get("Thread ID")), "code": _int(rec.get("Exception Code")),
            "address": _int(rec.get("Exception Address"))}


def normalise(text: str) -> dict:
    """obj2yaml stdout -> the normalised summary (None where obj2yaml shows raw bytes)."""
    doc = parse(text)
    streams = doc.get("Streams") or []
    mem64 = _first(streams, "Memory64List")
    return {
        "streams": [_stream_type(s.get("Type")) for s in streams],
        "modules": _modules(_first(streams, "ModuleList")),
        "threads": _threads(_first(streams, "ThreadList")),
        "memory": _memory(_first(streams, "MemoryList")),
        # LLVM 14 prints Memory64List as raw Content: not decoded by this reader.
        "memory64": [] if mem64 is None else None,
        "exception": _exception(_first(streams, "Exception")),
    }
