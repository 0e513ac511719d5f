"""Example schemas per task type: which fields hold text, which hold labels, and how labels follow an edit.

The canonical example shapes are the ones intermezzo/types/base.py documents. Noise, translation and loading
ask the schema instead of switching on type names:

    schema = schema_of(spec)                      # or SCHEMAS[spec.type]
    schema.text_fields(spec)                      # ("premise", "hypothesis"), ("context", "choices"), ...
    pieces = schema.pieces(example, fields)       # the texts an edit may change, in a fixed order
    new = schema.realign(example, pieces, edited) # a new example, labels moved to the edited text

Realignment kinds: "free" (text fields are free text: classification, multiple choice), "tokens" (one token
per tag: an edit that empties a token or splits it keeps the original), "spans" (answer spans inside the
context: the context is cut at every span boundary, each piece edited alone, offsets recomputed; an answer
that an edit would erase keeps its original text) and, for retrieval, "queries": only queries are edited
(candidates are the index being searched) and a query's marked mention is a span of its text.
Span realignment assumes local edits (noise); a translator rewrites whole contexts and marks answers instead.
Torch-free, like everything under intermezzo/tasks.
"""

from __future__ import annotations

from dataclasses import dataclass

from intermezzo.errors import UserError, unknown

# Keys that never hold an example's own text (ids, labels, retrieval bookkeeping).
META = frozenset({"id", "label", "kind", "title", "lang", "gold", "positive", "positive_id", "tags", "answers",
                  "mention"})


@dataclass(frozen=True)
class Piece:
    """One editable text of an example: its field, its position in a list field or a cut-up text, the text."""

    field: str
    index: int | None
    text: str


@dataclass(frozen=True)
class ExampleSchema:
    """What a task type's canonical examples hold, and how an edit of their text keeps the labels right."""

    type: str
    text: tuple[str, ...]    # text fields; () = the spec's `fields` (classification names its own)
    labels: tuple[str, ...]  # keys holding gold labels (absent from unlabelled test data)
    required: tuple[str, ...]  # keys every canonical example has besides "id"; () = the text fields
    align: str               # "free" | "tokens" | "spans" | "queries" (see the module docstring)

    def text_fields(self, spec=None, example: dict | None = None) -> tuple[str, ...]:
        """The fields holding text: the spec's `fields` when it names them, else the type's; a classification
        example without a spec names them by holding strings outside META."""
        if spec is not None and spec.fields:
            return tuple(spec.fields)
        if self.text or example is None:
            return self.text
        return tuple(k for k, v in example.items() if isinstance(v, str) and k not in META)

    def required_fields(self, spec=None) -> tuple[str, ...]:
        """Keys a canonical example of `spec` must hold (loading refuses rows without them)."""
        return self.required or self.text_fields(spec)

    def check_fields(self, fields, spec=None) -> tuple[str, ...]:
        """`fields` when each is a text field of the task, else a one-line UserError listing the valid ones."""
        valid = self.text_fields(spec)
        fields = tuple(fields)
        if not fields:
            raise UserError(f"no fields given; choose from {', '.join(valid)}")
        for f in fields:
            if valid and f not in valid:
                where = f"task {spec.name}" if spec is not None else f"{self.type} examples"
                raise UserError(f"unknown field '{f}' for {where}; its text fields are {', '.join(valid)}")
        return fields

    def edit_fields(self, example: dict, fields) -> tuple[str, ...]:
        """Which of `fields` an edit changes in this example (retrieval: queries only)."""
        if self.align == "queries" and example.get("kind", "query") != "query":
            return ()
        return tuple(fields)

    def pieces(self, example: dict, fields) -> list[Piece]:
        """The texts of `fields` an edit may change, in order (a context cut at its span boundaries)."""
        out = []
        spans = _SPANS.get(self.align)
        for field in self.edit_fields(example, fields):
            value = example.get(field)
            if spans and field == spans.field and isinstance(value, str):
                cuts = _cuts(value, _span_bounds(example, value, spans.get(example)))
                out += [Piece(field, k, value[a:b]) for k, (a, b) in enumerate(zip(cuts, cuts[1:]))]
            elif isinstance(value, str):
                out.append(Piece(field, None, value))
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                out += [Piece(field, j, v) for j, v in enumerate(value)]
            elif value is not None:
                raise UserError(f"example {example.get('id')}: field '{field}' is not text; choose text fields")
        return out

    def realign(self, example: dict, pieces: list[Piece], edited: list[str]) -> dict:
        """A new example with `edited` (one text per piece) in place and its labels following them."""
        new = dict(example)
        spans = _SPANS.get(self.align)
        whole: dict[str, list[tuple[Piece, str]]] = {}
        for piece, text in zip(pieces, edited, strict=True):
            if spans and piece.field == spans.field:
                whole.setdefault(piece.field, []).append((piece, text))
            elif piece.index is None:
                new[piece.field] = text
            else:
                if new[piece.field] is example[piece.field]:
                    new[piece.field] = list(example[piece.field])
                # One token in, one token out: an edit that empties or splits a token keeps the original.
                ok = self.align != "tokens" or (text and text.split() == [text])
                new[piece.field][piece.index] = text if ok else piece.text
        for field, parts in whole.items():
            _realign_spans(new, example, field, [p.text for p, _ in parts], [t for _, t in parts], spans)
        return new


@dataclass(frozen=True)
class _Spans:
    """Where a type keeps labelled spans of one text field: read them as (start, text), write them back."""

    field: str
    get: callable  # example -> [(start, text)]
    put: callable  # (example, [(start, text)]) -> None


def _locate(example: dict, context: str, text: str, start: int) -> int:
    """The offset of `text` in `context`: at `start` when it is there, else its occurrence nearest to it."""
    if context[start:start + len(text)] == text:
        return start
    found, i = [], context.find(text) if text else -1
    while i >= 0:
        found.append(i)
        i = context.find(text, i + 1)
    if not found:
        raise UserError(f"example {example.get('id')}: answer '{text}' is not in its context; fix the data set")
    return min(found, key=lambda i: abs(i - start))


def _span_bounds(example: dict, context: str, spans) -> list[tuple[int, int]]:
    out = []
    for start, text in spans:
        # An empty answer (XTREME's blanked test answers) is a point: it stays where it is.
        a = min(max(int(start), 0), len(context)) if not text else _locate(example, context, text, int(start))
        out.append((a, a + len(text)))
    return out


def _cuts(context: str, bounds) -> list[int]:
    return sorted({0, len(context), *(b for span in bounds for b in span)})


def _realign_spans(new: dict, example: dict, field: str, pieces: list[str], edited: list[str], spans) -> None:
    context = example[field]
    bounds = _span_bounds(example, context, spans.get(example))
    cuts = _cuts(context, bounds)
    edited = list(edited)
    for a, b in bounds:
        i, j = cuts.index(a), cuts.index(b)
        if a < b and not "".join(edited[i:j]).strip():  # a span must not vanish: keep its original text
            edited[i:j] = pieces[i:j]
    moved, total = {cuts[0]: 0}, 0
    for cut, piece in zip(cuts[1:], edited):
        total += len(piece)
        moved[cut] = total
    new[field] = "".join(edited)
    spans.put(new, [(moved[a], new[field][moved[a]:moved[b]]) for a, b in bounds])


def _answers_get(ex: dict) -> list[tuple[int, str]]:
    answers = ex.get("answers") or {"text": [], "answer_start": []}
    return list(zip(answers["answer_start"], answers["text"], strict=True))


def _answers_put(ex: dict, spans) -> None:
    ex["answers"] = {**(ex.get("answers") or {}), "text": [t for _, t in spans], "answer_start": [s for s, _ in spans]}


def _mention_get(ex: dict) -> list[tuple[int, str]]:
    mention = ex.get("mention")
    if not mention or mention not in ex.get("text", ""):
        return []  # no marked mention (Tatoeba, BUCC): the whole query is free text
    return [(ex.get("mention_start", ex["text"].find(mention)), mention)]


def _mention_put(ex: dict, spans) -> None:
    if spans:
        ex["mention"] = spans[0][1]
        if "mention_start" in ex:
            ex["mention_start"] = spans[0][0]


_SPANS = {"spans": _Spans("context", _answers_get, _answers_put),
          "queries": _Spans("text", _mention_get, _mention_put)}

SCHEMAS: dict[str, ExampleSchema] = {
    "classification": ExampleSchema("classification", text=(), labels=("label",), required=(), align="free"),
    "multiple_choice": ExampleSchema("multiple_choice", text=("context", "question", "choices"),
                                     labels=("label",), required=("choices",), align="free"),
    "tagging": ExampleSchema("tagging", text=("tokens",), labels=("tags",), required=("tokens",), align="tokens"),
    "extractive_qa": ExampleSchema("extractive_qa", text=("context", "question"), labels=("answers",),
                                   required=("context", "question"), align="spans"),
    # Training pairs hold the positive candidate's text too: translation reads it, noise leaves it alone.
    "retrieval": ExampleSchema("retrieval", text=("text", "positive"), labels=("gold",), required=("text",),
                               align="queries"),
}


def schema_of(task) -> ExampleSchema:
    """The schema of a TaskSpec (its type's) or of a type name; a UserError suggests close type names."""
    name = getattr(task, "type", task)
    if name not in SCHEMAS:
        raise unknown("task type", name, SCHEMAS)
    return SCHEMAS[name]
