"""Readers of the retrieval tasks' layouts (Tatoeba, BUCC 2018, Mewsli-X, LAReQA) -> queries + candidates.

A retrieval split is one list: queries {"id", "kind": "query", "text", "gold"}, then candidates
{"id", "kind": "candidate", "text"}; training splits hold pairs {"id", "kind": "pair", "text", "positive"}.
"""

from __future__ import annotations

import re
from pathlib import Path

from intermezzo.data.formats import read_json, read_jsonl, read_lines, read_squad_json
from intermezzo.data.layout import DISK_SPLIT, split_file
from intermezzo.errors import UserError
from intermezzo.tasks.spec import TaskSpec


def read_tatoeba(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """Tatoeba: LASER's aligned `tatoeba.{l3}-eng.{l3}` / `.eng` (gold = same line), else XTREME's
    `{lang}-en.{lang}` / `{lang}-en.en`, whose English side XTREME sorted (no gold)."""
    folder, l3 = Path(folder), spec.extra.get("hub_lang", {}).get(lang, lang)
    laser = folder / f"tatoeba.{l3}-eng.{l3}"
    aligned = laser.is_file()
    src = laser if aligned else split_file(spec, folder, split, lang, "{lang}-en.{lang}")
    tgt = laser.with_suffix(".eng") if aligned else src.with_suffix(".en")
    sources, targets = read_lines(src), read_lines(tgt) if tgt.is_file() else None
    if targets is None:
        raise UserError(f"{tgt}: English side of {src.name} missing; put both files in {folder}")
    if len(sources) != len(targets):
        raise UserError(f"{src}: {len(sources)} lines but {tgt.name} has {len(targets)}; the two sides must "
                        "have one sentence per line each")
    queries = [{"id": f"{lang}-{i}", "kind": "query", "text": s} for i, s in enumerate(sources)]
    if aligned:
        for i, q in enumerate(queries):
            q["gold"] = [f"en-{i}"]
    return queries + [{"id": f"en-{j}", "kind": "candidate", "text": t} for j, t in enumerate(targets)]


def _id_lines(path: Path) -> list[tuple[str, str]]:
    rows = []
    for n, line in enumerate(read_lines(path), 1):
        cells = line.split("\t")
        if len(cells) != 2:
            raise UserError(f"{path}:{n}: expected 'id<TAB>sentence', found {len(cells)} column(s)")
        rows.append((cells[0], cells[1]))
    return rows


def read_bucc(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """BUCC 2018: `{lang}-en.{split}.{lang}` / `.en` (`id<TAB>sentence`), gold pairs in `.gold` when kept."""
    src = split_file(spec, folder, split, lang, "{lang}-en.{split}.{lang}")
    tgt = src.with_suffix(".en")
    if not tgt.is_file():
        raise UserError(f"{tgt}: English side of {src.name} missing; put both files in {src.parent}")
    gold_file, gold = src.with_suffix(".gold"), None
    if gold_file.is_file():
        gold = {}
        for n, line in enumerate(read_lines(gold_file), 1):
            cells = line.split("\t")
            if len(cells) != 2:
                raise UserError(f"{gold_file}:{n}: expected '{lang}-id<TAB>en-id'")
            gold.setdefault(cells[0], []).append(cells[1])
    queries = []
    for sid, text in _id_lines(src):
        q = {"id": sid, "kind": "query", "text": text}
        if gold is not None:
            q["gold"] = gold.get(sid, [])  # most BUCC sentences have no translation in the other side
        queries.append(q)
    return queries + [{"id": tid, "kind": "candidate", "text": t} for tid, t in _id_lines(tgt)]


def _mention_text(context: dict, span: dict) -> str:
    """The sentences of `context` that hold the mention (Mewsli-X keeps sentence spans)."""
    text, start, end = context["text"], span["start"], span["end"]
    sents = [s for s in context.get("sentence_spans", []) if s["start"] < end and s["end"] > start]
    if not sents:
        return text
    return text[min(s["start"] for s in sents):max(s["end"] for s in sents)]


def _mention_start(context: dict, span: dict) -> int:
    """Where the mention starts in _mention_text's text (so types.mention marks that occurrence)."""
    sents = [s for s in context.get("sentence_spans", []) if s["start"] < span["end"] and s["end"] > span["start"]]
    return span["start"] - (min(s["start"] for s in sents) if sents else 0)


def _entities(folder: Path) -> dict[str, str]:
    path = folder / "candidate_set_entities.jsonl"
    out = {}
    for n, row in enumerate(read_jsonl(path), 1):
        try:
            out[row["entity_id"]] = f"{row['title']}. {row['description']}"
        except KeyError as e:
            raise UserError(f"{path}:{n}: missing field {e}; expected a Mewsli-X entity") from None
    return out


def read_mewslix(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """Mewsli-X: `wikinews_mentions/{split}-{lang}.jsonl` + `wikinews_labels/...json` queries against
    `candidate_set_entities.jsonl`; train = `wikipedia_pairs-train.jsonl` pairs in `lang`."""
    folder, entities = Path(folder), _entities(Path(folder))
    if split == "train":
        path = split_file(spec, folder, split, lang, "wikipedia_pairs-train.jsonl")
        pairs = []
        for n, row in enumerate(read_jsonl(path), 1):
            try:
                ctx, m = row["context"], row["mention"]
                if ctx.get("language", lang) != lang or m["entity_id"] not in entities:
                    continue  # pairs of other languages, or entities outside the candidate set
                pairs.append({"id": m["example_id"], "kind": "pair", "text": _mention_text(ctx, m["mention_span"]),
                              "positive": entities[m["entity_id"]], "positive_id": m["entity_id"],
                              "mention": m["mention_span"]["text"],
                              "mention_start": _mention_start(ctx, m["mention_span"])})
            except (KeyError, TypeError) as e:
                raise UserError(f"{path}:{n}: missing field {e}; expected a Mewsli-X mention pair") from None
        return pairs
    path = split_file(spec, folder, split, lang, "wikinews_mentions/{split}-{lang}.jsonl")
    labels_path = folder / "wikinews_labels" / f"{DISK_SPLIT[split]}-{lang}.json"
    labels = read_json(labels_path) if labels_path.is_file() else {}
    queries = []
    for n, row in enumerate(read_jsonl(path), 1):
        try:
            for m in row["mentions"]:
                q = {"id": m["example_id"], "kind": "query", "text": _mention_text(row["context"], m["mention_span"]),
                     "mention": m["mention_span"]["text"],
                     "mention_start": _mention_start(row["context"], m["mention_span"])}
                gold = labels.get(m["example_id"]) or ([m["entity_id"]] if m.get("entity_id") else None)
                if gold:
                    q["gold"] = list(gold)
                queries.append(q)
        except (KeyError, TypeError) as e:
            raise UserError(f"{path}:{n}: missing field {e}; expected Mewsli-X contextual mentions") from None
    return queries + [{"id": eid, "kind": "candidate", "text": t} for eid, t in entities.items()]


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


def _answer_sentence(spans: list[tuple[int, int]], offset: int) -> int | None:
    return next((i for i, (s, e) in enumerate(spans) if s <= offset < e), None)


def squad_to_pairs(examples: list[dict]) -> list[dict]:
    """SQuAD examples -> LAReQA training pairs: question -> the sentence holding its first answer."""
    pairs = []
    for ex in examples:
        if not ex["answers"]["text"]:
            continue
        spans = sentence_spans(ex["context"])
        i = _answer_sentence(spans, ex["answers"]["answer_start"][0])
        if i is not None:
            s, e = spans[i]
            pairs.append({"id": ex["id"], "kind": "pair", "text": ex["question"], "positive": ex["context"][s:e]})
    return pairs


def _lareqa_file(folder: Path, lang: str) -> tuple[list[dict], dict[str, str]]:
    """Questions of one XQuAD-R file and {qa id: id of the sentence holding its answer}."""
    path = folder / "xquad-r" / f"{lang}.json"
    doc = read_json(path)
    queries, gold, candidates = [], {}, []
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
                    s = _answer_sentence(breaks, qa["answers"][0]["answer_start"]) if qa["answers"] else None
                    if s is not None:
                        gold[qa["id"]] = f"{lang}-{a}-{p}-{s}"
    except (KeyError, TypeError, IndexError) as e:
        raise UserError(f"{path}: missing field {e}; expected XQuAD-R (SQuAD JSON with sentence_breaks)") from None
    return queries + candidates, gold


def read_lareqa(spec: TaskSpec, folder: Path, split: str, lang: str) -> list[dict]:
    """LAReQA: `xquad-r/{lang}.json` questions retrieve answer sentences from every language's file;
    train = SQuAD v1.1 `train-v1.1.json` question-sentence pairs."""
    folder = Path(folder)
    if split == "train":
        return squad_to_pairs(read_squad_json(split_file(spec, folder, split, lang, "train-v1.1.json")))
    split_file(spec, folder, split, lang, "xquad-r/{lang}.json")
    pool, golds, queries = [], {}, []
    for other in spec.langs:
        if not (folder / "xquad-r" / f"{other}.json").is_file():
            continue
        rows, gold = _lareqa_file(folder, other)
        pool += [r for r in rows if r["kind"] == "candidate"]
        for qa, sid in gold.items():
            golds.setdefault(qa, []).append(sid)
        if other == lang:
            queries = [r for r in rows if r["kind"] == "query"]
    for q in queries:
        q["gold"] = golds.get(q.pop("qa"), [])
    return queries + pool
