#!/usr/bin/env python3
"""Rewrites every quoted block of report lines in README.md and docs/ from its report.

A block is the lines between `<!-- quoted: results/DIR/report.md -->` and
`<!-- end quoted -->`; each quoted line (`> - **Question?** answer`) is replaced by the report's
line that starts with the same bold question, its trailing links to the report's own sections
left out. `crates/runner/tests/layout.rs` fails while a quote differs from its report.

Usage: scripts/update-quotes.py   (from anywhere; exit 1 when a quoted question is gone)
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
LINKS = re.compile(r" \(\[[^\]]*\]\(#[^)]*\)(, \[[^\]]*\]\(#[^)]*\))*\)$")


def pages():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        if "docs/results/data" not in str(path):
            yield path


def main() -> int:
    missing = 0
    for page in pages():
        lines = page.read_text().split("\n")
        out, source = [], None
        for line in lines:
            if line.startswith("<!-- quoted: ") and line.endswith(" -->"):
                source = (ROOT / line[len("<!-- quoted: "):-len(" -->")]).read_text().split("\n")
            elif line == "<!-- end quoted -->":
                source = None
            elif source is not None and line.startswith("> - **"):
                question = line[2:].split("**", 2)[1]
                found = [l for l in source if l.startswith(f"- **{question}**")]
                if not found:
                    print(f"{page}: the report has no line for {question!r}", file=sys.stderr)
                    missing += 1
                else:
                    line = "> " + LINKS.sub("", found[0])
            out.append(line)
        if out != lines:
            page.write_text("\n".join(out))
            print(f"updated {page.relative_to(ROOT)}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
