"""A report as a list of blocks (headings, text, tables, figures), rendered to Markdown, HTML and LaTeX."""

from __future__ import annotations

import base64
import html
import math
import re
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

    def p(self, text: str, style: str = "") -> None:
        """Add a paragraph; `style` names a CSS class ('findings', 'warning')."""
        self.blocks.append(("p", text, style))


def fmt(value, digits: int = 1) -> str:
    """A cell as text: floats rounded, NaN and None as '-'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def fmt_est(est: dict | None, digits: int = 1, signed: bool = False) -> str:
    """An estimate as '+3.1 ± 2.0' (± the 95% CI half-width), '*' when significant after Holm; no CI with
    one run."""
    if not est:
        return "-"
    value = f"{est['value']:+.{digits}f}" if signed else fmt(est["value"], digits)
    if math.isnan(est["low"]):
        return f"{value} (no CI: 1 run)" if est.get("refused") else value
    mark = "*" if est.get("significant") else ""
    return f"{value} ± {(est['high'] - est['low']) / 2:.{digits}f}{mark}"


def fmt_ci(est: dict | None, digits: int = 1) -> str:
    """The 95% CI as '[low, high]' ('n/a' when refused)."""
    if not est or math.isnan(est["low"]):
        return "n/a"
    return f"[{est['low']:+.{digits}f}, {est['high']:+.{digits}f}]"


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
            out += [f"> {b[1]}" if len(b) > 2 and b[2] else b[1], ""]
    return "\n".join(out)


# A paper appendix's look: serif text, booktabs rules, numbered captions; no external files.
STYLE = """
body{font-family:Charter,'Bitstream Charter',Georgia,'Times New Roman',serif;font-size:15px;line-height:1.45;
 color:#1b1b1b;background:#fff;max-width:60em;margin:2em auto;padding:0 1.5em;counter-reset:fig tab}
h1{font-size:1.6em;font-weight:normal;border-bottom:1px solid #333;padding-bottom:.3em}
h2{font-size:1.25em;font-weight:normal;font-variant:small-caps;letter-spacing:.03em;margin-top:2.2em}
h3{font-size:1.05em;font-weight:normal;font-style:italic}
p.findings{background:#f5f5f0;border-left:3px solid #444;padding:.6em 1em}
p.warning{border-left:3px solid #b8860b;padding:.3em 1em;background:#fffaf0}
.wide{overflow-x:auto;margin:1.2em 0}
table{border-collapse:collapse;margin:0 auto;font-size:.85em;font-variant-numeric:tabular-nums;
 border-top:2px solid #222;border-bottom:2px solid #222;counter-increment:tab}
caption{caption-side:top;text-align:left;padding-bottom:.4em}
caption::before{content:"Table " counter(tab) ". ";font-weight:bold}
th{border-bottom:1px solid #222;padding:.25em .7em;font-weight:normal;font-style:italic}
td{padding:.15em .7em;text-align:left}
th{text-align:left}
td.n,th.n{text-align:right;white-space:nowrap}
td.s{white-space:nowrap}
p.note{font-size:.85em;color:#444;margin:.3em 0 1.2em}
figure{margin:1.6em 0;text-align:center;counter-increment:fig}
figure img{max-width:100%;height:auto}
figcaption{font-size:.88em;color:#333;margin-top:.4em}
figcaption::before{content:"Figure " counter(fig) ". ";font-weight:bold}
@media print{body{max-width:none;margin:0}}
"""


_NUMBER = re.compile(r"[+<-]?\d|-$")


def _cls(text: str) -> str:
    """' class=n' for numbers and estimates ('+3.1 ± 2.0*', '2/2', '-'): right-aligned on one line; names stay
    left-aligned on one line ('mnli-mt' must not break at its hyphen); only long text may wrap."""
    if _NUMBER.match(text):
        return " class='n'"
    return " class='s'" if len(text) <= 24 else ""


def to_html(doc: Doc) -> str:
    """One self-contained HTML page: figures embedded as base64 PNG, the stylesheet inline."""
    e = html.escape
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width, initial-scale=1'>",
           f"<title>{e(doc.title)}</title>", f"<style>{STYLE}</style></head><body>", f"<h1>{e(doc.title)}</h1>"]
    for b in doc.blocks:
        if isinstance(b, Table):
            first = [fmt(c) for c in b.rows[0]] if b.rows else [""] * len(b.header)
            out.append(f"<div class='wide'><table><caption>{e(b.title)}</caption><tr>"
                       + "".join(f"<th{_cls(c)}>{e(h)}</th>" for h, c in zip(b.header, first)) + "</tr>")
            out += ["<tr>" + "".join(f"<td{_cls(fmt(c))}>{e(fmt(c))}</td>" for c in row) + "</tr>" for row in b.rows]
            out.append("</table></div>" + (f"<p class='note'>{e(b.note)}</p>" if b.note else ""))
        elif isinstance(b, Figure):
            data = base64.b64encode(b.path.read_bytes()).decode("ascii")
            out.append(f"<figure><img alt='{e(b.caption)}' src='data:image/png;base64,{data}'>"
                       f"<figcaption>{e(b.caption)}</figcaption></figure>")
        elif b[0] == "h":
            out.append(f"<h{b[1]}>{e(b[2])}</h{b[1]}>")
        else:
            style = f" class='{e(b[2])}'" if len(b) > 2 and b[2] else ""
            out.append(f"<p{style}>{e(b[1])}</p>")
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
