"""The Mewsli-X layout, as google-research/xtreme `utils_preprocess.py` (mewslix_preprocess) leaves it.

`candidate_set_entities.jsonl` (the shared English entity set), `wikipedia_pairs-train.jsonl` (English
Wikipedia mention-entity pairs), `wikinews_mentions/{dev,test}-{lang}.jsonl` ({context, mentions}) and
`wikinews_labels/{dev,test}-{lang}.json` ({example_id: [entity_id]}). XTREME blanks test entity ids and so
writes `[""]` as every test label: those queries are unlabelled. Queries carry `mention` and `mention_start`
(its offset in `text`, the sentences that hold it).
"""

from __future__ import annotations

from pathlib import Path

from intermezzo.data.formats import read_json, read_jsonl, write_jsonl
from intermezzo.data.layouts.base import DISK_SPLIT, Layout, refuse_empty
from intermezzo.errors import UserError
from intermezzo.io import atomic_write_json

ENTITIES = "candidate_set_entities.jsonl"


def _mention_text(context: dict, span: dict) -> tuple[str, int]:
    """The sentences of `context` that hold the mention (Mewsli-X keeps sentence spans), and where in them
    the mention starts."""
    text, start, end = context["text"], span["start"], span["end"]
    sents = [s for s in context.get("sentence_spans", []) if s["start"] < end and s["end"] > start]
    if not sents:
        return text, start
    first = min(s["start"] for s in sents)
    return text[first:max(s["end"] for s in sents)], start - first


def _entities(folder: Path) -> dict[str, str]:
    path = folder / ENTITIES
    refuse_empty(path)
    out = {}
    for n, row in enumerate(read_jsonl(path), 1):
        try:
            out[row["entity_id"]] = f"{row['title']}. {row['description']}"
        except KeyError as e:
            raise UserError(f"{path}:{n}: missing field {e}; expected a Mewsli-X entity") from None
    return out


def _query(row_context: dict, m: dict, kind: str) -> dict:
    text, offset = _mention_text(row_context, m["mention_span"])
    return {"id": m["example_id"], "kind": kind, "text": text, "mention": m["mention_span"]["text"],
            "mention_start": offset}


def _context(ex: dict, lang: str) -> tuple[dict, dict]:
    """An official (context, mention span) for a canonical query or pair."""
    text, mention = ex["text"], ex.get("mention", "")
    start = ex.get("mention_start", text.find(mention) if mention else 0)
    context = {"document_title": ex.get("document_title", ""), "document_url": ex.get("document_url", ""),
               "document_id": ex.get("document_id", ex["id"]), "language": lang, "text": text,
               "sentence_spans": [{"start": 0, "end": len(text)}]}
    return context, {"start": start, "end": start + len(mention), "text": mention}


def _entity(eid: str, text: str) -> dict:
    title, _, description = text.partition(". ")
    return {"entity_id": eid, "title": title, "description": description, "description_language": "en",
            "description_url": f"https://en.wikipedia.org/wiki/{title.replace(' ', '_')}",
            "sentence_spans": [{"start": 0, "end": len(description)}]}


class Mewslix(Layout):
    """Mewsli-X: WikiNews mentions in `lang` against the English entity set; train = Wikipedia pairs."""

    name = "mewslix"
    pattern = "wikinews_mentions/{split}-{lang}.jsonl"
    train_file = "wikipedia_pairs-train.jsonl"

    def file_name(self, spec, split, lang, pattern=None):
        if split == "train" and pattern is None and "train" not in spec.files:
            return self.train_file
        return super().file_name(spec, split, lang, pattern)

    def read(self, spec, folder, split, lang):
        folder = Path(folder)
        path = self.path(spec, folder, split, lang)
        refuse_empty(path)
        entities = _entities(folder)
        if split == "train":
            pairs = []
            for n, row in enumerate(read_jsonl(path), 1):
                try:
                    ctx, m = row["context"], row["mention"]
                    if ctx.get("language", lang) != lang or m["entity_id"] not in entities:
                        continue  # pairs of other languages, or entities outside the candidate set
                    pairs.append({**_query(ctx, m, "pair"), "positive": entities[m["entity_id"]],
                                  "positive_id": m["entity_id"]})
                except (KeyError, TypeError) as e:
                    raise UserError(f"{path}:{n}: missing field {e}; expected a Mewsli-X mention pair") from None
            return pairs
        labels_path = folder / "wikinews_labels" / f"{DISK_SPLIT[split]}-{lang}.json"
        labels = read_json(labels_path) if labels_path.is_file() else {}
        queries = []
        for n, row in enumerate(read_jsonl(path), 1):
            try:
                for m in row["mentions"]:
                    q = _query(row["context"], m, "query")
                    gold = [g for g in labels.get(m["example_id"], ()) if g] or [g for g in [m.get("entity_id")] if g]
                    if gold:  # XTREME's blanked test labels ([""]) leave the query unlabelled
                        q["gold"] = gold
                    queries.append(q)
            except (KeyError, TypeError) as e:
                raise UserError(f"{path}:{n}: missing field {e}; expected Mewsli-X contextual mentions") from None
        return queries + [{"id": eid, "kind": "candidate", "text": t} for eid, t in entities.items()]

    def write(self, spec, folder, split, lang, examples):
        """Canonical examples -> the official files of (split, lang); candidates (and pair positives) join the
        shared entity set. Test mentions are written blanked, their gold (if any) only in wikinews_labels/."""
        folder = Path(folder)
        found = {ex["id"]: ex["text"] for ex in examples if ex.get("kind") == "candidate"}
        found.update({ex["positive_id"]: ex["positive"] for ex in examples if ex.get("kind") == "pair"})
        old = {r["entity_id"]: r for r in read_jsonl(folder / ENTITIES)} if (folder / ENTITIES).is_file() else {}
        write_jsonl(folder / ENTITIES, list({**old, **{e: _entity(e, t) for e, t in found.items()}}.values()))
        path = self.path(spec, folder, split, lang, must_exist=False)
        if split == "train":
            rows = []
            for ex in examples:
                context, span = _context(ex, lang)
                rows.append({"context": context, "mention": {"example_id": ex["id"], "mention_span": span,
                                                             "entity_id": ex["positive_id"]}})
            return write_jsonl(path, rows)
        rows, labels = [], {}
        for ex in (e for e in examples if e.get("kind") == "query"):
            context, span = _context(ex, lang)
            gold = list(ex.get("gold") or [""])
            labels[ex["id"]] = gold
            entity = gold[0] if split != "test" else ""
            rows.append({"context": context, "mentions": [{"example_id": ex["id"], "mention_span": span,
                                                           "entity_id": entity}]})
        atomic_write_json(folder / "wikinews_labels" / f"{DISK_SPLIT[split]}-{lang}.json", labels, indent=None)
        return write_jsonl(path, rows)
