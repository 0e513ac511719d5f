"""The SQuAD JSON layout (SQuAD v1.1/v2.0, XQuAD, MLQA, TyDiQA-GoldP as XTREME's download leaves them).

Checked against google-research/xtreme `utils_preprocess.py`: remove_qa_test_annotations rewrites each test
question into its own paragraph, without a title, its answers replaced by [{"answer_start": 0, "text": ""}];
tydiqa_preprocess splits the GoldP train file by language (ids lose their language prefix). `version` is "1.1"
(SQuAD, XQuAD, TyDiQA), 1.0 (MLQA; its scorer compares str(version)) or "v2.0" (SQuAD 2.0).
"""

from __future__ import annotations

import logging

from intermezzo.data.formats import read_json, write_squad_json
from intermezzo.data.layouts.base import Layout
from intermezzo.errors import UserError

log = logging.getLogger(__name__)


def _answers(spec, path, qa: dict, context: str) -> dict | None:
    """Gold answers of one question; None when it has none to score against (XTREME's blanked test answers,
    or an empty list outside SQuAD 2.0, where an empty list is the gold "no answer")."""
    if qa.get("is_impossible"):
        return {"text": [], "answer_start": []}
    answers = qa.get("answers") or []
    kept = [a for a in answers if a.get("text")]
    if not kept and (answers or not spec.version_2_with_negative):
        return None
    texts, starts = [], []
    for a in kept:
        text, start = _located(path, qa["id"], a["text"], int(a["answer_start"]), context)
        texts.append(text)
        starts.append(start)
    return {"text": texts, "answer_start": starts}


def _located(path, qid, text: str, start: int, context: str) -> tuple[str, int]:
    """(text, start) with context[start:start + len(text)] == text.

    SQuAD v1.1 dev as published has answers with a leading space that answer_start does not count (' 23–16' at
    the offset of '2'; 15 of the 34,680 answers in BIG-bench's copy). The official scorer compares normalised
    text, so stripping the space changes no score; training needs the span, so the stripped text is located at
    the occurrence nearest to answer_start. Only an answer that is nowhere in its context is an error.
    """
    if context[start:start + len(text)] == text:
        return text, start
    stripped = text.strip()
    found = list(_occurrences(context, stripped)) if stripped else []
    if not found:
        raise UserError(f"{path}: question {qid}: answer '{text}' is not in its context (answer_start {start}); "
                        "fix the answer or its context")
    nearest = min(found, key=lambda i: abs(i - start))
    log.debug("%s: question %s: answer %r located at %d (answer_start %d)", path, qid, stripped, nearest, start)
    return stripped, nearest


def _occurrences(context: str, text: str):
    i = context.find(text)
    while i >= 0:
        yield i
        i = context.find(text, i + 1)


class SquadJson(Layout):
    """`{"version", "data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question", "answers"}]}]}]}`;
    question ids are the official ones (XQuAD's name the same question in every language)."""

    name = "squad_json"
    pattern = "{split}-{lang}.json"

    def read_file(self, spec, path, split="test", lang="en"):
        doc = read_json(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
            raise UserError(f"{path}: not SQuAD JSON (expected a top-level 'data' list)")
        examples = []
        try:
            for article in doc["data"]:
                for para in article["paragraphs"]:
                    for qa in para["qas"]:
                        ex = {"id": str(qa["id"]), "context": para["context"], "question": qa["question"]}
                        if article.get("title"):
                            ex["title"] = article["title"]  # articles group questions (held-out splits)
                        answers = _answers(spec, path, qa, para["context"])
                        if answers is not None:
                            ex["answers"] = answers
                        examples.append(ex)
        except (KeyError, TypeError) as e:
            raise UserError(f"{path}: SQuAD JSON is missing field {e}; check the file's layout") from None
        return examples

    def write_file(self, spec, path, examples, split="test", lang="en"):
        version = "v2.0" if spec.version_2_with_negative else "1.0" if spec.metric == "mlqa" else "1.1"
        return write_squad_json(path, examples, version=version)

    def hub_row(self, spec, row, i, split, lang):
        ans = row["answers"]
        return {"id": str(row["id"]), "context": row["context"], "question": row["question"],
                "answers": {"text": list(ans["text"]), "answer_start": [int(s) for s in ans["answer_start"]]}}

