"""MultiEmo (BIG-bench `multiemo/all_sentence_<lang>`): sentiment classification and parallel-sentence retrieval.

Layout in the bigbench 1.0.0 sdist: `bigbench/benchmark_tasks/multiemo/all_sentence_<lang>/task.json`, a
BIG-bench JSON task whose "examples" are {"input": sentence, "target_scores": {label: 0|1}} with the four
labels positive / negative / neutral / ambivalent. Polish is the original corpus (Kocoń et al. 2021); the
other ten languages are machine translations of it, row by row - so row i of every file is the same
sentence, except where the files are broken:
  * de has 57,465 rows, one fewer than en's 57,466: English row 46,912 has no German row, so German rows
    from 46,912 on pair with English row + 1;
  * pt has 56,193 rows: verbatim to row 51,722, then rows are missing and out of order.
`align` recovers the pairing of any language with English from the label sequences (a window of labels
that agrees exactly is very unlikely by chance: 4 labels, 24 rows) and keeps only pairs it verified.
"""

from __future__ import annotations

import numpy as np

from intermezzo.errors import UserError

LANGS = ("en", "de", "es", "fr", "it", "ja", "nl", "pl", "pt", "ru", "zh")
LABELS = ("ambivalent", "negative", "neutral", "positive")
WINDOW = 24          # rows of labels that must agree exactly to (re)start an aligned run
KEEP = 0.75          # share of the trailing window that must agree to stay in a run
SKIP_OWN = 64        # rows of the language's file skipped at most per re-synchronisation step
SKIP_REF = 2048      # rows of the English file skipped at most when re-synchronising
MARGIN = 8           # rows at the start of a re-synchronised run left unpaired (they may agree by chance)


def label_of(example: dict, where: str) -> str:
    """The one label whose target score is 1."""
    scores = example.get("target_scores")
    if not isinstance(scores, dict):
        raise UserError(f"{where}: example without target_scores; is this a BIG-bench multiple-choice task?")
    best = [k for k, v in scores.items() if v == 1]
    if len(best) != 1 or best[0] not in LABELS:
        raise UserError(f"{where}: expected exactly one of {', '.join(LABELS)} scored 1, got {scores}")
    return best[0]


def _codes(labels: list[str]) -> np.ndarray:
    index = {lab: i for i, lab in enumerate(LABELS)}
    return np.array([index[lab] for lab in labels], dtype=np.int8)


def _resync(ref: np.ndarray, own: np.ndarray, i: int, j: int) -> tuple[int, int] | None:
    """The (i2 >= i, j2 >= j) nearest to (i, j) where WINDOW labels agree exactly, or None."""
    best, ones = None, np.ones(WINDOW, dtype=np.int32)
    for d in range(j - i - SKIP_OWN, j - i + SKIP_REF + 1):   # d = j2 - i2, the diagonal
        lo = max(i, j - d, -d)
        hi = min(i + SKIP_OWN, j + SKIP_REF - d, len(own) - WINDOW, len(ref) - WINDOW - d)
        if hi < lo:
            continue
        same = (own[lo:hi + WINDOW] == ref[lo + d:hi + d + WINDOW]).astype(np.int32)
        hits = np.flatnonzero(np.convolve(same, ones, mode="valid") == WINDOW)
        if hits.size:
            i2 = lo + int(hits[0])
            cost = (i2 - i) + (i2 + d - j)
            if best is None or cost < best[0]:
                best = (cost, i2, i2 + d)
    return None if best is None else (best[1], best[2])


def align(ref_labels: list[str], labels: list[str]) -> dict[int, int]:
    """{row of `labels`: row of `ref_labels`} for rows verified parallel (labels equal, inside agreeing runs).

    Runs are monotonic: rows moved out of order are dropped, never guessed.
    """
    ref, own = _codes(ref_labels), _codes(labels)
    pairs: dict[int, int] = {}
    i = j = 0
    while i < len(own) - WINDOW and j < len(ref) - WINDOW:
        start = _resync(ref, own, i, j)
        if start is None:
            i += SKIP_OWN    # nothing parallel near here: skip ahead in the language's file
            continue
        margin = 0 if start == (0, 0) else MARGIN
        i, j = start
        agree = np.zeros(WINDOW, dtype=bool)
        n = 0
        while i < len(own) and j < len(ref):
            same = bool(own[i] == ref[j])
            agree[n % WINDOW], n = same, n + 1
            if n >= WINDOW and agree.sum() < KEEP * WINDOW:
                # the run broke within the last WINDOW rows: drop them unverified, search again from midway
                for k in range(WINDOW):
                    pairs.pop(i - k, None)
                i, j = i - WINDOW // 2, j - WINDOW // 2
                break
            if same and n > margin:
                pairs[i] = j
            i, j = i + 1, j + 1
    return pairs


def split_rows(n_rows: int, sizes: dict[str, int | None], seed: int) -> dict[str, np.ndarray]:
    """Disjoint, seeded sets of English row numbers per split, in the order of `sizes`; None = the rest."""
    order = np.random.default_rng(seed).permutation(n_rows)
    out, at = {}, 0
    for split, size in sizes.items():
        end = n_rows if size is None else min(n_rows, at + size)
        out[split] = np.sort(order[at:end])
        at = end
    return out


def classification_examples(sentences: list[str], labels: list[str], rows: dict[int, int],
                            wanted: np.ndarray, limit: int | None) -> list[dict]:
    """Examples of one language for the English rows in `wanted` (ids shared across languages).

    Blank rows are left out: the files have a few (zh has 479, empty translations).
    """
    by_en = {en: own for own, en in rows.items()}
    out = [{"id": f"multiemo-{en}", "text": sentences[by_en[en]], "label": labels[by_en[en]]}
           for en in wanted.tolist() if en in by_en and sentences[by_en[en]].strip()]
    return out[:limit] if limit is not None else out


def rows_in_every_language(texts: dict[str, list[str]], aligned: dict[str, dict[int, int]],
                           wanted: np.ndarray) -> np.ndarray:
    """The English rows of `wanted` (in order) that every language has, aligned and non-blank."""
    keep = []
    by_en = {lang: {en: own for own, en in rows.items()} for lang, rows in aligned.items()}
    for en in wanted.tolist():
        own = [by_en[lang].get(en) for lang in aligned]
        if all(o is not None and texts[lang][o].strip() for lang, o in zip(aligned, own)):
            keep.append(en)
    return np.array(keep, dtype=np.int64)


def retrieval_examples(en_sentences: list[str], sentences: list[str], rows: dict[int, int],
                       n: int, seed: int, exclude: set[int] = frozenset()) -> list[dict]:
    """Tatoeba-style: `n` queries in the language, their English sentences as candidates, gold = the pair.

    Only pairs whose sentence is unique on both sides are used, so that the gold candidate is the only
    right answer (short rows such as "Polecam." repeat many times).
    """
    en_count, own_count = _counts(en_sentences), _counts(sentences)
    usable = sorted(own for own, en in rows.items()
                    if en not in exclude and en_count[en_sentences[en]] == 1 and own_count[sentences[own]] == 1
                    and sentences[own].strip() and en_sentences[en].strip())
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.choice(usable, size=min(n, len(usable)), replace=False).tolist()) if usable else []
    queries = [{"id": f"q{rows[own]}", "kind": "query", "text": sentences[own], "gold": [f"c{rows[own]}"]}
               for own in chosen]
    candidates = [{"id": f"c{rows[own]}", "kind": "candidate", "text": en_sentences[rows[own]]} for own in chosen]
    return queries + candidates


def _counts(texts: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    return counts
