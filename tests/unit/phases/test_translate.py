"""The MT step with fake translators: answer spans survive, or the example is dropped and counted; caching."""

import pytest

from intermezzo.errors import UserError
from intermezzo.mt.cache import CachedTranslator
from intermezzo.phases.translate import translate_examples
from intermezzo.tasks import get_task

WORDS = {"The": "Der", "cat": "Katze", "sat": "sass", "on": "auf", "the": "der", "mat": "Matte", "Where": "Wo",
         "did": "hat", "sit?": "gesessen?", "Paris": "Paris", "is": "ist", "big.": "gross."}


class WordByWord:
    """Translates word by word, keeping brackets glued to words (as MT does with markers)."""

    name = "fake:words"

    def __init__(self, keep_markers=True, garble=()):
        self.calls, self.keep, self.garble = [], keep_markers, set(garble)

    def _word(self, w):
        core = w.strip("[]")
        out = WORDS.get(core, core.upper())
        if core in self.garble:
            out = "xq" * len(core)
        if self.keep:
            out = ("[" if w.startswith("[") else "") + out + ("]" if w.endswith("]") else "")
        return out

    def translate(self, texts, src, tgt):
        self.calls.append(list(texts))
        return [" ".join(self._word(w) for w in t.split()) for t in texts]


def qa(context, answer, i=0):
    return {"id": f"q{i}", "context": context, "question": "Where did the cat sit?",
            "answers": {"text": [answer], "answer_start": [context.index(answer)]}}


def test_qa_answer_span_kept_through_markers():
    out, report = translate_examples(get_task("squad"), [qa("The cat sat on the mat", "mat")], WordByWord(), "en", "de")
    ex = out[0]
    assert ex["context"] == "Der Katze sass auf der Matte" and ex["question"] == "Wo hat der Katze gesessen?"
    start = ex["answers"]["answer_start"][0]
    assert ex["answers"]["text"] == ["Matte"] and ex["context"][start:start + 5] == "Matte"
    assert report == {"kept": 1, "dropped": {}}


def test_qa_lost_markers_fall_back_to_finding_the_answer():
    out, report = translate_examples(get_task("squad"), [qa("The cat sat on the mat", "cat")],
                                     WordByWord(keep_markers=False), "en", "de")
    assert out[0]["answers"] == {"text": ["Katze"], "answer_start": [4]}


def test_qa_unrecoverable_answer_is_dropped_and_counted():
    examples = [qa("The cat sat on the mat", "mat", 0), qa("Paris is big.", "Paris", 1)]
    translator = WordByWord(keep_markers=False, garble={"mat"})
    # The context garbles "mat" but the answer alone is translated differently, so nothing matches.
    translator.translate = _answer_differs(translator.translate)
    out, report = translate_examples(get_task("squad"), examples, translator, "en", "de")
    assert [ex["id"] for ex in out] == ["q1"]
    assert report == {"kept": 1, "dropped": {"answer not found in translated context": 1}}


def _answer_differs(inner):
    def translate(texts, src, tgt):
        return ["Teppich" if t == "mat" else o for t, o in zip(texts, inner(texts, src, tgt))]
    return translate


def test_classification_fields_translated_labels_kept_and_cache_hits(tmp_path):
    spec = get_task("mnli")
    examples = [{"id": "1", "premise": "The cat sat", "hypothesis": "The cat", "label": "neutral"}]
    fake = WordByWord()
    cached = CachedTranslator(fake, tmp_path)
    out, _ = translate_examples(spec, examples, cached, "en", "de")
    assert out[0] == {"id": "1", "premise": "Der Katze sass", "hypothesis": "Der Katze", "label": "neutral"}
    assert examples[0]["premise"] == "The cat sat"  # inputs untouched
    again = CachedTranslator(WordByWord(), tmp_path)
    assert translate_examples(spec, examples, again, "en", "de")[0] == out
    assert again.inner.calls == [] and len(fake.calls) == 1
    assert CachedTranslator(WordByWord(), tmp_path).translate(["The mat"], "en", "fr") == ["Der Matte"]


def test_tagging_cannot_be_translated():
    with pytest.raises(UserError, match="not supported"):
        translate_examples(get_task("udpos"), [{"id": "1", "tokens": ["a"], "tags": ["X"]}], WordByWord(), "en", "de")


def test_multiple_choice_choices_are_translated_and_the_label_kept():
    ex = {"id": "1", "context": "The cat sat", "question": "the mat", "choices": ["on the mat", "Paris"], "label": 1}
    out, report = translate_examples(get_task("siqa"), [ex], WordByWord(), "en", "de")
    assert out[0] == {"id": "1", "context": "Der Katze sass", "question": "der Matte",
                      "choices": ["auf der Matte", "Paris"], "label": 1}
    assert report == {"kept": 1, "dropped": {}}
