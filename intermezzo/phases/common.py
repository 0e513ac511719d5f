"""What the phases share: loading a task's examples (any language) and task adapters for the loop."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.phases.loop import TrainTask

log = logging.getLogger("intermezzo.phases")


def load_task_examples(spec, split: str, lang: str, source: str, limit: int | None = None,
                       missing_ok: bool = False) -> list[dict]:
    """Canonical examples via intermezzo.data.load; with missing_ok an unavailable split gives [].

    Target-language intermediate data (MNLI in German, say) lies outside the task's official languages:
    those come from canonical JSONL (`{split}-{lang}.jsonl` in the folder, or the .jsonl file itself).
    """
    from intermezzo.data.load import load_examples

    try:
        if lang not in (spec.train_lang, *spec.langs) and source != "hub":
            return _other_language(spec, split, lang, Path(source), limit)
        return load_examples(spec.name, split, lang, source=source, limit=limit)
    except UserError as e:
        if not missing_ok:
            raise
        log.warning("%s %s/%s unavailable (%s); going on without it", spec.name, split, lang, e)
        return []


def _other_language(spec, split: str, lang: str, source: Path, limit: int | None) -> list[dict]:
    from intermezzo.data.formats import read_jsonl

    candidates = [source] if source.suffix == ".jsonl" else \
        [source / f"{split}-{lang}.jsonl", source / spec.name / f"{split}-{lang}.jsonl"]
    for path in candidates:
        if path.is_file():
            rows = read_jsonl(path)
            for n, row in enumerate(rows):
                row.setdefault("id", f"{path.stem}-{n}")
            return rows[:limit] if limit else rows
    raise UserError(f"{spec.name}/{lang}: {lang} is not an official language of {spec.name}, so its data must be "
                    f"canonical JSONL; expected {candidates[0]}")


def type_task(name: str, spec, examples: list[dict], tokenizer, max_length: int, hidden_size: int,
              pooling: str = "cls", head=None) -> TrainTask:
    """A TrainTask whose featurizing, batching, head and loss come from the task's type; `head` (say, the one
    an earlier stage trained) instead of a fresh one. Sentence-level heads pool as `pooling` says."""
    from intermezzo.types import TYPES

    ttype = TYPES[spec.type]
    features = ttype.featurize(spec, examples, tokenizer, max_length)
    if head is None:
        options = {"pooling": pooling} if getattr(ttype, "sentence_level", False) else {}
        head = ttype.build_head(spec, hidden_size, **options)

    def loss(encoder, head, batch):
        return ttype.loss(ttype.forward(encoder, head, batch), batch)

    return TrainTask(name=name, features=features, head=head, loss=loss,
                     collate=partial(ttype.collate, pad_token_id=tokenizer.pad_token_id))
