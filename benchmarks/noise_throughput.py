"""Characters per second of intermezzo's keyboard and char_* noise vs nlpaug's KeyboardAug and RandomCharAug.

Run: python benchmarks/noise_throughput.py [--sentences N]. nlpaug is optional (the `bench` extra; keep it out
of the main venv); without it only our figures are printed. Same Latin text, same nominal rate, one process,
single sentences and 6-sentence paragraphs. Both sides take the whole list in one call (our batch API, nlpaug's
list input); our per-text loop is shown too. Rates are CPU seconds of this process (time.process_time), best
of alternating rounds, so other load on a shared machine does not tilt the ratio. A last table runs our batch
API on other scripts, which nlpaug's character augmenters do not model.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from intermezzo.noise import BATCH, FAMILIES, supported  # noqa: E402
from intermezzo.noise.scripts import alphabet  # noqa: E402

WORDS = ("the of and to in is was for on that with as by at from his her which are be this an have had not "
         "river station government language children thousand morning village history question people "
         "between another together different important international university musicians population").split()
LEVEL = 0.1
OURS = ["keyboard", "char_insert", "char_delete", "char_substitute", "char_swap"]
SCRIPTS = ["ru", "el", "ar", "hi", "ta", "th", "ko", "ja"]  # one language per non-Latin script family


def corpus(n: int, seed: int = 0) -> list[str]:
    """`n` reproducible English-like sentences of 12-24 words."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        words = [WORDS[i] for i in rng.integers(len(WORDS), size=int(rng.integers(12, 25)))]
        out.append(" ".join(words).capitalize() + ".")
    return out


def script_corpus(lang: str, n: int, seed: int = 0) -> list[str]:
    """`n` sentences of 12-24 words of 2-7 letters from `lang`'s alphabet (word shapes, not real words)."""
    rng, letters = np.random.default_rng(seed), alphabet(lang)
    return [" ".join("".join(letters[i] for i in rng.integers(len(letters), size=int(rng.integers(2, 8))))
                     for _ in range(int(rng.integers(12, 25)))) + "." for _ in range(n)]


def texts_of(sentences: list[str], per_text: int) -> list[str]:
    return [" ".join(sentences[i:i + per_text]) for i in range(0, len(sentences), per_text)]


def our_runs(texts: list[str], lang: str = "en", loop: bool = True) -> dict[str, callable]:
    """One timed pass of each of our families over `texts`: the batch API, and the per-text loop."""
    rng = np.random.default_rng(0)
    runs = {f: (lambda fn=BATCH[f]: fn(texts, lang, LEVEL, rng)) for f in OURS if supported(lang, f)}
    if loop:
        runs.update({f"{f} (loop)": (lambda fn=FAMILIES[f]: [fn(t, lang, LEVEL, rng) for t in texts]) for f in OURS})
    return runs


def nlpaug_runs(texts: list[str]) -> dict[str, callable] | None:
    """One timed pass of each nlpaug augmenter over `texts`, or None when nlpaug is not installed."""
    try:
        import nlpaug.augmenter.char as nac
    except ImportError:
        return None
    # Every word of 2+ letters may be touched (nlpaug swap fails on 1-letter words), about LEVEL of its characters.
    common = dict(aug_char_p=LEVEL, aug_word_p=1.0, aug_char_max=None, aug_word_max=None, min_char=2)
    augs = {"KeyboardAug": nac.KeyboardAug(include_special_char=False, include_numeric=False, **common)}
    for action in ("insert", "delete", "substitute", "swap"):
        augs[f"RandomCharAug({action})"] = nac.RandomCharAug(action=action, include_numeric=False, **common)
    return {name: (lambda a=aug: a.augment(texts)) for name, aug in augs.items()}  # its list input: one call


def best_rates(runs: dict[str, dict[str, callable]], chars: dict[str, int], rounds: int) -> dict[str, dict]:
    """Characters per CPU second, best of `rounds`; the runs alternate so both sides see the same load."""
    best = {side: dict.fromkeys(fns, 0.0) for side, fns in runs.items()}
    for _ in range(rounds):
        for side, fns in runs.items():
            for name, fn in fns.items():
                start = time.process_time()
                fn()
                best[side][name] = max(best[side][name], chars[side] / max(time.process_time() - start, 1e-9))
    return best


def harmonic(rates) -> float:
    """Characters per second when each family processes the text in turn."""
    rates = list(rates)
    return len(rates) / sum(1 / r for r in rates)


def compare(sentences: list[str], per_text: int, rounds: int) -> None:
    """Print both sides' figures and their ratio for texts of `per_text` sentences."""
    texts = texts_of(sentences, per_text)
    subset = texts[: max(50, len(texts) // 5)]  # nlpaug is slow: a fifth of the text gives a stable rate
    print(f"\n{len(texts)} English texts of {per_text} sentence(s), {sum(map(len, texts)):,} characters; "
          f"level/aug_char_p {LEVEL}")
    runs = {"ours": our_runs(texts)}
    theirs = nlpaug_runs(subset)
    if theirs is not None:
        runs["nlpaug"] = theirs
    rates = best_rates(runs, {"ours": sum(map(len, texts)), "nlpaug": sum(map(len, subset))}, rounds)
    for family, rate in rates["ours"].items():
        print(f"  intermezzo {family:<24} {rate:>12,.0f} chars/s")
    ours = harmonic(rates["ours"][f] for f in OURS)
    loop = harmonic(rates["ours"][f"{f} (loop)"] for f in OURS)
    if theirs is None:
        print("nlpaug is not installed (pip install 'intermezzo[bench]' in a separate venv): "
              f"intermezzo keyboard+char_* {ours:,.0f} chars/s (per-text loop {loop:,.0f}), no ratio")
        return
    for name, rate in rates["nlpaug"].items():
        print(f"  nlpaug     {name:<24} {rate:>12,.0f} chars/s")
    kb, kb_theirs = rates["ours"]["keyboard"], rates["nlpaug"]["KeyboardAug"]
    theirs_all = harmonic(rates["nlpaug"].values())
    print(f"keyboard: intermezzo {kb:,.0f} vs nlpaug {kb_theirs:,.0f} chars/s -> {kb / kb_theirs:.1f}x")
    print(f"all five, batch API: intermezzo {ours:,.0f} vs nlpaug {theirs_all:,.0f} chars/s -> "
          f"{ours / theirs_all:.1f}x (goal >= 20x); per-text loop {loop / theirs_all:.1f}x")


def other_scripts(n: int, rounds: int) -> None:
    """Our batch API on single sentences of other scripts (clusters, abugidas, Hangul, unspaced text)."""
    print(f"\nintermezzo batch API on {n} single sentences per script, char_* (+ keyboard where a layout exists):")
    for lang in SCRIPTS:
        texts = script_corpus(lang, n)
        rates = best_rates({"ours": our_runs(texts, lang, loop=False)}, {"ours": sum(map(len, texts))}, rounds)
        print(f"  {lang}: {harmonic(rates['ours'].values()):>12,.0f} chars/s")


def main() -> None:
    """Measure and print both figures and their ratio, for sentences and paragraphs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=5, help="best of this many alternating passes")
    parser.add_argument("--per-text", type=int, nargs="+", default=[1, 6],
                        help="sentences per text: 1 = single sentences, 6 ~ a QA paragraph")
    args = parser.parse_args()
    sentences = corpus(args.sentences)
    for per_text in args.per_text:
        compare(sentences, per_text, args.rounds)
    other_scripts(max(20, args.sentences // 3), args.rounds)


if __name__ == "__main__":
    main()
