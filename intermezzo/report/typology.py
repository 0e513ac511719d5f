"""Optional: regress the per-language robustness contrast on typological distance from English (lang2vec)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from statistics import fmean

from intermezzo.report.tables import Figure, Table

# ISO 639-1 (what XTREME-R uses) -> ISO 639-3 (what lang2vec uses).
ISO3 = {
    "af": "afr", "ar": "arb", "az": "azj", "bg": "bul", "bn": "ben", "de": "deu", "el": "ell", "en": "eng",
    "es": "spa", "et": "est", "eu": "eus", "fa": "pes", "fi": "fin", "fr": "fra", "gu": "guj", "he": "heb",
    "hi": "hin", "ht": "hat", "hu": "hun", "id": "ind", "it": "ita", "ja": "jpn", "jv": "jav", "ka": "kat",
    "kk": "kaz", "ko": "kor", "lt": "lit", "ml": "mal", "mr": "mar", "ms": "zsm", "my": "mya", "nl": "nld",
    "pa": "pan", "pl": "pol", "pt": "por", "qu": "quz", "ro": "ron", "ru": "rus", "sw": "swh", "ta": "tam",
    "te": "tel", "th": "tha", "tl": "tgl", "tr": "tur", "uk": "ukr", "ur": "urd", "vi": "vie", "wo": "wol",
    "yo": "yor", "zh": "cmn",
}
INSTALL_HINT = "pip install 'intermezzo[typology]'"


def distances(langs: list[str], kind: str = "syntactic") -> dict[str, float] | None:
    """lang2vec distance of each language from English; None when lang2vec is not installed."""
    try:
        import lang2vec.lang2vec as l2v
    except ImportError:
        return None
    out = {}
    for lang in langs:
        if lang in ISO3 and lang != "en":
            try:
                out[lang] = float(l2v.distance(kind, ISO3["en"], ISO3[lang]))
            except Exception:  # noqa: BLE001 - lang2vec raises bare Exceptions for languages it lacks
                continue
    return out


def regress(points: list[tuple[str, float, float]]) -> dict:
    """Least squares of gap on distance: slope, intercept, r, p, n."""
    from scipy.stats import linregress

    fit = linregress([p[1] for p in points], [p[2] for p in points])
    return {"slope": float(fit.slope), "intercept": float(fit.intercept), "r": float(fit.rvalue),
            "p": float(fit.pvalue), "n": len(points)}


def section(doc, contrast: list[dict], plot_dir: Path, dist: dict[str, float] | None = None) -> list:
    """The report section's blocks (text goes straight into `doc`)."""
    per_lang: dict[str, list] = defaultdict(list)
    for r in contrast:
        if r["lang"] != "all":
            per_lang[r["lang"]].append(r["mean"])
    if len(per_lang) < 3:
        doc.p(f"Needs the robustness contrast of three or more languages; this run has {len(per_lang)}.")
        return []
    dist = dist if dist is not None else distances(sorted(per_lang))
    if dist is None:
        doc.p(f"lang2vec is not installed; `{INSTALL_HINT}` and rerun `intermezzo report` for this section.")
        return []
    points = [(lang, dist[lang], fmean(v)) for lang, v in sorted(per_lang.items()) if lang in dist]
    if len(points) < 3:
        doc.p(f"lang2vec knows the distance of only {len(points)} of these languages; needs three or more.")
        return []
    fit = regress(points)
    doc.p(f"Least squares over {fit['n']} languages: contrast = {fit['intercept']:.2f} + {fit['slope']:.2f} x "
          f"distance (r = {fit['r']:.2f}, p = {fit['p']:.3f}).")
    table = Table("typology", "Primary robustness contrast and syntactic distance from English",
                  ["lang", "distance", "contrast"], [[lang, d, g] for lang, d, g in points])
    return [table, Figure(plots_regression(points, fit, plot_dir), "Primary robustness contrast against distance")]


def plots_regression(points, fit, plot_dir: Path) -> Path:
    """The scatter with its fitted line."""
    from intermezzo.report.plots import regression_plot

    return regression_plot(points, fit, plot_dir / "typology.png")
