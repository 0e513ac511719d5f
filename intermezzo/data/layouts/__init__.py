"""The official on-disk formats: LAYOUTS maps a name (TaskSpec.layout) to one Layout object with

    read(spec, folder, split, lang) -> list[dict]          canonical examples of (split, lang) in an official folder
    write(spec, folder, split, lang, examples) -> Path     the same as official file(s), for fixtures and noise
    read_file(spec, path, split, lang) / write_file(spec, path, examples, split, lang)   one file of that format
    path(spec, folder, split, lang, must_exist=True) -> Path  where (split, lang) lies (MissingFile if absent)
    from_hub(spec, rows, split, lang) -> list[dict]        the hub's rows of the same data set

A new format is one Layout subclass and one line here.
"""

from __future__ import annotations

from intermezzo.data.layouts.base import DISK_SPLIT, Layout, MissingFile
from intermezzo.data.layouts.bitext import Bucc, Tatoeba
from intermezzo.data.layouts.choice import Commonsenseqa, Copa, Cosmosqa, Hellaswag, Siqa
from intermezzo.data.layouts.classification import AnliPlus, GlueTsv, PairTsv
from intermezzo.data.layouts.jsonl import CanonicalJsonl
from intermezzo.data.layouts.lareqa import Lareqa
from intermezzo.data.layouts.mewslix import Mewslix
from intermezzo.data.layouts.qa import SquadJson
from intermezzo.data.layouts.tagging import TagTsv

LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (
    PairTsv(), GlueTsv(), AnliPlus(), TagTsv(), SquadJson(), Copa(), Siqa(), Hellaswag(), Cosmosqa(),
    Commonsenseqa(), Tatoeba(), Bucc(), Mewslix(), Lareqa(), CanonicalJsonl(),
)}


def layout_of(spec) -> Layout:
    """The layout of `spec` (canonical JSONL for tasks without an official format)."""
    return LAYOUTS[spec.layout or "jsonl"]


__all__ = ["DISK_SPLIT", "LAYOUTS", "Layout", "MissingFile", "layout_of"]
