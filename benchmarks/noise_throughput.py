"""Characters per second of intermezzo's keyboard and char_* noise vs nlpaug's KeyboardAug and RandomCharAug.

Run: python benchmarks/noise_throughput.py [--sentences N]. nlpaug is optional (the `bench` extra; keep it out
of the main venv); without it only our figures are printed. Same Latin text, same nominal rate, one process.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from intermezzo.noise import FAMILIES  # noqa: E402

WORDS = ("the of and to in is was for on that with as by at from his her which are be this an have had not "
         "river station government language children thousand morning village history question people "
         "between another together different important international university musicians population").split()
LEVEL = 0.1
OURS = ["keyboard", "char_insert", "char_delete", "char_substitute", "char_swap"]


def corpus(n: int, seed: int = 0) -> list[str]:
    """`n` reproducible English-like sentences of 12-24 words."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        words = [WORDS[i] for i in rng.integers(len(WORDS), size=int(rng.integers(12, 25)))]
        out.append(" ".join(words).capitalize() + ".")
    return out


def our_runs(texts: list[str]) -> dict[str, callable]:
    """One timed pass of each of our families over `texts`."""
    rng = np.random.default_rng(0)
    return {f: (lambda fn=FAMILIES[f]: [fn(t, "en", LEVEL, rng) for t in texts]) for f in OURS}


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
    return {name: (lambda a=aug: [a.augment(t) for t in texts]) for name, aug in augs.items()}


def best_rates(runs: dict[str, dict[str, callable]], chars: dict[str, int], rounds: int) -> dict[str, dict]:
    """Characters per second, best of `rounds`; the runs alternate so that both sides see the same load."""
    best = {side: dict.fromkeys(fns, 0.0) for side, fns in runs.items()}
    for _ in range(rounds):
        for side, fns in runs.items():
            for name, fn in fns.items():
                start = time.perf_counter()
                fn()
                best[side][name] = max(best[side][name], chars[side] / (time.perf_counter() - start))
    return best


def harmonic(rates) -> float:
    """Characters per second when each family processes the text in turn."""
    rates = list(rates)
    return len(rates) / sum(1 / r for r in rates)


def main() -> None:
    """Measure and print both figures and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5, help="best of this many alternating passes")
    parser.add_argument("--per-text", type=int, default=1, help="sentences per text (6 ~ a QA paragraph)")
    args = parser.parse_args()
    sentences = corpus(args.sentences * args.per_text)
    texts = [" ".join(sentences[i:i + args.per_text]) for i in range(0, len(sentences), args.per_text)]
    subset = texts[: max(50, args.sentences // 5)]  # nlpaug is slow: a fifth of the text gives a stable rate
    print(f"text: {len(texts)} English texts of {args.per_text} sentence(s), {sum(map(len, texts)):,} characters; "
          f"level/aug_char_p {LEVEL}")
    runs = {"ours": our_runs(texts)}
    theirs = nlpaug_runs(subset)
    if theirs is not None:
        runs["nlpaug"] = theirs
    rates = best_rates(runs, {"ours": sum(map(len, texts)), "nlpaug": sum(map(len, subset))}, args.rounds)
    for family, rate in rates["ours"].items():
        print(f"  intermezzo {family:<24} {rate:>12,.0f} chars/s")
    ours = harmonic(rates["ours"].values())
    if theirs is None:
        print("nlpaug is not installed (pip install 'intermezzo[bench]' in a separate venv): "
              f"intermezzo keyboard+char_* {ours:,.0f} chars/s, no ratio")
        return
    for name, rate in rates["nlpaug"].items():
        print(f"  nlpaug     {name:<24} {rate:>12,.0f} chars/s")
    kb, kb_theirs = rates["ours"]["keyboard"], rates["nlpaug"]["KeyboardAug"]
    print(f"keyboard: intermezzo {kb:,.0f} vs nlpaug {kb_theirs:,.0f} chars/s -> {kb / kb_theirs:.1f}x")
    theirs_all = harmonic(rates["nlpaug"].values())
    print(f"all five: intermezzo {ours:,.0f} vs nlpaug {theirs_all:,.0f} chars/s -> {ours / theirs_all:.1f}x "
          "(goal >= 20x)")


if __name__ == "__main__":
    main()
