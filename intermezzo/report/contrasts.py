"""The research question's contrast, three ways: English vs target-language intermediate training under noise.

Every contrast is signed so that a positive value favours the target-language arm:
(a) noisy_difference  = noisy[target-lang] - noisy[English], both on the same noisy inputs;
(b) drop_difference   = (clean - noisy)[English] - (clean - noisy)[target-lang];
(c) relative_drop     = 100 (1 - noisy/clean)[English] - 100 (1 - noisy/clean)[target-lang].
The clean difference (target-lang - English) sits beside them, so an arm near chance cannot look robust.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from intermezzo.report.analysis import OVERALL, langs_of, mark_holm, near_chance, score, weighted
from intermezzo.report.data import Cell, Results, Universe, task_spec
from intermezzo.report.stats import estimate, scalar
from intermezzo.report.units import chance

CONTRASTS = {
    "noisy_difference": "(a) noisy-score difference: target-language arm minus English arm on the same noisy inputs",
    "drop_difference": "(b) drop difference: (clean - noisy) of the English arm minus that of the target-language arm",
    "relative_drop": "(c) relative-drop difference: 100 (1 - noisy/clean) of the English arm minus that of the "
                     "target-language arm (points of each arm's own clean score)",
}
KINDS = ("clean", *CONTRASTS)


def contrast_pairs(conditions: dict) -> list[tuple[str, str]]:
    """(English, target-language) condition pairs: same tasks when possible, else every pairing."""
    english = [n for n, c in conditions.items() if c.kind in ("english", "multitask")]
    target = [n for n, c in conditions.items() if c.kind == "target_lang"]
    same = [(e, t) for e in english for t in target if conditions[e].tasks == conditions[t].tasks]
    return same or [(e, t) for e in english for t in target]


def _layout(kind: str, task: str, langs: list[str], cells: list[tuple[str, str]]):
    """The cells an arm is scored on for `kind`, and its per-run value from their headlines (..., K, R)."""
    clean = [Cell(task, lg) for lg in langs]
    noisy = [Cell(task, lg, n) for lg, n in cells]
    if kind == "clean":
        return clean, weighted(np.full(len(clean), 1 / len(clean)))
    if kind == "noisy_difference":
        return noisy, weighted(np.full(len(noisy), 1 / len(noisy)))
    at = np.asarray([langs.index(lg) for lg, _ in cells])
    k = len(clean)
    if kind == "drop_difference":
        w = np.concatenate([np.bincount(at, minlength=k), -np.ones(len(noisy))]) / len(noisy)
        return clean + noisy, weighted(w)

    def relative(h):
        """Per run: mean over cells of 100 (clean - noisy) / clean."""
        base, low = h[..., at, :], h[..., k:, :]
        drop = np.divide(base - low, base, out=np.full(low.shape, np.nan), where=base != 0)
        return 100 * drop.mean(axis=-2)

    return clean + noisy, relative


def contrast(res: Results, english: str, target: str, task: str, langs: list[str], cells: list[tuple[str, str]],
             n_resamples: int, memo: dict | None = None) -> dict | None:
    """One row: every contrast kind for `task` over `cells` ((lang, noise) pairs), plus the arms' clean scores.
    `memo` keeps what rows over the same languages share (the clean difference, the chance flags)."""
    memo = {} if memo is None else memo
    row = {"english": english, "target_lang": target, "task": task, "langs": langs, "cells": cells}
    for kind in KINDS:
        key = (kind, english, target, task, tuple(langs))
        if kind == "clean" and key in memo:
            row[kind] = dict(memo[key])
            continue
        u = Universe()
        layout, combine = _layout(kind, task, langs, cells)
        # clean and noisy_difference are target minus English; the drops are English minus target.
        first, second = (target, english) if kind in ("clean", "noisy_difference") else (english, target)
        arms = [res.arm(first, layout, u, combine=combine), res.arm(second, layout, u, -1.0, combine=combine)]
        if None in arms:
            return None
        row[kind] = memo[key] = scalar(estimate(arms, u.strata(), n_resamples))
        row[kind] = dict(row[kind])
    level = chance(task_spec(task))
    for arm in (english, target):
        key = ("chance", arm, task, tuple(langs))
        if key not in memo:
            est = score(res, arm, [Cell(task, lg) for lg in langs], n_resamples)
            memo[key] = near_chance(est, level) if est else None
        row[f"near_chance:{arm}"] = memo[key]
    return row


def _noises(res: Results, english: str, target: str, task: str, lang: str) -> list[str]:
    """Noise conditions both arms were scored under in `lang` (clean rows present too)."""
    def have(cond):
        """Noise conditions `cond` was scored under."""
        return {k[3] for k in res.by if k[:3] == (cond, task, lang)}

    both = have(english) & have(target)
    return sorted(both - {"clean"}) if "clean" in both else []


def contrasts(res: Results, pairs: list[tuple[str, str]], tasks: list[str], n_resamples: int) -> dict[str, list]:
    """'pooled': per language over its noise conditions, and over languages ('all') on one common set of
    (family, level) cells; 'detail': per language and noise condition. Holm within each table and kind."""
    pooled, detail, memo = [], [], {}
    for english, target in pairs:
        for task in tasks:
            langs = [lg for lg in langs_of(res, target, task) if lg in langs_of(res, english, task)]
            noises = {lg: _noises(res, english, target, task, lg) for lg in langs}
            langs = [lg for lg in langs if noises[lg]]
            for lang in langs:
                for noise in noises[lang]:
                    detail.append(contrast(res, english, target, task, [lang], [(lang, noise)], n_resamples, memo))
                pooled.append(contrast(res, english, target, task, [lang], [(lang, n) for n in noises[lang]],
                                       n_resamples, memo))
            common = sorted(set.intersection(*(set(noises[lg]) for lg in langs))) if langs else []
            if len(langs) > 1 and common:
                row = contrast(res, english, target, task, langs, [(lg, n) for lg in langs for n in common],
                               n_resamples, memo)
                if row:
                    row["lang"] = OVERALL
                pooled.append(row)
    out = {"pooled": [r for r in pooled if r], "detail": [r for r in detail if r]}
    for rows in out.values():
        for r in rows:
            r.setdefault("lang", r["langs"][0])
        for kind in KINDS:
            mark_holm([r[kind] for r in rows])
    return out


def noise_label(cells: list[tuple[str, str]]) -> str:
    """The (family, level) cells a row averages over, e.g. 'keyboard:0.1, keyboard:0.3'."""
    per_lang: dict[str, list] = defaultdict(list)
    for lang, noise in cells:
        per_lang[lang].append(noise)
    return ", ".join(next(iter(per_lang.values())))
