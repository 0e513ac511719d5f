"""Bitext retrieval layouts (Tatoeba, BUCC 2018) -> one list: queries {"id", "kind": "query", "text", "gold"},
then candidates {"id", "kind": "candidate", "text"}.

Checked against google-research/xtreme `scripts/download_data.sh` (LASER's Tatoeba files; BUCC's training and
sample files renamed test and dev, the test gold removed) and `utils_preprocess.py` (tatoeba_preprocess writes
the English side sorted, so only LASER's own files keep the alignment).
"""

from __future__ import annotations

from pathlib import Path

from intermezzo.data.formats import read_lines
from intermezzo.data.layouts.base import Layout, MissingFile, refuse_empty
from intermezzo.errors import UserError
from intermezzo.io import atomic_write_text
from intermezzo.tasks.spec import TaskSpec


def _lines_file(path: Path, lines: list[str]) -> Path:
    return atomic_write_text(path, "".join(f"{line}\n" for line in lines))


class Tatoeba(Layout):
    """LASER's aligned `tatoeba.{l3}-eng.{l3}` / `.eng` (gold = same line; l3 = the three-letter code, as the
    hub's configs name it), else XTREME's `{lang}-en.{lang}` / `{lang}-en.en`, whose English side is sorted
    (no gold). Writes LASER's layout."""

    name = "tatoeba"
    pattern = "{lang}-en.{lang}"

    def _laser(self, spec: TaskSpec, folder: Path, lang: str) -> Path:
        l3 = spec.hub.lang(lang) if spec.hub is not None else lang
        return Path(folder) / f"tatoeba.{l3}-eng.{l3}"

    def read(self, spec, folder, split, lang):
        laser = self._laser(spec, folder, lang)
        src = laser if laser.is_file() else self.path(spec, folder, split, lang)
        refuse_empty(src)
        return self.read_file(spec, src, split, lang)

    def read_file(self, spec, path, split="test", lang="en"):
        src = Path(path)
        aligned = src.name.startswith("tatoeba.")
        tgt = src.with_suffix(".eng" if aligned else ".en")
        if not tgt.is_file():
            raise UserError(f"{tgt}: English side of {src.name} missing; put both files in {src.parent}")
        sources, targets = read_lines(src), read_lines(tgt)
        if len(sources) != len(targets):
            raise UserError(f"{src}: {len(sources)} lines but {tgt.name} has {len(targets)}; the two sides must "
                            "have one sentence per line each")
        queries = [{"id": f"{lang}-{i}", "kind": "query", "text": s} for i, s in enumerate(sources)]
        if aligned:
            for i, q in enumerate(queries):
                q["gold"] = [f"en-{i}"]
        return queries + [{"id": f"en-{j}", "kind": "candidate", "text": t} for j, t in enumerate(targets)]

    def write(self, spec, folder, split, lang, examples):
        """LASER's aligned files when every query has its one gold candidate; else XTREME's, English sorted."""
        candidates = {ex["id"]: ex["text"] for ex in examples if ex["kind"] == "candidate"}
        queries = [ex for ex in examples if ex["kind"] == "query"]
        if all(len(q.get("gold") or ()) == 1 for q in queries):
            src = self._laser(spec, folder, lang)
            _lines_file(src.with_suffix(".eng"), [candidates[q["gold"][0]] for q in queries])
        else:  # utils_preprocess.py tatoeba_preprocess: the English side sorted, so no line is a gold
            src = self.path(spec, folder, split, lang, must_exist=False)
            _lines_file(src.with_suffix(".en"), sorted(candidates.values()))
        return _lines_file(src, [q["text"] for q in queries])

    def from_hub(self, spec, rows, split, lang):
        """google/xtreme's tatoeba rows are aligned pairs: source = query, target = its gold candidate."""
        queries = [{"id": f"{lang}-{i}", "kind": "query", "text": r["source_sentence"], "gold": [f"en-{i}"]}
                   for i, r in enumerate(rows)]
        return queries + [{"id": f"en-{i}", "kind": "candidate", "text": r["target_sentence"]}
                          for i, r in enumerate(rows)]


def _id_lines(path: Path) -> list[tuple[str, str]]:
    rows = []
    for n, line in enumerate(read_lines(path), 1):
        cells = line.split("\t")
        if len(cells) != 2:
            raise UserError(f"{path}:{n}: expected 'id<TAB>sentence', found {len(cells)} column(s)")
        rows.append((cells[0], cells[1]))
    return rows


class Bucc(Layout):
    """BUCC 2018 as XTREME's download leaves it: `{lang}-en.{dev,test}.{lang}` and `.en` (`id<TAB>sentence`,
    whole monolingual sides, ids like de-000000001), gold pairs `src_id<TAB>en_id` in `.gold` where kept; else
    the release's own `{lang}-en/{lang}-en.{sample,training}.*` (dev = sample, test = training)."""

    name = "bucc"
    pattern = "{lang}-en.{split}.{lang}"
    hub_refusal = ("google/xtreme's bucc18 configs hold only the gold pairs, with none of the distractor sentences "
                   "BUCC mines among, so scores on them are not BUCC scores; download the BUCC 2018 files from "
                   "https://comparable.limsi.fr/bucc2018/ and pass their folder as the source")

    def path(self, spec, folder, split, lang, must_exist=True):
        try:
            return super().path(spec, folder, split, lang, must_exist)
        except MissingFile:
            raw = {"validation": "sample", "test": "training"}.get(split, split)
            release = Path(folder) / f"{lang}-en" / f"{lang}-en.{raw}.{lang}"
            if release.is_file():
                return release
            raise

    def read_file(self, spec, path, split="test", lang="en"):
        src = Path(path)
        tgt = src.with_suffix(".en")
        if not tgt.is_file():
            raise UserError(f"{tgt}: English side of {src.name} missing; put both files in {src.parent}")
        refuse_empty(tgt)
        gold_file, gold = src.with_suffix(".gold"), None
        if gold_file.is_file():
            gold = {}
            for n, line in enumerate(read_lines(gold_file), 1):
                cells = line.split("\t")
                if len(cells) != 2:
                    raise UserError(f"{gold_file}:{n}: expected '{lang}-id<TAB>en-id'")
                gold.setdefault(cells[0], []).append(cells[1])
        queries = []
        for sid, text in _id_lines(src):
            q = {"id": sid, "kind": "query", "text": text}
            if gold is not None:
                q["gold"] = gold.get(sid, [])  # most BUCC sentences have no translation in the other side
            queries.append(q)
        return queries + [{"id": tid, "kind": "candidate", "text": t} for tid, t in _id_lines(tgt)]

    def write_file(self, spec, path, examples, split="test", lang="en"):
        src = Path(path)
        queries = [ex for ex in examples if ex["kind"] == "query"]
        _lines_file(src, [f"{q['id']}\t{q['text']}" for q in queries])
        _lines_file(src.with_suffix(".en"), [f"{c['id']}\t{c['text']}" for c in examples if c["kind"] == "candidate"])
        if any("gold" in q for q in queries):
            _lines_file(src.with_suffix(".gold"), [f"{q['id']}\t{g}" for q in queries for g in q.get("gold", ())])
        return src

