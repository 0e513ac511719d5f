"""Multiple-choice layouts: (X)COPA, Social IQa, HellaSwag, Cosmos QA, CommonsenseQA, each as released.

Checked against google-research/xtreme `scripts/download_data.sh` (COPA's SuperGLUE files and XCOPA's
`{val,test}.{lang}.jsonl` renamed `{split}-{lang}.jsonl`; socialIQa_v1.4.tgz) and `utils_preprocess.py`
(xcopa_preprocess sets every test label to 0, "a label is still required by the dataset format"), and the
XCOPA, Social IQa, HellaSwag, Cosmos QA and CommonsenseQA READMEs.
"""

from __future__ import annotations

import csv
import io
import logging

from intermezzo.data.formats import read_jsonl, read_text, write_jsonl
from intermezzo.data.layouts.base import Layout, choice_label
from intermezzo.errors import UserError
from intermezzo.io import atomic_write_text

log = logging.getLogger(__name__)

# As XTREME-R builds the question (third_party/run_xcopa.py: f"{context} What was the {question}?").
COPA_QUESTION = {"cause": "What was the cause?", "effect": "What was the effect?"}
# Fewer items than this with every label 0 may be a real labelled file; from here on it is XTREME's blanking
# (a labelled file of 10 balanced items has all labels 0 once in 2**10).
MIN_BLANKED = 10


def blanked(labels: list) -> bool:
    """Whether labels look zeroed by XTREME's xcopa_preprocess rather than annotated."""
    return len(labels) >= MIN_BLANKED and all(str(label) == "0" for label in labels)


def _ordinal(ex: dict, n: int) -> int:
    """An item number for the official `idx`/`ind` field: the example's own, else the one in its id, else n."""
    tail = str(ex.get("idx", ex["id"])).rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else n


class Copa(Layout):
    """COPA / XCOPA JSONL rows {premise, choice1, choice2, question: cause|effect, label, idx[, changed]}:
    `{train,val,test}-{lang}.jsonl` (XTREME's names), else the XCOPA release's `data/{lang}/{split}.{lang}.jsonl`.
    Ids are `{split}-{idx}`: XCOPA's idx numbers the same item in every language."""

    name = "copa_jsonl"
    pattern = "{split}-{lang}.jsonl"
    alternatives = ("{split}.{lang}.jsonl", "data/{lang}/{split}.{lang}.jsonl")
    disk_splits = {"train": "train", "validation": "val", "test": "test"}

    def read_file(self, spec, path, split="test", lang="en"):
        rows, examples = read_jsonl(path), []
        strip = blanked([r["label"] for r in rows if "premise" in r and "label" in r])
        if strip:
            log.warning("%s: every label is 0, as XTREME's download leaves test files; read as unlabelled", path)
        for n, row in enumerate(rows, 1):
            if "choices" in row and "premise" not in row:  # already canonical (a JSONL source under the same name)
                examples.append(dict(row, id=str(row.get("id", f"{split}-{n}"))))
                continue
            try:
                ex = {"id": f"{split}-{row.get('idx', n)}", "context": row["premise"],
                      "question": COPA_QUESTION[row["question"]], "choices": [row["choice1"], row["choice2"]]}
            except KeyError as e:
                raise UserError(f"{path}:{n}: missing or unknown field {e}; expected a (X)COPA row") from None
            if "label" in row and not strip:
                ex["label"] = choice_label(row["label"], 2, f"{path}:{n}")
            examples.append(ex)
        return examples

    def write_file(self, spec, path, examples, split="test", lang="en"):
        ask = {v: k for k, v in COPA_QUESTION.items()}
        rows = []
        for n, ex in enumerate(examples, 1):
            row = {"premise": ex["context"], "choice1": ex["choices"][0], "choice2": ex["choices"][1],
                   "question": ask.get(ex["question"], ex["question"]), "label": ex.get("label", 0),
                   "idx": _ordinal(ex, n)}
            if "changed" in ex:  # XCOPA marks items whose translation changed the English original
                row["changed"] = ex["changed"]
            rows.append(row)
        return write_jsonl(path, rows)

    def hub_row(self, spec, row, i, split, lang):
        ex = {"id": f"{split}-{row.get('idx', i)}", "context": row["premise"],
              "question": COPA_QUESTION[row["question"]], "choices": [row["choice1"], row["choice2"]]}
        if row.get("label", -1) not in (-1, None):
            ex["label"] = int(row["label"])
        return ex


class Siqa(Layout):
    """Social IQa v1.4: `socialIQa_v1.4_{trn,dev,tst}.jsonl`, answerA-C and `correct` A/B/C (hub: label 1-3)."""

    name = "siqa"
    pattern = "socialIQa_v1.4_{split}.jsonl"
    disk_splits = {"train": "trn", "validation": "dev", "test": "tst"}

    def read_file(self, spec, path, split="test", lang="en"):
        examples = []
        for n, row in enumerate(read_jsonl(path), 1):
            try:
                ex = {"id": f"siqa-{split}-{n}", "context": row["context"], "question": row["question"],
                      "choices": [row["answerA"], row["answerB"], row["answerC"]]}
            except KeyError as e:
                raise UserError(f"{path}:{n}: missing field {e}; expected a Social IQa row") from None
            if "correct" in row:
                if row["correct"] not in ("A", "B", "C"):
                    raise UserError(f"{path}:{n}: 'correct' must be A, B or C, found {row['correct']!r}")
                ex["label"] = "ABC".index(row["correct"])
            examples.append(ex)
        return examples

    def write_file(self, spec, path, examples, split="test", lang="en"):
        return write_jsonl(path, [
            {"context": ex["context"], "question": ex["question"], "answerA": ex["choices"][0],
             "answerB": ex["choices"][1], "answerC": ex["choices"][2],
             **({"correct": "ABC"[ex["label"]]} if "label" in ex else {})} for ex in examples])

    def hub_row(self, spec, row, i, split, lang):
        return {"id": f"siqa-{split}-{i + 1}", "context": row["context"], "question": row["question"],
                "choices": [row["answerA"], row["answerB"], row["answerC"]], "label": int(row["label"]) - 1}


class Hellaswag(Layout):
    """HellaSwag: `hellaswag_{train,val,test}.jsonl` rows {ind, activity_label, ctx_a, ctx_b, ctx, endings,
    label, ...}; context = ctx_a, question = ctx_b (the ending's opening words)."""

    name = "hellaswag"
    pattern = "hellaswag_{split}.jsonl"
    disk_splits = {"train": "train", "validation": "val", "test": "test"}

    def read_file(self, spec, path, split="test", lang="en"):
        examples = []
        for n, row in enumerate(read_jsonl(path), 1):
            ex = self.hub_row(spec, row, n, split, lang, where=f"{path}:{n}")
            examples.append(ex)
        return examples

    def write_file(self, spec, path, examples, split="test", lang="en"):
        return write_jsonl(path, [
            {"ind": _ordinal(ex, n), "activity_label": ex.get("activity_label", ""), "ctx_a": ex["context"],
             "ctx_b": ex["question"], "ctx": f"{ex['context']} {ex['question']}".strip(),
             "split": self.disk_splits[split], "endings": ex["choices"],
             **({"label": ex["label"]} if "label" in ex else {})} for n, ex in enumerate(examples)])

    def hub_row(self, spec, row, i, split, lang, where=None):
        try:
            ex = {"id": f"hellaswag-{row.get('ind', i)}", "context": row["ctx_a"], "question": row["ctx_b"],
                  "choices": list(row["endings"])}
        except KeyError as e:
            raise UserError(f"{where or 'hub row ' + str(i)}: missing field {e}; expected a HellaSwag row") from None
        if row.get("label") not in (None, ""):
            ex["label"] = choice_label(row["label"], len(ex["choices"]), where or f"hub row {i}")
        return ex


class Cosmosqa(Layout):
    """Cosmos QA: `train.csv` / `valid.csv` (id, context, question, answer0-3, label) and `test.jsonl` (no label)."""

    name = "cosmosqa"
    pattern = "{split}"
    disk_splits = {"train": "train.csv", "validation": "valid.csv", "test": "test.jsonl"}
    _fields = ["id", "context", "question", "answer0", "answer1", "answer2", "answer3", "label"]

    def read_file(self, spec, path, split="test", lang="en"):
        if str(path).endswith(".jsonl"):
            rows = list(enumerate(read_jsonl(path), 1))
        else:
            rows = [(n, row) for n, row in enumerate(csv.DictReader(io.StringIO(read_text(path), newline="")), 2)]
        return [self.hub_row(spec, row, n, split, lang, where=f"{path}:{n}") for n, row in rows]

    def write_file(self, spec, path, examples, split="test", lang="en"):
        recs = [{"id": ex["id"], "context": ex["context"], "question": ex["question"],
                 **{f"answer{k}": ex["choices"][k] for k in range(4)},
                 **({"label": str(ex["label"])} if "label" in ex else {})} for ex in examples]
        if str(path).endswith(".jsonl"):
            return write_jsonl(path, recs)
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=[f for f in self._fields if f != "label" or "label" in recs[0]],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(recs)
        return atomic_write_text(path, buf.getvalue())

    def hub_row(self, spec, row, i, split, lang, where=None):
        try:
            ex = {"id": str(row["id"]), "context": row["context"], "question": row["question"],
                  "choices": [row[f"answer{k}"] for k in range(4)]}
        except KeyError as e:
            raise UserError(f"{where or 'hub row ' + str(i)}: missing field {e}; expected a Cosmos QA row") from None
        if row.get("label") not in (None, "", -1):
            ex["label"] = choice_label(row["label"], 4, where or f"hub row {i}")
        return ex


class Commonsenseqa(Layout):
    """CommonsenseQA: `{train,dev}_rand_split.jsonl`, `test_rand_split_no_answers.jsonl`; rows {answerKey, id,
    question: {question_concept, choices: [{label, text}], stem}}. No context: `context` is empty."""

    name = "commonsenseqa"
    pattern = "{split}"
    disk_splits = {"train": "train_rand_split.jsonl", "validation": "dev_rand_split.jsonl",
                   "test": "test_rand_split_no_answers.jsonl"}

    def read_file(self, spec, path, split="test", lang="en"):
        examples = []
        for n, row in enumerate(read_jsonl(path), 1):
            try:
                choices = row["question"]["choices"]
                ex = {"id": row["id"], "context": "", "question": row["question"]["stem"],
                      "choices": [c["text"] for c in choices]}
                keys = [c["label"] for c in choices]
            except (KeyError, TypeError) as e:
                raise UserError(f"{path}:{n}: missing field {e}; expected a CommonsenseQA row") from None
            if "answerKey" in row:
                if row["answerKey"] not in keys:
                    raise UserError(f"{path}:{n}: answerKey {row['answerKey']!r} is not among {keys}")
                ex["label"] = keys.index(row["answerKey"])
            examples.append(ex)
        return examples

    def write_file(self, spec, path, examples, split="test", lang="en"):
        recs = []
        for ex in examples:
            stem = f"{ex['context']} {ex['question']}".strip()  # the release has no context field
            rec = {"id": ex["id"], "question": {"question_concept": ex.get("question_concept", ""), "stem": stem,
                   "choices": [{"label": "ABCDE"[k], "text": t} for k, t in enumerate(ex["choices"])]}}
            if "label" in ex:
                rec = {"answerKey": "ABCDE"[ex["label"]], **rec}
            recs.append(rec)
        return write_jsonl(path, recs)

    def hub_row(self, spec, row, i, split, lang):
        keys = list(row["choices"]["label"])
        ex = {"id": str(row["id"]), "context": "", "question": row["question"], "choices": list(row["choices"]["text"])}
        if row.get("answerKey") in keys:
            ex["label"] = keys.index(row["answerKey"])
        return ex
