"""The BIG-bench converters on a tiny synthetic sdist in the real layout, end to end through prepare_data."""

import json
import tarfile

import numpy as np
import pytest

from intermezzo.data.formats import read_jsonl
from intermezzo.demo import assets, bigbench, multiemo
from intermezzo.errors import UserError
from intermezzo.io import is_done

N = 400              # MultiEmo rows per language
DE_MISSING = 250     # English row without a German row
PT_ROWS = 330        # pt stops being parallel here; the rest is shuffled


def _task(examples):
    return json.dumps({"canary": "x", "name": "t", "examples": examples})


def _multiemo_files():
    rng = np.random.default_rng(0)
    labels = [multiemo.LABELS[i] for i in rng.integers(0, 4, N)]
    files = {}
    for lang in multiemo.LANGS:
        rows = list(range(N))
        if lang == "de":
            rows.remove(DE_MISSING)
        if lang == "pt":
            tail = rows[PT_ROWS:]
            np.random.default_rng(1).shuffle(tail)
            rows = rows[:PT_ROWS] + tail[:40]
        # zh has blank rows, as the real file does (empty translations)
        examples = [{"input": "" if lang == "zh" and r % 7 == 3 else f"{lang} sentence {r}.",
                     "target_scores": {lab: int(lab == labels[r])
                                       for lab in ("ambivalent", "positive", "negative", "neutral")}}
                    for r in rows]
        files[f"multiemo/all_sentence_{lang}/task.json"] = _task(examples)
    return files


def _other_files():
    vitaminc = [{"input": f"Page {i}: evidence {i} .\nClaim: claim {i} .",
                 "target_scores": {"True": int(i % 3 == 0), "False": int(i % 3 == 1), "Neither": int(i % 3 == 2)}}
                for i in range(30)]
    # The real file's shape: "Premise: ... Hypothesis: ...", premises that themselves contain "that".
    epistemic = [{"input": f"Premise: Ann knows that Bob thinks that dog {i} runs. Hypothesis: Bob thinks that dog {i} runs.",
                  "target_scores": {"entailment": int(i % 3 == 0), "non-entailment": int(i % 3 != 0)}}
                 for i in range(25)]
    siqa = [{"input": f"Alex did thing {i}. Then more. What will Alex want to do next? ",
             "target_scores": {"rest": int(i % 3 == 0), "eat": int(i % 3 == 1), "run": int(i % 3 == 2)}}
            for i in range(20)]
    squad = {"version": "1.1", "data": [
        {"title": f"T{a}", "paragraphs": [{"context": f"Context {a} says Paris.", "qas": [
            {"id": f"{a}-{q}", "question": f"Q{q}?", "answers": [{"text": "Paris", "answer_start": 15}]}
            for q in range(3)]}]} for a in range(6)]}
    docs = []
    for lang in bigbench.PARAGRAPH_LANGS:
        words = " ".join(sorted(bigbench.STOPWORDS[lang]))
        docs += [{"input": f"{lang} first {words}.\n{lang} second {words}.\n", "target": "0 1"} for _ in range(2)]
    return {"vitaminc_fact_verification/task.json": _task(vitaminc), "social_iqa/task.json": _task(siqa),
            "epistemic_reasoning/task.json": _task(epistemic),
            "squad_shifts/squaddev_v1.1.json": json.dumps(squad),
            "paragraph_segmentation/task.json": _task(docs)}


@pytest.fixture
def sdist(tmp_path, monkeypatch):
    path = tmp_path / "bigbench-1.0.0.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for rel, text in {**_multiemo_files(), **_other_files(), "README.md": "not needed"}.items():
            src = tmp_path / "src" / rel
            src.parent.mkdir(parents=True, exist_ok=True)
            src.write_text(text, encoding="utf-8")
            tf.add(src, bigbench.ROOT + rel if rel != "README.md" else "bigbench-1.0.0/README.md")
    monkeypatch.setattr(assets, "fetch_sdist", lambda name, version, root=None: path)
    return path


SIZES = bigbench.Sizes(multiemo_train=None, multiemo_validation=40, multiemo_test=30, retrieval=50,
                       vitaminc_train=None, vitaminc_validation=6, epistemic_validation=5, squad_validation_articles=2,
                       social_iqa_validation=5, seed=3)


def test_prepare_data_writes_every_task_from_the_sdist(tmp_path, sdist):
    folders = bigbench.prepare_data(tmp_path / "cache", SIZES)
    assert set(folders) == {"multiemo", "multiemo_retrieval", "vitaminc", "epistemic_reasoning", "squad_shifts_dev",
                            "social_iqa", "mlm_text"}
    assert all(is_done(f) for f in folders.values())
    assert not (tmp_path / "cache" / "extract" / "bigbench-1.0.0" / "bigbench-1.0.0" / "README.md").exists()

    me = folders["multiemo"]
    train, val = read_jsonl(me / "train-en.jsonl"), read_jsonl(me / "validation-en.jsonl")
    assert len(val) == 40 and len(train) == N - 40 - 4 * 30
    assert not {e["id"] for e in train} & {e["id"] for e in val}
    for lang in multiemo.LANGS:
        test = read_jsonl(me / f"test-{lang}.jsonl")
        assert len(test) == 30 and not {e["id"] for e in test} & {e["id"] for e in train}
        for e in test:   # the text is the translation of the English row the id names
            assert e["text"] == f"{lang} sentence {e['id'].split('-')[1]}."
            assert e["label"] in multiemo.LABELS


def test_de_and_pt_pairs_are_right_in_retrieval(tmp_path, sdist):
    folders = bigbench.prepare_data(tmp_path / "cache", SIZES)
    train_ids = {e["id"] for e in read_jsonl(folders["multiemo"] / "train-en.jsonl")}
    for lang in ("de", "pt", "zh"):
        rows = read_jsonl(folders["multiemo_retrieval"] / f"test-{lang}.jsonl")
        cands = {e["id"]: e["text"] for e in rows if e["kind"] == "candidate"}
        queries = [e for e in rows if e["kind"] == "query"]
        assert len(queries) >= 20
        for q in queries:
            row = q["text"].split()[-1].rstrip(".")
            assert cands[q["gold"][0]] == f"en sentence {row}." and f"multiemo-{row}" not in train_ids
    stats = json.loads((folders["multiemo"] / "DONE").read_text())["alignment"]
    assert stats["de"]["rows"] == N - 1 and N - 1 - 40 < stats["de"]["aligned"] <= N - 1
    assert stats["pt"]["rows"] == PT_ROWS + 40 and PT_ROWS - 30 < stats["pt"]["aligned"] <= PT_ROWS + 40


def test_intermediate_tasks_have_canonical_fields(tmp_path, sdist):
    folders = bigbench.prepare_data(tmp_path / "cache", SIZES)
    vit = read_jsonl(folders["vitaminc"] / "train-en.jsonl") + read_jsonl(folders["vitaminc"] / "validation-en.jsonl")
    assert len(vit) == 30
    v0 = next(e for e in vit if e["id"] == "vitaminc-0")
    assert v0 == {"id": "vitaminc-0", "premise": "Page 0: evidence 0 .", "hypothesis": "claim 0 .", "label": "supports"}
    ep_train = read_jsonl(folders["epistemic_reasoning"] / "train-en.jsonl")
    ep_val = read_jsonl(folders["epistemic_reasoning"] / "validation-en.jsonl")
    assert len(ep_train) == 20 and len(ep_val) == 5
    e3 = next(e for e in ep_train + ep_val if e["id"] == "epistemic-3")
    assert e3 == {"id": "epistemic-3", "premise": "Ann knows that Bob thinks that dog 3 runs.",
                  "hypothesis": "Bob thinks that dog 3 runs.", "label": "entailment"}
    siqa = read_jsonl(folders["social_iqa"] / "train-en.jsonl")
    assert len(siqa) == 15
    s = siqa[0]
    assert s["context"].endswith("Then more.") and s["question"] == "What will Alex want to do next?"
    assert s["choices"] == ["rest", "eat", "run"] and s["choices"][s["label"]] in ("rest", "eat", "run")
    sq_train = read_jsonl(folders["squad_shifts_dev"] / "train-en.jsonl")
    sq_val = read_jsonl(folders["squad_shifts_dev"] / "validation-en.jsonl")
    assert len(sq_val) == 6 and len(sq_train) == 12
    assert not {e["title"] for e in sq_train} & {e["title"] for e in sq_val}
    ex = sq_train[0]
    assert ex["context"][ex["answers"]["answer_start"][0]:].startswith(ex["answers"]["text"][0])
    de_text = (folders["mlm_text"] / "de.txt").read_text()
    assert de_text.count("\n\n") == 1 and de_text.startswith("de first")


def test_same_sizes_and_seed_give_the_same_files_and_reuse_them(tmp_path, sdist):
    a = bigbench.prepare_data(tmp_path / "a", SIZES)
    b = bigbench.prepare_data(tmp_path / "b", SIZES)
    for name in a:
        for f in sorted(a[name].iterdir()):
            if f.name != "DONE":
                assert f.read_bytes() == (b[name] / f.name).read_bytes(), f
    other = bigbench.prepare_data(tmp_path / "a", bigbench.Sizes(**{**SIZES.__dict__, "seed": 4}))
    assert other["multiemo"] != a["multiemo"]
    assert read_jsonl(other["multiemo"] / "validation-en.jsonl") != read_jsonl(a["multiemo"] / "validation-en.jsonl")


def test_a_language_block_out_of_place_is_refused(tmp_path):
    raw = tmp_path / "raw"
    docs = []
    for lang in reversed(bigbench.PARAGRAPH_LANGS):
        docs.append({"input": " ".join(sorted(bigbench.STOPWORDS[lang])) + "\n", "target": "1"})
    path = raw / bigbench.ROOT / "paragraph_segmentation" / "task.json"
    path.parent.mkdir(parents=True)
    path.write_text(_task(docs))
    with pytest.raises(UserError, match="layout changed"):
        bigbench.convert_paragraphs(raw, tmp_path / "out", bigbench.Sizes())


def test_guess_lang_on_real_sentences():
    assert bigbench.guess_lang("Der Hund ist nicht im Haus und die Katze schläft.") == "de"
    assert bigbench.guess_lang("El perro y los gatos están en la casa por la noche.") == "es"
    assert bigbench.guess_lang("O cão não está em casa e os gatos dormem com uma manta.") == "pt"
    assert bigbench.guess_lang("Het is een mooie dag en de kat van de buren is ook buiten.") == "nl"



def test_multiemo_test_sets_hold_the_same_items_in_every_language(tmp_path, sdist):
    folders = bigbench.prepare_data(tmp_path / "cache", SIZES)
    ids = {lang: [e["id"] for e in read_jsonl(folders["multiemo"] / f"test-{lang}.jsonl")] for lang in multiemo.LANGS}
    assert len(ids["en"]) == 30 and all(v == ids["en"] for v in ids.values())
    # drawn from the whole held-out sample, not its lowest row numbers (the files are ordered by domain)
    assert max(int(i.split("-")[1]) for i in ids["en"]) > N // 2


def test_an_extract_missing_a_newly_needed_member_is_extracted_again(tmp_path, sdist):
    root = tmp_path / "cache"
    out = bigbench.extract_bigbench(root)
    member = out / bigbench.ROOT / "epistemic_reasoning" / "task.json"
    member.unlink()  # as an extract made by a version that did not read this task
    assert is_done(out)
    assert bigbench.extract_bigbench(root) == out and member.is_file()


def test_a_malformed_epistemic_row_is_refused_with_its_row(tmp_path):
    path = tmp_path / "raw" / bigbench.ROOT / "epistemic_reasoning" / "task.json"
    path.parent.mkdir(parents=True)
    path.write_text(_task([{"input": "Premise: a. Hypothesis: b.", "target_scores": {"entailment": 1}},
                           {"input": "no premise here", "target_scores": {"entailment": 1}}]))
    with pytest.raises(UserError, match="row 1: expected 'Premise: <p> Hypothesis: <h>'"):
        bigbench.convert_epistemic(tmp_path / "raw", tmp_path / "out", bigbench.Sizes())
