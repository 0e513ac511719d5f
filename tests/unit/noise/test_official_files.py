"""Noisy copies of official-layout fixture files read back with the task's own reader, labels intact."""

from __future__ import annotations

import shutil
import sys

import pytest

from intermezzo.cli import main
from intermezzo.data.fixtures import write_fixtures
from intermezzo.data.load import load_examples

CASES = [  # task, language, file inside the fixture folder, noise
    ("panx", "ru", "test-ru.tsv", "keyboard:0.3,diacritics:1.0"),
    ("udpos", "de", "test-de.tsv", "char_delete:0.3,char_swap:0.3"),
    ("xnli", "de", "test-de.tsv", "keyboard:0.2,case:0.3,whitespace:0.2"),
    ("pawsx", "ja", "test-ja.tsv", "char_substitute:0.2,punctuation:0.5"),
    ("xquad", "ru", "xquad.ru.json", "keyboard:0.2,diacritics:1.0,whitespace:0.1"),
    ("tydiqa", "ar", "tydiqa-goldp-v1.1-dev/tydiqa.goldp.ar.dev.json", "keyboard:0.2,char_insert:0.1"),
]


@pytest.mark.parametrize("task,lang,name,noise", CASES)
def test_noisy_file_reads_back_with_the_official_reader(task, lang, name, noise, tmp_path, monkeypatch):
    clean_root, noisy_root = tmp_path / "clean", tmp_path / "noisy"
    folder = write_fixtures(task, clean_root)
    shutil.copytree(folder, noisy_root / task)
    monkeypatch.setattr(sys, "argv", ["intermezzo", "noise", "--task", task, "--lang", lang, "--noise", noise,
                                      "--seed", "7", "--input", str(folder / name), "--output",
                                      str(noisy_root / task / name)])
    main()
    clean = load_examples(task, "test", lang, source=clean_root)
    noisy = load_examples(task, "test", lang, source=noisy_root)
    assert len(noisy) == len(clean) > 0
    for c, n in zip(clean, noisy):
        if "tags" in c:
            assert n["tags"] == c["tags"] and len(n["tokens"]) == len(c["tokens"])
        if "label" in c:
            assert n["label"] == c["label"]
        if "answers" in c:  # the reader itself checks context[start:start+len(text)] == text
            assert len(n["answers"]["text"]) == len(c["answers"]["text"])
    assert noisy != clean
