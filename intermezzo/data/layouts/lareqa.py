"""The LAReQA layout: XQuAD-R `xquad-r/{lang}.json` (SQuAD JSON whose paragraphs list `sentences` and
`sentence_breaks`), trained on SQuAD v1.1 `train-v1.1.json` question -> answer-sentence pairs.

Checked against github.com/google-research-datasets/lareqa's README and google-research/xtreme
`third_party/utils_lareqa.py`: a question's gold is the sentence that holds its answer, in every language's
copy of the paragraph; the candidate pool is the sentences of all languages.
"""

from __future__ import annotations

import re
from pathlib import Path

from intermezzo.data.formats import read_json
from intermezzo.data.layouts.base import Layout, refuse_empty
from intermezzo.data.layouts.qa import SquadJson
from intermezzo.errors import UserError
from intermezzo.io import atomic_write_json

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, split after ., !, ? (and their CJK forms)."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def answer_sentence(spans: list[tuple[int, int]], offset: int) -> int | None:
    """The index of the span holding character `offset`, or None."""
    return next((i for i, (s, e) in enumerate(spans) if s <= offset < e), None)


def squad_to_pairs(examples: list[dict]) -> list[dict]:
    """SQuAD examples -> LAReQA training pairs: question -> the sentence holding its first answer."""
    pairs = []
    for ex in examples:
        if not ex.get("answers", {}).get("text"):
            continue
        spans = sentence_spans(ex["context"])
        i = answer_sentence(spans, ex["answers"]["answer_start"][0])
        if i is not None:
            s, e = spans[i]
            pairs.append({"id": ex["id"], "kind": "pair", "text": ex["question"], "positive": ex["context"][s:e]})
    return pairs


def _lareqa_file(path: Path, lang: str) -> tuple[list[dict], list[dict], dict[str, str]]:
    """Queries, candidate sentences and {qa id: id of the sentence holding its answer} of one XQuAD-R file."""
    doc = read_json(path)
    queries, candidates, gold = [], [], {}
    try:
        for a, article in enumerate(doc["data"]):
            for p, para in enumerate(article["paragraphs"]):
                breaks = para.get("sentence_breaks") or sentence_spans(para["context"])
                for s, (b, e) in enumerate(breaks):
                    candidates.append({"id": f"{lang}-{a}-{p}-{s}", "kind": "candidate",
                                       "text": para["context"][b:e]})
                for qa in para["qas"]:
                    queries.append({"id": f"{lang}-{qa['id']}", "qa": qa["id"], "kind": "query",
                                    "text": qa["question"]})
                    s = answer_sentence(breaks, qa["answers"][0]["answer_start"]) if qa["answers"] else None
                    if s is not None:
                        gold[qa["id"]] = f"{lang}-{a}-{p}-{s}"
    except (KeyError, TypeError, IndexError) as e:
        raise UserError(f"{path}: missing field {e}; expected XQuAD-R (SQuAD JSON with sentence_breaks)") from None
    return queries, candidates, gold


class Lareqa(Layout):
    """Test: `xquad-r/{lang}.json` questions retrieve answer sentences from every language's file (ids
    `{lang}-{article}-{paragraph}-{sentence}`); train: SQuAD v1.1 `train-v1.1.json` pairs."""

    name = "lareqa"
    pattern = "xquad-r/{lang}.json"
    train_file = "train-v1.1.json"

    def file_name(self, spec, split, lang, pattern=None):
        if split == "train" and pattern is None and "train" not in spec.files:
            return self.train_file
        return super().file_name(spec, split, lang, pattern)

    def read(self, spec, folder, split, lang):
        folder, path = Path(folder), self.path(spec, folder, split, lang)
        refuse_empty(path)
        if split == "train":
            return squad_to_pairs(SquadJson().read_file(spec, path, split, lang))
        pool, golds, queries = [], {}, []
        for other in spec.langs:
            other_path = self.path(spec, folder, split, other, must_exist=False)
            if not other_path.is_file():
                continue
            found, candidates, gold = _lareqa_file(other_path, other)
            pool += candidates
            for qa, sid in gold.items():
                golds.setdefault(qa, []).append(sid)
            if other == lang:
                queries = found
        for q in queries:
            q["gold"] = golds.get(q.pop("qa"), [])
        return queries + pool

    def write(self, spec, folder, split, lang, examples):
        """Train: pairs (or SQuAD examples) as SQuAD v1.1. Test: this language's paragraphs rebuilt from its
        candidate ids, each question put with the sentence of its gold in this language."""
        path = self.path(spec, folder, split, lang, must_exist=False)
        if split == "train":
            squad = [ex if "context" in ex else
                     {"id": ex["id"], "context": ex["positive"], "question": ex["text"],
                      "answers": {"text": [ex["positive"]], "answer_start": [0]}} for ex in examples]
            return SquadJson().write_file(spec, path, squad, split, lang)
        paragraphs: dict[tuple[str, str], dict[int, str]] = {}
        for c in examples:
            if c.get("kind") == "candidate" and c["id"].startswith(f"{lang}-"):
                a, p, s = c["id"][len(lang) + 1:].split("-")
                paragraphs.setdefault((a, p), {})[int(s)] = c["text"]
        qas: dict[tuple[str, str], list[dict]] = {key: [] for key in paragraphs}
        for q in (ex for ex in examples if ex.get("kind") == "query"):
            mine = [g for g in q.get("gold", ()) if g.startswith(f"{lang}-")]
            a, p, s = mine[0][len(lang) + 1:].split("-") if mine else (*next(iter(paragraphs)), "-1")
            qid = q["id"][len(lang) + 1:] if q["id"].startswith(f"{lang}-") else q["id"]
            qas[(a, p)].append({"qid": qid, "question": q["text"], "sentence": int(s), "answer": q.get("answer")})
        data = {}
        for (a, p), sents in paragraphs.items():
            texts = [sents[k] for k in sorted(sents)]
            breaks, start = [], 0
            for t in texts:
                breaks.append([start, start + len(t)])
                start += len(t) + 1
            context = " ".join(texts)
            items = []
            for qa in qas[(a, p)]:
                answers = []
                if qa["sentence"] >= 0:
                    b, e = breaks[qa["sentence"]]
                    text = qa["answer"] or context[b:e]
                    answers = [{"text": text, "answer_start": context.index(text, b)}]
                items.append({"id": qa["qid"], "question": qa["question"], "answers": answers})
            data.setdefault(a, []).append({"context": context, "qas": items, "sentences": texts,
                                           "sentence_breaks": breaks})
        doc = {"version": "1.1", "data": [{"title": f"article {a}", "paragraphs": paras} for a, paras in data.items()]}
        return atomic_write_json(path, doc, indent=None)

