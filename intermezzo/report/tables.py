"""A report as a list of blocks (headings, text, tables, figures), rendered to Markdown, HTML and LaTeX."""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Table:
    """A titled table; `name` is its .tex file's stem."""

    name: str
    title: str
    header: list[str]
    rows: list[list]
    note: str = ""


@dataclass
class Figure:
    """A PNG with a caption."""

    path: Path
    caption: str


@dataclass
class Doc:
    """Blocks in reading order: ("h", level, text), ("p", text), Table, Figure."""

    title: str
    blocks: list = field(default_factory=list)

    def h(self, text: str, level: int = 2) -> None:
        """Add a heading."""
        self.blocks.append(("h", level, text))

    def p(self, text: str) -> None:
        """Add a paragraph."""
        self.blocks.append(("p", text))


def fmt(value, digits: int = 1) -> str:
    """A cell as text: floats rounded, NaN and None as '-'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def fmt_p(p: float) -> str:
    """A p-value: three decimals, or '<0.001'."""
    if p is None or math.isnan(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def to_markdown(doc: Doc, base: Path) -> str:
    """Markdown, figures linked relative to `base` (the report folder)."""
    out = [f"# {doc.title}", ""]
    for b in doc.blocks:
        if isinstance(b, Table):
            out += [f"**{b.title}**", "", "| " + " | ".join(b.header) + " |",
                    "|" + "|".join("---" for _ in b.header) + "|"]
            out += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in b.rows]
            out += (["", f"_{b.note}_"] if b.note else []) + [""]
        elif isinstance(b, Figure):
            out += [f"![{b.caption}]({b.path.relative_to(base).as_posix()})", "", f"_{b.caption}_", ""]
        elif b[0] == "h":
            out += ["#" * b[1] + " " + b[2], ""]
        else:
            out += [b[1], ""]
    return "\n".join(out)


def to_html(doc: Doc) -> str:
    """One self-contained HTML page: figures embedded as base64 PNG."""
    e = html.escape
    out = ["<!doctype html><html><head><meta charset='utf-8'>", f"<title>{e(doc.title)}</title>",
           "<style>body{font-family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse;"
           "margin:1em 0}td,th{border:1px solid #bbb;padding:2px 6px;text-align:right}"
           "td:first-child,th:first-child{text-align:left}img{max-width:100%}</style></head><body>",
           f"<h1>{e(doc.title)}</h1>"]
    for b in doc.blocks:
        if isinstance(b, Table):
            out.append(f"<table><caption>{e(b.title)}</caption><tr>"
                       + "".join(f"<th>{e(h)}</th>" for h in b.header) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{e(fmt(c))}</td>" for c in row) + "</tr>" for row in b.rows]
            out.append("</table>" + (f"<p><em>{e(b.note)}</em></p>" if b.note else ""))
        elif isinstance(b, Figure):
            data = base64.b64encode(b.path.read_bytes()).decode("ascii")
            out.append(f"<figure><img alt='{e(b.caption)}' src='data:image/png;base64,{data}'>"
                       f"<figcaption>{e(b.caption)}</figcaption></figure>")
        elif b[0] == "h":
            out.append(f"<h{b[1]}>{e(b[2])}</h{b[1]}>")
        else:
            out.append(f"<p>{e(b[1])}</p>")
    return "\n".join(out + ["</body></html>"]) + "\n"


_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
        "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
        ">": r"\textgreater{}"}


def _tex(text) -> str:
    return "".join(_TEX.get(ch, ch) for ch in fmt(text))


def to_latex(table: Table) -> str:
    """A booktabs table environment."""
    cols = "l" + "r" * (len(table.header) - 1)
    lines = ["\\begin{table}[t]", "\\centering", "\\small", f"\\begin{{tabular}}{{{cols}}}", "\\toprule",
             " & ".join(_tex(h) for h in table.header) + " \\\\", "\\midrule"]
    lines += [" & ".join(_tex(c) for c in row) + " \\\\" for row in table.rows]
    lines += ["\\bottomrule", "\\end{tabular}", f"\\caption{{{_tex(table.title)}"
              + (f" {_tex(table.note)}" if table.note else "") + "}", f"\\label{{tab:{table.name}}}",
              "\\end{table}"]
    return "\n".join(lines) + "\n"
