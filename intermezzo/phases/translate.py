"""Target-language intermediate data by machine translation: examples translated field by field, QA answer
spans carried through the translation. The engines live in intermezzo.mt."""

from __future__ import annotations

import difflib
from collections import Counter

from intermezzo.errors import UserError
from intermezzo.mt import Translator, get_translator
from intermezzo.mt.cache import CachedTranslator, translation_cache
from intermezzo.tasks.schema import schema_of

# Answer-span delimiters for QA: brackets survive most MT systems, and we only use them when the
# context has none of its own.
OPEN, CLOSE = "[", "]"


def translate_entry(spec, examples: list[dict], params) -> tuple[list[dict], dict]:
    """`examples` translated per a mix entry's TranslateParams through the cached engine, and the report
    {kept, dropped, engine, src, tgt}."""
    translator = CachedTranslator(get_translator(params.engine, params.model, batch_size=params.batch_size),
                                  translation_cache())
    translated, report = translate_examples(spec, examples, translator, params.src_lang, params.tgt_lang)
    return translated, {**report, "engine": translator.name, "src": params.src_lang, "tgt": params.tgt_lang}


def _translate_unique(texts: list[str], translator: Translator, src: str, tgt: str) -> dict[str, str]:
    unique = list(dict.fromkeys(texts))
    done = translator.translate(unique, src, tgt) if unique else []
    if len(done) != len(unique):
        raise UserError(f"translator {translator.name}: returned {len(done)} texts for {len(unique)}; fix the engine")
    return dict(zip(unique, done))


def translatable_fields(spec) -> tuple[str, ...]:
    """The text fields of `spec`'s examples that MT translates (its schema's; labels stay). Token-aligned
    tasks are refused: a translation has its own tokens, so the tags would not align."""
    schema = schema_of(spec)
    if schema.align == "tokens":
        raise UserError(f"task {spec.name}: translating {spec.type} data is not supported (labels would not "
                        "align); give translated files as its source instead")
    return schema.text_fields(spec)


def translate_examples(spec, examples: list[dict], translator: Translator, src: str, tgt: str
                       ) -> tuple[list[dict], dict]:
    """Translated copies of `examples` and a report {kept, dropped: {reason: n}}; QA keeps answer spans."""
    if schema_of(spec).align == "spans":
        return _translate_qa(examples, translator, src, tgt)
    fields = translatable_fields(spec)

    def texts_of(ex: dict) -> list[str]:
        return [t for f in fields for t in ([ex[f]] if isinstance(ex.get(f), str) else ex.get(f) or ())]

    mapping = _translate_unique([t for ex in examples for t in texts_of(ex)], translator, src, tgt)
    out = []
    for ex in examples:
        new = dict(ex)
        for f in fields:
            if isinstance(ex.get(f), str):
                new[f] = mapping[ex[f]]
            elif isinstance(ex.get(f), list):
                new[f] = [mapping[t] for t in ex[f]]
        out.append(new)
    return out, {"kept": len(out), "dropped": {}}


def _translate_qa(examples: list[dict], translator: Translator, src: str, tgt: str) -> tuple[list[dict], dict]:
    marked = [_mark(ex) for ex in examples]
    texts = marked + [ex["question"] for ex in examples] + \
        [ex["answers"]["text"][0] for ex in examples if ex["answers"]["text"]]
    mapping = _translate_unique(texts, translator, src, tgt)
    out, dropped = [], Counter()
    for ex, m in zip(examples, marked):
        new = {**ex, "question": mapping[ex["question"]]}
        if not ex["answers"]["text"]:
            out.append({**new, "context": mapping[m]})
            continue
        context, start, why = _recover(mapping[m], mapping[ex["answers"]["text"][0]])
        if context is None:
            dropped[why] += 1
            continue
        answer = context[start[0]:start[1]]
        out.append({**new, "context": context, "answers": {"text": [answer], "answer_start": [start[0]]}})
    return out, {"kept": len(out), "dropped": dict(dropped)}


def _mark(ex: dict) -> str:
    """The context with the first answer wrapped in delimiters (unmarked when it has delimiters of its own)."""
    if not ex["answers"]["text"] or OPEN in ex["context"] or CLOSE in ex["context"]:
        return ex["context"]
    s, text = ex["answers"]["answer_start"][0], ex["answers"]["text"][0]
    c = ex["context"]
    return f"{c[:s]}{OPEN}{c[s:s + len(text)]}{CLOSE}{c[s + len(text):]}"


def _recover(translated: str, answer: str) -> tuple[str | None, tuple[int, int] | None, str]:
    """(clean context, (start, end) of the answer, how) - or (None, None, why dropped)."""
    if translated.count(OPEN) == 1 and translated.count(CLOSE) == 1:
        s, e = translated.index(OPEN), translated.index(CLOSE)
        if s < e and translated[s + 1:e].strip():
            context = translated[:s] + translated[s + 1:e] + translated[e + 1:]
            inner = translated[s + 1:e]
            start = s + (len(inner) - len(inner.lstrip()))
            return context, (start, start + len(inner.strip())), "markers"
    context = translated.replace(OPEN, "").replace(CLOSE, "")
    answer = answer.strip()
    if answer and (pos := context.find(answer)) >= 0:
        return context, (pos, pos + len(answer)), "exact"
    return _fuzzy(context, answer)


def _fuzzy(context: str, answer: str, threshold: float = 0.8):
    """Best window of the answer's length (+-20%) in the context by character similarity."""
    if not answer:
        return None, None, "empty translated answer"
    best, where = 0.0, None
    for width in {max(1, round(len(answer) * f)) for f in (0.8, 0.9, 1.0, 1.1, 1.2)}:
        for s in range(0, max(1, len(context) - width + 1)):
            ratio = difflib.SequenceMatcher(None, context[s:s + width], answer, autojunk=False).ratio()
            if ratio > best:
                best, where = ratio, (s, s + width)
    if where is None or best < threshold:
        return None, None, "answer not found in translated context"
    return context, where, "fuzzy"
