"""docs/phases.md's tables, generated from the params and summary models; the prose around them is the file's.

A block `<!-- generated: NAME -->` ... `<!-- end generated -->` holds the table of model NAME (a class of
intermezzo.phases.params or .summaries; `NAME own` shows only the fields the class adds to its parent).
`python -m intermezzo.phases.docs` rewrites docs/phases.md; `--check` exits 1 when it is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pydantic import BaseModel

from intermezzo.phases import params, summaries

DOC = Path(__file__).resolve().parents[2] / "docs" / "phases.md"
BLOCK = re.compile(r"(<!-- generated: (?P<what>[^>]+?) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.S)


def _models() -> dict[str, type[BaseModel]]:
    found = {}
    for module in (params, summaries):
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                found[name] = value
    return found


def table(what: str) -> str:
    """The markdown table a block names."""
    name, _, mode = what.partition(" ")
    model = _models()[name]
    if model.__module__ == params.__name__:
        return params.model_markdown(model)
    own = model.model_fields
    inherited = {name for base in model.__bases__ if issubclass(base, BaseModel)
                 for name, f in base.model_fields.items()
                 if (f.annotation, f.default) == (own[name].annotation, own[name].default)}
    return summaries.fields_markdown(model, skip=tuple(inherited) if mode == "own" else ())


def render(text: str) -> str:
    """`text` with every generated block refreshed."""
    return BLOCK.sub(lambda m: f"{m.group(1)}{table(m.group('what'))}\n{m.group(4)}", text)


def main(argv: list[str]) -> int:
    """Rewrite docs/phases.md (or check it with --check)."""
    check = "--check" in argv
    path = Path(next((a for a in argv if not a.startswith("--")), DOC))
    text = path.read_text(encoding="utf-8")
    fresh = render(text)
    if check:
        if fresh != text:
            print(f"{path}: out of date; run python -m intermezzo.phases.docs", file=sys.stderr)
            return 1
        return 0
    path.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
