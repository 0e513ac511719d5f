"""Hugging Face seq2seq machine translation (NLLB, M2M100, Marian) as a Translator."""

from __future__ import annotations

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
