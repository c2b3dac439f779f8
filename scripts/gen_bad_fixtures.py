#!/usr/bin/env python3
"""Regenerate tests/fixtures/bad/* from tests/fixtures/good/mini.

Each bad pack is the mini pack with one defect, plus an expect.json saying which
diagnostic `trialdeck check --format json` must report. Positions (line/column) of
syntax-level problems are written here by hand and checked by tests/check_fixtures.rs.
Run from the repository root: python3 scripts/gen_bad_fixtures.py
"""
import json, os, shutil

ROOT = os.path.join("tests", "fixtures")
MINI = os.path.join(ROOT, "good", "mini")
BAD = os.path.join(ROOT, "bad")


def make(kind, expect, edits=(), add=None, remove=(), raw=None, line_edits=()):
    d = os.path.join(BAD, kind)
    if os.path.exists(d):
        shutil.rmtree(d)
    shutil.copytree(MINI, d)
    for fname, old, new in edits:
        p = os.path.join(d, fname)
        text = open(p, encoding="utf-8").read()
        assert text.count(old) == 1, (kind, fname, old, text.count(old))
        open(p, "w", encoding="utf-8").write(text.replace(old, new))
    for fname, prefix, new in line_edits:
        p = os.path.join(d, fname)
        lines = open(p, encoding="utf-8").read().split("\n")
        hits = [i for i, l in enumerate(lines) if l.startswith(prefix)]
        assert len(hits) == 1, (kind, prefix)
        lines[hits[0]] = new
        open(p, "w", encoding="utf-8").write("\n".join(lines))
    for fname in remove:
        os.remove(os.path.join(d, fname))
    for fname, content in (add or {}).items():
        p = os.path.join(d, fname)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        open(p, "w", encoding="utf-8").write(content)
    for fname, fn in (raw or {}).items():
        p = os.path.join(d, fname)
        data = open(p, "rb").read()
        open(p, "wb").write(fn(data))
    expect.setdefault("exit", 1)
    with open(os.path.join(d, "expect.json"), "w") as f:
        json.dump(expect, f, indent=2, ensure_ascii=False)
        f.write("\n")


A = "alpha.ron"
M = "mechanism.ron"
P = "pack.ron"

# ---- syntax level: file, line, column --------------------------------------------------
make("syntax-missing-comma",
     {"code": "syntax", "file": A, "line": 7, "column": 5},
     [(A, '    name: "ALPHA",\n', '    name: "ALPHA"\n')])
make("syntax-unterminated-string",
     {"code": "syntax", "file": A, "line": 141, "column": 25},
     [(A, 'tags: ["fictional", "phase-3"],', 'tags: ["fictional", "phase-3],')])
make("syntax-unclosed-paren",
     {"code": "syntax", "file": A, "line": 142, "column": 1},
     [(A, '    tags: ["fictional", "phase-3"],\n)\n', '    tags: ["fictional", "phase-3"],\n')])
make("wrong-type-string-for-year",
     {"code": "wrong-type", "file": A, "line": 8, "column": 11},
     [(A, '    year: 2019,', '    year: "2019",')])
make("unknown-field",
     {"code": "unknown-field", "file": A, "line": 6, "column": 5},
     [(A, '    name: "ALPHA",', '    nmae: "ALPHA",')])
make("unknown-field-manifest",
     {"code": "unknown-field", "file": P, "line": 10, "column": 5},
     [(P, '    license: "CC0-1.0",', '    licence: "CC0-1.0",')])
make("wrong-type-string-for-number",
     {"code": "wrong-type", "file": A, "line": 16, "column": 22},
     [(A, 'sample_size: 400,', 'sample_size: "400",')])
make("unknown-variant-role",
     {"code": "unknown-variant", "file": A, "line": 115, "column": 19},
     [(A, 'role: Resident,', 'role: Registrar,')])
make("missing-field",
     {"code": "missing-field", "file": M, "line": 13, "column": 1},
     [(M, '    bottom_line: "Drug A blocks an invented receptor; this topic exists only for the tests.",\n', '')])
make("missing-manifest",
     {"code": "missing-manifest", "file": "missing-manifest"},
     remove=[P])
make("dir-named-ron",
     {"code": "not-a-file", "file": "extra.ron"},
     add={"extra.ron/README": "A directory whose name ends in .ron.\n"})
make("invalid-utf8",
     {"code": "invalid-utf8", "file": A, "line": 6, "column": 14},
     raw={A: lambda b: b.replace(b'name: "ALPHA"', b'name: "AL\xff\xfeHA"', 1)})
make("nul-byte",
     {"code": "nul-byte", "file": A, "line": 6, "column": 14},
     raw={A: lambda b: b.replace(b'name: "ALPHA"', b'name: "AL\x00HA"', 1)})
make("byte-order-mark",
     {"exit": 0, "severity": "warning", "code": "byte-order-mark", "file": A},
     raw={A: lambda b: b"\xef\xbb\xbf" + b})
make("non-finite-inf",
     {"code": "non-finite", "file": A, "path": "alpha › findings › pfs › values[1] › value"},
     [(A, 'ArmValue(arm: "b", value: 6.0, unit: Months)', 'ArmValue(arm: "b", value: inf, unit: Months)')])
make("non-finite-nan",
     {"code": "non-finite", "file": A, "path": "alpha › findings › pfs › effect › estimate"},
     [(A, 'estimate: 0.70,', 'estimate: NaN,')])

# ---- semantic: file and id path -----------------------------------------------------------
make("duplicate-entry-id",
     {"code": "duplicate-id", "file": "zeta.ron", "path": "alpha"},
     add={"zeta.ron": '#![enable(implicit_some)]\nEntry(\n    id: "alpha",\n    kind: Topic,\n'
                      '    name: "Another alpha",\n    title: "A second entry that reuses the id alpha",\n'
                      '    bottom_line: "Ids must be unique across every loaded pack.",\n)\n'})
make("duplicate-question-id",
     {"code": "duplicate-id", "file": A, "path": "alpha › questions › alpha-student"},
     [(A, 'id: "alpha-resident",', 'id: "alpha-student",')])
make("duplicate-finding-id",
     {"code": "duplicate-id", "file": A, "path": "alpha › findings › pfs"},
     [(A, 'id: "orr",', 'id: "pfs",')])
make("duplicate-arm-id",
     {"code": "duplicate-id", "file": A, "path": "alpha › design › arms › a"},
     [(A, 'Arm(id: "b",', 'Arm(id: "a",')])
make("duplicate-source-id",
     {"code": "duplicate-id", "file": P, "path": "sources › paper-a"},
     [(P, 'Source(id: "paper-b",', 'Source(id: "paper-a",')])
make("unknown-related-entry",
     {"code": "unknown-ref", "file": M, "path": "ab-mechanism › related[0] › to"},
     [(M, 'Related(to: "alpha",', 'Related(to: "gamma",')])
make("unknown-landmark",
     {"code": "unknown-ref", "file": P, "path": "landmark"},
     [(P, 'landmark: "alpha",', 'landmark: "gamma",')])
make("arm-omitted",
     {"code": "missing-field", "file": A, "line": 40, "column": 50},
     [(A, 'ArmValue(arm: "b", value: 6.0', 'ArmValue(value: 6.0')])
make("related-to-self",
     {"code": "unknown-ref", "file": M, "path": "ab-mechanism › related[0] › to"},
     [(M, 'Related(to: "alpha",', 'Related(to: "ab-mechanism",')])
make("unknown-finding-in-question",
     {"code": "unknown-ref", "file": A, "path": "alpha › questions › alpha-resident › findings[0]"},
     [(A, '            tags: ["communication"],\n            findings: ["pfs"],',
          '            tags: ["communication"],\n            findings: ["os"],')])
make("unknown-finding-in-discrepancy",
     {"code": "unknown-ref", "file": A, "path": "alpha › discrepancies › pfs-value › findings[0]"},
     [(A, '            findings: ["pfs"],\n        ),\n    ],\n    questions',
          '            findings: ["dfs"],\n        ),\n    ],\n    questions')])
make("unknown-source-in-cite",
     {"code": "unknown-ref", "file": A, "path": "alpha › design › cite[0] › source"},
     [(A, 'Cite(source: "paper-a", at: "Methods")', 'Cite(source: "paper-z", at: "Methods")')])
make("unknown-arm",
     {"code": "unknown-ref", "file": A, "path": "alpha › findings › pfs › values[1] › arm"},
     [(A, 'ArmValue(arm: "b", value: 6.0,', 'ArmValue(arm: "c", value: 6.0,')])
make("ci-lower-above-upper",
     {"code": "bad-ci", "file": A, "path": "alpha › findings › pfs › effect › ci"},
     [(A, 'ci: (0.55, 0.85),', 'ci: (0.85, 0.55),')])
make("estimate-outside-ci",
     {"code": "bad-ci", "file": A, "path": "alpha › findings › pfs › effect › ci"},
     [(A, 'estimate: 0.70,', 'estimate: 0.95,')])
make("arm-value-outside-ci",
     {"code": "bad-ci", "file": A, "path": "alpha › findings › pfs › values[0] › ci"},
     [(A, 'ci: (8.0, 10.0)', 'ci: (9.5, 10.0)')])
make("ratio-not-positive",
     {"code": "out-of-range", "file": A, "path": "alpha › findings › pfs › effect › estimate"},
     [(A, 'estimate: 0.70,\n                ci: (0.55, 0.85),', 'estimate: -0.70,\n                ci: (-0.85, -0.55),')])
make("percent-over-100",
     {"code": "out-of-range", "file": A, "path": "alpha › findings › orr › values[0] › value"},
     [(A, 'ArmValue(arm: "a", value: 40, unit: Percent)', 'ArmValue(arm: "a", value: 140, unit: Percent)')])
make("p-value-over-1",
     {"code": "out-of-range", "file": A, "path": "alpha › findings › orr › effect › p"},
     [(A, 'p: Eq(0.03),', 'p: Eq(3),')])
make("empty-required-text",
     {"code": "empty-text", "file": A, "path": "alpha › bottom_line"},
     [(A, '    bottom_line: "In this invented trial drug A lengthened progression-free survival compared with drug B, with fewer severe adverse events.",',
          '    bottom_line: "   ",')])
make("too-few-key-points",
     {"code": "key-points", "file": A, "path": "alpha › questions › alpha-resident › key_points"},
     [(A, '                "CI 0.55 to 0.85 excludes no effect",\n', '')])
make("too-many-key-points",
     {"code": "key-points", "file": A, "path": "alpha › questions › alpha-phd › key_points"},
     [(A, '                "Benefit direction robust, size uncertain",\n',
          '                "Benefit direction robust, size uncertain",\n'
          '                "Point five",\n                "Point six",\n                "Point seven",\n')])
make("implausible-year",
     {"code": "implausible-year", "file": A, "path": "alpha › year"},
     [(A, '    year: 2019,', '    year: 1850,')])
make("id-not-kebab",
     {"code": "bad-id", "file": A, "path": "alpha › questions › alpha_student › id"},
     [(A, 'id: "alpha-student",', 'id: "alpha_student",')])
make("discrepancy-one-version",
     {"code": "too-few-versions", "file": A, "path": "alpha › discrepancies › pfs-value › versions"},
     [(A, '                Version(says: "8.8 months", cite: Cite(source: "paper-b", at: "Table 1")),\n', '')])

# ---- warnings only: exit 0 -------------------------------------------------------------------
make("control-chars",
     {"exit": 0, "severity": "warning", "code": "control-chars", "file": A, "path": "alpha › bottom_line"},
     [(A, 'bottom_line: "In this invented trial', 'bottom_line: "In this \\u{1b}[31minvented\\u{1b}[0m\\u{1b}]0;pwned\\u{7} trial')])
make("duplicate-role",
     {"exit": 0, "severity": "warning", "code": "duplicate-role", "file": A, "path": "alpha › questions › alpha-resident-2"},
     [(A, '            id: "alpha-phd",\n            role: PhD,', '            id: "alpha-resident-2",\n            role: Resident,')])
make("few-roles",
     {"exit": 0, "severity": "warning", "code": "few-roles", "file": A, "path": "alpha › questions"},
     [(A, '            id: "alpha-phd",\n            role: PhD,', '            id: "alpha-resident-2",\n            role: Resident,'),
      (A, '            id: "alpha-student",\n            role: MedicalStudent,', '            id: "alpha-resident-3",\n            role: Resident,')])
make("finding-without-cite",
     {"exit": 0, "severity": "warning", "code": "missing-cite", "file": A, "path": "alpha › findings › orr › cite"},
     [(A, '            cite: [Cite(source: "paper-a", at: "Results, item 2")],', '            cite: [],')])
make("trial-without-design",
     {"exit": 0, "severity": "warning", "code": "missing-design", "file": "gamma.ron", "path": "gamma › design"},
     add={"gamma.ron": '#![enable(implicit_some)]\nEntry(\n    id: "gamma",\n    kind: Trial,\n'
                       '    name: "GAMMA",\n    title: "An invented trial with no design card",\n'
                       '    bottom_line: "A trial should have a design card.",\n)\n'})
make("key-response-too-short",
     {"exit": 0, "severity": "warning", "code": "key-response-length", "file": A, "path": "alpha › questions › alpha-phd › key_response"},
     line_edits=[(A, '            key_response: "The main threat', '            key_response: "Open-label, so progression may be judged with bias.",')])
