"""Each layout reads a few hand-written lines in the exact shape of the real file (not copied from the data set):
what XTREME's download script and utils_preprocess.py leave, or the release itself where we read that."""

import json

import pytest

from intermezzo.data.layouts import LAYOUTS
from intermezzo.errors import UserError
from intermezzo.tasks import get_task


def read(task, folder, split, lang):
    spec = get_task(task)
    return LAYOUTS[spec.layout].read(spec, folder, split, lang)


def put(path, text, encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def jsonl(rows):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def test_xnli_as_csv_writer_left_it_crlf_quotes_bom_and_no_test_label(tmp_path):
    # utils_preprocess.py xnli_preprocess: csv.writer(delimiter="\t") -> CRLF, "" doubling; test rows lose the label.
    put(tmp_path / "test-de.tsv", '\ufeff"Er sagte: ""Nein."""\tEr schwieg .\r\nDas ist gut .\tDas ist schlecht .\r\n')
    put(tmp_path / "dev-de.tsv", "Ein Hund bellt .\tEin Tier macht Lärm .\tentailment\r\n")
    test = read("xnli", tmp_path, "test", "de")
    assert test == [{"id": "test-0", "premise": 'Er sagte: "Nein."', "hypothesis": "Er schwieg ."},
                    {"id": "test-1", "premise": "Das ist gut .", "hypothesis": "Das ist schlecht ."}]
    assert read("xnli", tmp_path, "validation", "de")[0]["label"] == "entailment"


def test_pawsx_labels_are_zero_and_one(tmp_path):
    put(tmp_path / "dev-ja.tsv", "東京は日本の首都です。\t日本の首都は東京です。\t1\r\n")
    assert read("pawsx", tmp_path, "validation", "ja")[0]["label"] == "1"


def test_mnli_glue_header_parse_columns_and_unquoted_quotes(tmp_path):
    header = ("index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\t"
              "sentence2_parse\tsentence1\tsentence2\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n")
    row = ('0\t63735\t63735n\tslate\t( ( The \" x \" ) )\t( A )\t(ROOT (S))\t(ROOT (NP))\tThe "new" rights are '
           'nice enough\tEveryone really likes the newest benefits\tneutral\tentailment\tneutral\tneutral\tneutral\t'
           'neutral\n')
    put(tmp_path / "dev_matched.tsv", header + row)
    (ex,) = read("mnli", tmp_path, "validation", "en")
    assert ex["premise"] == 'The "new" rights are nice enough' and ex["label"] == "neutral"
    put(tmp_path / "test.tsv", "id\tquestion1\tquestion2\n0\tHow do I learn?\tWhat is learning?\n")
    assert read("qqp", tmp_path, "test", "en") == [{"id": "test-1", "question1": "How do I learn?",
                                                    "question2": "What is learning?"}]


def test_snli_and_anli_release_rows(tmp_path):
    put(tmp_path / "snli_1.0" / "snli_1.0_dev.jsonl", jsonl([
        {"annotator_labels": ["neutral", "neutral"], "captionID": "4705552913.jpg#2", "gold_label": "neutral",
         "pairID": "4705552913.jpg#2r1n", "sentence1": "Two women hug.", "sentence1_binary_parse": "( x )",
         "sentence1_parse": "(ROOT)", "sentence2": "They are sisters.", "sentence2_binary_parse": "( y )",
         "sentence2_parse": "(ROOT)"}]))
    put(tmp_path / "anli_v1.0" / "R1" / "dev.jsonl", jsonl([
        {"uid": "7a0b", "context": "A film from 1990.", "hypothesis": "It is old.", "label": "e", "model_label": "n",
         "emturk": False, "genre": "", "reason": "1990 is long ago", "tag": ""}]))
    rows = read("anli_plus", tmp_path, "validation", "en")
    assert [(r["id"], r["label"]) for r in rows] == [("snli-1", "neutral"), ("anli-r1-7a0b", "entailment")]


def test_panx_xtreme_test_has_tokens_only_and_raw_wikiann_prefixes_are_cut(tmp_path):
    put(tmp_path / "test-de.tsv", "Angela\nMerkel\nspricht\n\nin\nBerlin\n")  # panx_preprocess: test = tokens
    put(tmp_path / "dev-de.tsv", "de:Angela\tB-PER\nde:Merkel\tI-PER\nde:http://x.de\tO\n")  # raw WikiANN
    test = read("panx", tmp_path, "test", "de")
    assert [t["tokens"] for t in test] == [["Angela", "Merkel", "spricht"], ["in", "Berlin"]]
    assert all("tags" not in t for t in test)
    assert read("panx", tmp_path, "validation", "de")[0] == {
        "id": "de-validation-0", "tokens": ["Angela", "Merkel", "http://x.de"], "tags": ["B-PER", "I-PER", "O"]}


def test_tagging_space_separated_lines_and_a_token_with_a_space(tmp_path):
    put(tmp_path / "dev-en.tsv", "Paris PROPN\nis\tAUX\n\n10 000\n")
    first, second = read("udpos", tmp_path, "validation", "en")
    assert first["tags"] == ["PROPN", "AUX"] and first["tokens"] == ["Paris", "is"]
    assert second == {"id": "en-validation-1", "tokens": ["10 000"]}  # "000" is no tag: one token


CONLLU = """# newdoc id = n01001
# sent_id = es-1
# text = Vamos al mercado.
1-2\tVamos\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No
1\tVamos\tir\tVERB\t_\t_\t0\troot\t_\t_
2\tnos\tnosotros\tPRON\t_\t_\t1\tobj\t_\t_
3-4\tal\t_\t_\t_\t_\t_\t_\t_\t_
3\ta\ta\tADP\t_\t_\t5\tcase\t_\t_
4\tel\tel\tDET\t_\t_\t5\tdet\t_\t_
5\tmercado\tmercado\tNOUN\t_\t_\t1\tobl\t_\tSpaceAfter=No
5.1\tva\tir\tVERB\t_\t_\t_\t_\t0:root\t_
6\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_

# sent_id = es-2
# text = _ _ _
1\t_\t_\tNOUN\t_\t_\t0\troot\t_\t_
2\t_\t_\tVERB\t_\t_\t1\tdep\t_\t_
3\t_\t_\tPUNCT\t_\t_\t1\tpunct\t_\t_
"""


def test_udpos_from_the_ud_release_conllu_as_xtremes_conversion_does(tmp_path):
    # conllu_to_conll.py --replace_subtokens_with_fused_forms: "Vamos" (1-2) keeps its head word's VERB; "al" (3-4):
    # both words hang off "mercado", equally high, so the POS precedence picks ADP. Empty node 5.1 and comments go;
    # the second sentence, released without its words ("_"), is dropped as udpos_preprocess does.
    put(tmp_path / "ud-treebanks-v2.5" / "UD_Spanish-GSD" / "es_gsd-ud-dev.conllu", CONLLU)
    (sentence,) = read("udpos", tmp_path, "validation", "es")
    assert sentence["tokens"] == ["Vamos", "al", "mercado", "."]
    assert sentence["tags"] == ["VERB", "ADP", "NOUN", "PUNCT"]


def test_conllu_line_with_nine_columns_names_the_line(tmp_path):
    put(tmp_path / "UD_German-GSD" / "de_gsd-ud-test.conllu", "# text = x\n1\tx\tx\tNOUN\t_\t_\t0\troot\t_\n")
    with pytest.raises(UserError, match=r"de_gsd-ud-test\.conllu:2: a CoNLL-U line has 10"):
        read("udpos", tmp_path, "test", "de")


def test_squad_versions_xtreme_blanked_test_and_v2_impossible(tmp_path):
    xquad = {"data": [{"paragraphs": [{"context": "Anna wohnt in Wien.", "qas": [
        {"answers": [{"answer_start": 0, "text": ""}], "question": "Wo wohnt Anna?", "id": "56be85543aeaaa14"}]}]}],
        "version": "1.1"}  # remove_qa_test_annotations: no title, one paragraph per question, blanked answers
    put(tmp_path / "xquad.de.json", json.dumps(xquad, ensure_ascii=False))
    assert read("xquad", tmp_path, "test", "de") == [
        {"id": "56be85543aeaaa14", "context": "Anna wohnt in Wien.", "question": "Wo wohnt Anna?"}]
    v2 = {"version": "v2.0", "data": [{"title": "Normans", "paragraphs": [{"context": "The Normans were in France.",
          "qas": [{"question": "Who was in France?", "id": "a1",
                   "answers": [{"text": "The Normans", "answer_start": 0}], "is_impossible": False},
                  {"plausible_answers": [{"text": "France", "answer_start": 20}], "question": "Who was in Spain?",
                   "id": "a2", "answers": [], "is_impossible": True}]}]}]}
    put(tmp_path / "dev-v2.0.json", json.dumps(v2))
    first, second = read("squad_v2", tmp_path, "validation", "en")
    assert first["answers"] == {"text": ["The Normans"], "answer_start": [0]}
    assert second["answers"] == {"text": [], "answer_start": []}  # gold "no answer", not unlabelled
    mlqa = {"version": 1.0, "data": [{"title": "x", "paragraphs": [{"context": "Hi there", "qas": [
        {"id": "0a1b", "question": "Who?", "answers": [{"text": "there", "answer_start": 3}]}]}]}]}
    put(tmp_path / "MLQA_V1" / "dev" / "dev-context-de-question-de.json", json.dumps(mlqa))
    assert read("mlqa", tmp_path, "validation", "de")[0]["answers"]["text"] == ["there"]


def _xcopa(i, label, question="cause"):
    return {"premise": f"Premessa {i}.", "choice1": "Uno.", "choice2": "Due.", "question": question,
            "label": label, "idx": i, "changed": False}


def test_xcopa_release_rows_and_xtremes_zeroed_test_labels(tmp_path):
    put(tmp_path / "val-it.jsonl", jsonl([_xcopa(1, 1), _xcopa(2, 0, "effect")]))
    val = read("xcopa", tmp_path, "validation", "it")
    assert val[0] == {"id": "validation-1", "context": "Premessa 1.", "question": "What was the cause?",
                      "choices": ["Uno.", "Due."], "label": 1}
    # xcopa_preprocess sets every test label to 0 ("a label is still required by the dataset format")
    put(tmp_path / "test-it.jsonl", jsonl([_xcopa(i, 0) for i in range(1, 13)]))
    assert not any("label" in ex for ex in read("xcopa", tmp_path, "test", "it"))
    # XCOPA's own repository layout: data/{lang}/test.{lang}.jsonl, real labels
    put(tmp_path / "release" / "data" / "tr" / "test.tr.jsonl", jsonl([_xcopa(i, i % 2) for i in range(1, 13)]))
    assert [ex["label"] for ex in read("xcopa", tmp_path / "release", "test", "tr")][:2] == [1, 0]


def test_siqa_hellaswag_cosmosqa_commonsenseqa_release_rows(tmp_path):
    put(tmp_path / "socialIQa_v1.4_dev.jsonl", jsonl([
        {"context": "Tracy fed the cat.", "question": "Why did Tracy do this?", "answerA": "to be kind",
         "answerB": "to sleep", "answerC": "to run", "correct": "A", "promptDim": "wanted", "promptQuestion": "Why"}]))
    assert read("siqa", tmp_path, "validation", "en")[0]["label"] == 0
    put(tmp_path / "hellaswag_val.jsonl", jsonl([
        {"ind": 24, "activity_label": "Roof shingle removal", "ctx_a": "A man is on a roof.", "ctx_b": "he",
         "ctx": "A man is on a roof. he", "split": "val", "split_type": "indomain", "label": 3,
         "endings": ["a", "b", "c", "d"], "source_id": "activitynet~v_-JhWjGDPHMY"}]))
    assert read("hellaswag", tmp_path, "validation", "en")[0] == {
        "id": "hellaswag-24", "context": "A man is on a roof.", "question": "he", "choices": ["a", "b", "c", "d"],
        "label": 3}
    put(tmp_path / "valid.csv", 'id,context,question,answer0,answer1,answer2,answer3,label\n'
                                '3Q9,"Good day, said he.\nThen he left.",Why?,a,"b, c",d,e,1\n')
    ex = read("cosmosqa", tmp_path, "validation", "en")[0]
    assert ex["context"] == "Good day, said he.\nThen he left." and ex["choices"][1] == "b, c" and ex["label"] == 1
    put(tmp_path / "dev_rand_split.jsonl", jsonl([
        {"answerKey": "B", "id": "1afa02df02c908a558b4036e80242fac", "question": {
            "question_concept": "revolving door", "choices": [{"label": k, "text": t} for k, t in
                                                             zip("ABCDE", ["bank", "library", "mall", "tower", "zoo"])],
            "stem": "A revolving door is convenient for two direction travel, where?"}}]))
    assert read("commonsenseqa", tmp_path, "validation", "en")[0]["label"] == 1


def test_tatoeba_laser_three_letter_names_and_xtremes_sorted_english(tmp_path):
    put(tmp_path / "tatoeba.cmn-eng.cmn", "我很好。\n谢谢。\n")  # LASER names Chinese cmn, Persian pes
    put(tmp_path / "tatoeba.cmn-eng.eng", "I am fine.\nThank you.\n")
    rows = read("tatoeba", tmp_path, "test", "zh")
    assert rows[1] == {"id": "zh-1", "kind": "query", "text": "谢谢。", "gold": ["en-1"]}
    put(tmp_path / "xtreme" / "fa-en.fa", "سلام\n")  # tatoeba_preprocess: English side sorted, no alignment
    put(tmp_path / "xtreme" / "fa-en.en", "Hello\n")
    assert all("gold" not in r for r in read("tatoeba", tmp_path / "xtreme", "test", "fa"))


def test_bucc_ids_gold_and_the_release_folder(tmp_path):
    put(tmp_path / "de-en.dev.de", "de-000000001\tDas Haus ist rot.\nde-000000002\tHeute regnet es.\n")
    put(tmp_path / "de-en.dev.en", "en-000000001\tIt rains today.\nen-000000002\tA cat sleeps.\n")
    put(tmp_path / "de-en.dev.gold", "de-000000002\ten-000000001\n")
    rows = read("bucc2018", tmp_path, "validation", "de")
    assert [r.get("gold") for r in rows if r["kind"] == "query"] == [[], ["en-000000001"]]
    assert [r["id"] for r in rows if r["kind"] == "candidate"] == ["en-000000001", "en-000000002"]
    release = tmp_path / "bucc2018" / "fr-en"  # as the tarball unpacks: {lang}-en.{sample,training}.*
    put(release / "fr-en.training.fr", "fr-000000001\tBonjour.\n")
    put(release / "fr-en.training.en", "en-000000001\tHello.\n")
    rows = read("bucc2018", tmp_path / "bucc2018", "test", "fr")
    assert rows[0] == {"id": "fr-000000001", "kind": "query", "text": "Bonjour."}  # no gold file: unlabelled


def test_mewslix_xtremes_blanked_test_labels_leave_queries_unlabelled(tmp_path):
    put(tmp_path / "candidate_set_entities.jsonl", jsonl([
        {"entity_id": "Q64", "title": "Berlin", "description": "capital of Germany", "description_language": "en",
         "description_url": "https://en.wikipedia.org/wiki/Berlin", "sentence_spans": [{"start": 0, "end": 18}]}]))
    context = {"document_title": "T", "document_url": "u", "document_id": "d", "language": "de",
               "text": "Gestern. Er fuhr nach Berlin.", "sentence_spans": [{"start": 0, "end": 8},
                                                                          {"start": 9, "end": 29}]}
    mention = {"example_id": "wn-1", "mention_span": {"start": 22, "end": 28, "text": "Berlin"}, "entity_id": ""}
    put(tmp_path / "wikinews_mentions" / "test-de.jsonl", jsonl([{"context": context, "mentions": [mention]}]))
    put(tmp_path / "wikinews_labels" / "test-de.json", json.dumps({"wn-1": [""]}))  # mewslix_preprocess
    query = read("mewslix", tmp_path, "test", "de")[0]
    assert query == {"id": "wn-1", "kind": "query", "text": "Er fuhr nach Berlin.", "mention": "Berlin",
                     "mention_start": 13}


def test_lareqa_xquad_r_sentence_breaks(tmp_path):
    doc = {"version": "1.1", "data": [{"title": "T", "paragraphs": [{
        "context": "Anna lives in Rome. Boris works in Paris.", "sentences": ["Anna lives in Rome.",
                                                                          "Boris works in Paris."],
        "sentence_breaks": [[0, 19], [20, 41]],
        "qas": [{"id": "q1", "question": "Where does Boris work?",
                 "answers": [{"text": "Paris", "answer_start": 35}]}]}]}]}
    put(tmp_path / "xquad-r" / "en.json", json.dumps(doc))
    rows = read("lareqa", tmp_path, "test", "en")
    assert rows[0] == {"id": "en-q1", "kind": "query", "text": "Where does Boris work?", "gold": ["en-0-0-1"]}
    assert rows[2] == {"id": "en-0-0-1", "kind": "candidate", "text": "Boris works in Paris."}


def test_utf16_with_bom_and_latin1_files(tmp_path):
    put(tmp_path / "test-de.tsv", "\ufeffÄpfel\tBirnen\n", encoding="utf-16-le")
    assert read("xnli", tmp_path, "test", "de")[0]["premise"] == "Äpfel"
    put(tmp_path / "test-fr.tsv", "Élan\tx\n", encoding="latin-1")
    with pytest.raises(UserError, match=r"test-fr\.tsv: not UTF-8 text.*re-save it as UTF-8"):
        read("xnli", tmp_path, "test", "fr")
