"""Tagging layouts: XTREME's `token<TAB>tag` files (PAN-X, UD-POS, CCG), and UD's CoNLL-U they are made from.

Checked against google-research/xtreme `utils_preprocess.py` (panx_preprocess: the raw WikiANN `lang:token`
prefix cut, test files keep tokens only; udpos_preprocess: 10-column lines, sentences of `_` forms dropped,
spaces and ZWNJ removed inside words, test files keep tokens only) and
`third_party/ud-conversion-tools/conllu_to_conll.py` as `scripts/download_data.sh` runs it
(--replace_subtokens_with_fused_forms: a multiword token becomes one word, its fused form with the UPOS of the
span's head; empty nodes and comments dropped).
"""

from __future__ import annotations

from pathlib import Path

from intermezzo.data.formats import read_lines
from intermezzo.data.layouts.base import DISK_SPLIT, Layout, MissingFile, check_label, column, refuse_empty
from intermezzo.errors import UserError
from intermezzo.io import atomic_write_text
from intermezzo.tasks.spec import TaskSpec

# conllu_to_conll.py's POS precedence when two words of a multiword token are equally high in the tree.
_POS_PRECEDENCE = {
    "default": "VERB NOUN PROPN PRON ADJ NUM ADV INTJ AUX ADP DET PART CCONJ SCONJ X PUNCT".split(),
    "es": "VERB AUX PRON ADP DET".split(),
    "fr": "VERB AUX PRON NOUN ADJ ADV ADP DET PART SCONJ CONJ".split(),
    "it": "VERB AUX ADV PRON ADP DET INTJ".split(),
}


def _tag(spec: TaskSpec, tag: str, where: str) -> str:
    if spec.unknown_tag and tag not in spec.labels:
        tag = spec.unknown_tag
    return check_label(spec, tag, where)


def _cells(spec: TaskSpec, line: str) -> list[str]:
    """`token<TAB>tag` or `token`; without a tab, `token tag` when the last word is a tag (XTREME's own
    readers split on any whitespace), else the whole line is one token."""
    if "\t" in line:
        return line.split("\t")
    words = line.split()
    if len(words) == 2 and (words[1] in spec.labels or spec.unknown_tag):
        return words
    return [line.strip()]


def _span_head(words: dict[int, tuple[str, str, int]], span: list[int], lang: str) -> int:
    """The word of a multiword token that stays: the highest in the tree, ties broken by POS precedence."""
    def depth(i: int) -> int:
        seen = set()
        while i in words and i not in seen:
            seen.add(i)
            i = words[i][2]
        return len(seen)

    depths = {i: depth(i) for i in span if i in words}
    top = [i for i in span if depths.get(i) == min(depths.values())]
    if len(top) == 1:
        return top[0]
    order = _POS_PRECEDENCE.get(lang, _POS_PRECEDENCE["default"])
    return min(top, key=lambda i: order.index(words[i][1]) if words[i][1] in order else len(order))


def _conllu_sentence(lines: list[tuple[int, str]], path: Path, lang: str) -> tuple[list[str], list[str]]:
    words, multi = {}, []
    for n, line in lines:
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            raise UserError(f"{path}:{n}: a CoNLL-U line has 10 tab-separated columns, found {len(cols)}")
        if "." in cols[0]:
            continue  # an empty node of the enhanced graph: no word of the sentence
        if "-" in cols[0]:
            start, end = (int(x) for x in cols[0].split("-"))
            multi.append((list(range(start, end + 1)), cols[1]))
            continue
        try:
            words[int(cols[0])] = (cols[1], cols[3], int(cols[6]) if cols[6].isdigit() else 0)
        except ValueError:
            raise UserError(f"{path}:{n}: word id {cols[0]!r} is not a number") from None
    dropped = set()
    for span, form in multi:
        head = _span_head(words, span, lang)
        words[head] = (form, *words[head][1:])
        dropped |= set(span) - {head}
    kept = [words[i] for i in sorted(words) if i not in dropped]
    return [w[0] for w in kept], [w[1] for w in kept]


def read_conllu(path: str | Path, lang: str) -> list[tuple[list[str], list[str]]]:
    """(words, UPOS tags) per sentence of a CoNLL-U file, converted as XTREME's UD-POS download does."""
    path, blocks, block = Path(path), [], []
    for n, line in enumerate([*read_lines(path), ""], 1):
        if line.strip():
            block.append((n, line))
        elif block:
            blocks.append(block)
            block = []
    out = []
    for block in blocks:
        tokens, tags = _conllu_sentence(block, path, lang)
        empty = sum(t == "_" for t in tokens)
        if tokens and (empty == 0 or empty < len(tokens) - 1):  # treebanks released without their text
            out.append((["".join(t.replace("\u200c", "").split(" ")) for t in tokens], tags))
    return out


class TagTsv(Layout):
    """PAN-X / UD-POS / CCG: `{train,dev,test}-{lang}.tsv`, `token<TAB>tag` lines (test: `token` alone), a blank
    line between sentences. A raw WikiANN `lang:` prefix on tokens is cut. Without the tsv file, UD's own
    `{lang}_*-ud-{split}.conllu` files anywhere under the folder are read (all treebanks of the language)."""

    name = "tag_tsv"

    def read(self, spec, folder, split, lang):
        try:
            return super().read(spec, folder, split, lang)
        except MissingFile:
            conllu = sorted(Path(folder).rglob(f"{lang}_*-ud-{DISK_SPLIT[split]}.conllu"))
            if not conllu:
                raise
        examples = []
        for path in conllu:
            refuse_empty(path)
            examples += self.read_file(spec, path, split, lang)
        return [dict(ex, id=f"{lang}-{split}-{i}") for i, ex in enumerate(examples)]

    def read_file(self, spec, path, split="test", lang="en"):
        path = Path(path)
        if path.suffix == ".conllu":
            sentences = []
            for tokens, tags in read_conllu(path, lang):
                where = f"{path}: sentence {len(sentences) + 1}"
                sentences.append({"id": f"{lang}-{split}-{len(sentences)}", "tokens": tokens,
                                  "tags": [_tag(spec, t, where) for t in tags]})
            return sentences
        prefix = f"{lang}:"
        sentences, tokens, tags = [], [], []

        def flush():
            if tokens:
                ex = {"id": f"{lang}-{split}-{len(sentences)}", "tokens": list(tokens)}
                if tags:
                    if len(tags) != len(tokens):
                        raise UserError(f"{path}: sentence {len(sentences) + 1} mixes tagged and untagged lines")
                    ex["tags"] = list(tags)
                sentences.append(ex)
                tokens.clear()
                tags.clear()

        for n, line in enumerate(read_lines(path), 1):
            if not line.strip():
                flush()
                continue
            cells = _cells(spec, line)
            if len(cells) > 2 or not cells[0]:
                raise UserError(f"{path}:{n}: expected 'token<TAB>tag' or 'token', found {line!r}")
            token = cells[0]
            tokens.append(token[len(prefix):] if token.startswith(prefix) and len(token) > len(prefix) else token)
            if len(cells) == 2:
                tags.append(_tag(spec, cells[1].strip(), f"{path}:{n}"))
        flush()
        return sentences

    def write_file(self, spec, path, examples, split="test", lang="en"):
        blocks = []
        for ex in examples:
            tags = ex.get("tags")
            blocks.append("".join(f"{t}\t{g}\n" if tags else f"{t}\n"
                                  for t, g in zip(ex["tokens"], tags or ex["tokens"], strict=True)))
        return atomic_write_text(path, "\n".join(blocks))  # sentences apart by one blank line, none at the end

    def hub_row(self, spec, row, i, split, lang):
        ex = {"id": f"{lang}-{split}-{i}", "tokens": list(row["tokens"])}
        tags = row.get(column(spec, "tags"))
        if tags is not None:
            ex["tags"] = list(tags)
        return ex
