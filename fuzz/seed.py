#!/usr/bin/env python3
"""Writes starting corpora for the fuzz targets into fuzz/seeds/ (not kept in the repository):
records from tests/golden/*.input, examples/logs/ and every catalogue example (rules/*.toml),
as compact JSON the way Fluent Bit hands records over; for wasm_abi the same records behind a
shape byte of 0 (copied with a NUL) or 5 (copied without). Usage: python3 fuzz/seed.py"""
import hashlib, json, os, pathlib, tomllib

root = pathlib.Path(__file__).resolve().parent.parent
lines = []
for p in sorted((root / "tests/golden").glob("*.input")) + sorted((root / "examples/logs").iterdir()):
    lines += [l for l in p.read_text().splitlines() if l.strip()]
for p in sorted((root / "rules").glob("*.toml")):
    doc = tomllib.loads(p.read_text())
    for rule in doc.get("rule", []):
        for ex in rule.get("examples", rule.get("example", [])):
            line = ex if isinstance(ex, str) else ex.get("line")
            if isinstance(line, str):
                lines.append(line)

def record(line):
    if line.startswith("{"):
        try:
            return json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")).encode()
        except ValueError:
            return line.encode()
    return json.dumps({"log": line}, ensure_ascii=False, separators=(",", ":")).encode()

def write(target, data):
    d = root / "fuzz/seeds" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)

recs = {record(l) for l in lines}
for r in recs:
    write("classify_bytes", r)
    write("wasm_abi", b"\x00" + r)
for r in list(recs)[:50]:
    write("wasm_abi", b"\x05" + r)
write("wasm_abi", b"\x06\x00\x10\x00\x00")
write("wasm_abi", b"\x07\x10\x00\x00\x00\x20\x00\x00\x00")
print(len(recs), "records")
