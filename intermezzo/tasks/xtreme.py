"""Task specs of XTREME-R (Ruder et al. 2021) and the two XTREME tasks it dropped (PAWS-X, BUCC 2018).

Language lists follow google-research/xtreme's evaluate.py (XTREME_R_TASK2LANGS / XTREME_TASK2LANGS);
where the two versions differ, `langs` holds the XTREME-R list and `xtreme_langs` the XTREME one. The specs
are registered in the order of the official scorer's task tables (the benchmark tables are derived from them).
"""

from __future__ import annotations

from intermezzo.tasks import register
from intermezzo.tasks.spec import HubSource, TaskSpec


def _langs(text: str) -> tuple[str, ...]:
    return tuple(text.split())


UPOS = _langs("ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X")
NER = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
NLI = ("entailment", "neutral", "contradiction")

PANX_R = _langs("ar he vi id jv ms tl eu ml ta te af nl en de el bn hi mr ur fa fr it pt es bg ru ja ka ko th "
                "sw yo my zh kk tr et fi hu qu pl uk az lt pa gu ro")
PANX_X = PANX_R[:40]
UDPOS_R = _langs("af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th tl tr ur vi "
                 "yo zh lt pl uk wo ro")
UDPOS_X = UDPOS_R[:33]
TATOEBA_R = _langs("ar he vi id jv tl eu ml ta te af nl de el bn hi mr ur fa fr it pt es bg ru ja ka ko th sw zh "
                   "kk tr et fi hu az lt pl uk ro")
TATOEBA_X = TATOEBA_R[:36]
XQUAD_R = _langs("en es de el ru tr ar vi th zh hi ro")
XQUAD_X = XQUAD_R[:11]

# google/xtreme names udpos configs by English language name and tatoeba configs by ISO 639-3 code.
UDPOS_HUB = dict(zip(UDPOS_X, _langs(
    "Afrikaans Arabic Bulgarian German Greek English Spanish Estonian Basque Persian Finnish French Hebrew Hindi "
    "Hungarian Indonesian Italian Japanese Kazakh Korean Marathi Dutch Portuguese Russian Tamil Telugu Thai "
    "Tagalog Turkish Urdu Vietnamese Yoruba Chinese")))
TATOEBA_HUB = dict(zip(TATOEBA_R, _langs(
    "ara heb vie ind jav tgl eus mal tam tel afr nld deu ell ben hin mar urd pes fra ita por spa bul rus jpn kat "
    "kor tha swh cmn kaz tur est fin hun aze lit pol ukr ron")))
TYDIQA_HUB = {"en": "english", "ar": "arabic", "bn": "bengali", "fi": "finnish", "id": "indonesian",
              "ko": "korean", "ru": "russian", "sw": "swahili", "te": "telugu"}

XNLI = TaskSpec(
    name="xnli", parallel=True, type="classification", langs=_langs("ar bg de el en es fr hi ru sw th tr ur vi zh"),
    metric="accuracy", train_source="mnli", layout="pair_tsv", fields=("premise", "hypothesis"), labels=NLI,
    hub=HubSource("google/xtreme", "XNLI", filter="language",
                  columns={"premise": "sentence1", "hypothesis": "sentence2", "label": "gold_label"}),
    benchmarks=("xtreme", "xtreme-r"), group="classification",
    citation="Conneau et al. 2018, XNLI: Evaluating Cross-lingual Sentence Representations, EMNLP",
)
PAWSX = TaskSpec(
    name="pawsx", parallel=True, type="classification", langs=_langs("de en es fr ja ko zh"), metric="accuracy",
    train_source="pawsx", hub=HubSource("google/xtreme", "PAWS-X.{lang}"), layout="pair_tsv",
    fields=("sentence1", "sentence2"), labels=("0", "1"), benchmarks=("xtreme",), group="classification",
    citation="Yang et al. 2019, PAWS-X: A Cross-lingual Adversarial Dataset for Paraphrase Identification, EMNLP",
)
XCOPA = TaskSpec(
    name="xcopa", type="multiple_choice", langs=_langs("et ht id it qu sw ta th tr vi zh"), metric="accuracy",
    train_source="siqa", hub=HubSource("cambridgeltl/xcopa", "{lang}"), layout="copa_jsonl",
    benchmarks=("xtreme-r",), group="classification", splits=("validation", "test"),
    benchmark_groups={"xtreme-r": ("classification", "multi_choice")},
    fields=("context", "choices"),  # `question` is an English template ("What was the cause?"), not item text
    citation="Ponti et al. 2020, XCOPA: A Multilingual Dataset for Causal Commonsense Reasoning, EMNLP",
    notes="XTREME-R trains on SIQA, then COPA (train_sequence); XTREME-R's evaluate.py also lists it "
          "under multi_choice. The dev split is called 'val' on disk.",
    train_sequence=("siqa", "copa"), parallel=True, n_choices=2,
)
UDPOS = TaskSpec(
    name="udpos", type="tagging", langs=UDPOS_R, metric="seqeval_f1", train_source="udpos",
    hub=HubSource("google/xtreme", "udpos.{lang}", langs=UDPOS_HUB, columns={"tags": "pos_tags"}),
    layout="tag_tsv", labels=UPOS, benchmarks=("xtreme", "xtreme-r"), group="tagging", xtreme_langs=UDPOS_X,
    citation="Nivre et al. 2020, Universal Dependencies v2 (XTREME: v2.5; XTREME-R's new languages: v2.7), LREC",
    notes="langs = XTREME-R's 38; XTREME's 33 in xtreme_langs; google/xtreme only has XTREME's. Reads XTREME's "
          "tsv files or the UD release's CoNLL-U files, converted as XTREME's download does.",
)
PANX = TaskSpec(
    name="panx", type="tagging", langs=PANX_R, metric="seqeval_f1", train_source="panx",
    hub=HubSource("google/xtreme", "PAN-X.{lang}", columns={"tags": "ner_tags"}), layout="tag_tsv", labels=NER,
    benchmarks=("xtreme", "xtreme-r"), group="tagging", xtreme_langs=PANX_X,
    citation="Pan et al. 2017, Cross-lingual Name Tagging and Linking for 282 Languages (WikiANN), ACL",
    notes="langs = XTREME-R's 48; XTREME's 40 in xtreme_langs. Raw files prefix tokens with 'lang:'.",
)
XQUAD = TaskSpec(
    name="xquad", parallel=True, type="extractive_qa", langs=XQUAD_R, metric="squad", train_source="squad",
    hub=HubSource("google/xtreme", "XQuAD.{lang}", splits={"test": "validation"}), layout="squad_json",
    benchmarks=("xtreme", "xtreme-r"), group="qa", splits=("test",), xtreme_langs=XQUAD_X,
    files={"test": "xquad.{lang}.json"},
    citation="Artetxe et al. 2020, On the Cross-lingual Transferability of Monolingual Representations, ACL",
    notes="langs = XTREME-R's 12 (adds ro); XTREME's 11 in xtreme_langs; test only.",
)
MLQA = TaskSpec(
    name="mlqa", type="extractive_qa", langs=_langs("en es de ar hi vi zh"), metric="mlqa", train_source="squad",
    hub=HubSource("google/xtreme", "MLQA.{lang}.{lang}"), layout="squad_json", benchmarks=("xtreme", "xtreme-r"),
    group="qa", splits=("validation", "test"),
    files={"validation": "MLQA_V1/dev/dev-context-{lang}-question-{lang}.json",
           "test": "MLQA_V1/test/test-context-{lang}-question-{lang}.json"},
    citation="Lewis et al. 2020, MLQA: Evaluating Cross-lingual Extractive Question Answering, ACL",
    notes="Scored on same-language context/question pairs, as XTREME does.",
)
TYDIQA = TaskSpec(
    name="tydiqa", type="extractive_qa", langs=_langs("en ar bn fi id ko ru sw te"), metric="squad",
    train_source="tydiqa", layout="squad_json", benchmarks=("xtreme", "xtreme-r"), group="qa",
    hub=HubSource("google/xtreme", "tydiqa", langs=TYDIQA_HUB, filter="id_prefix", splits={"test": "validation"}),
    splits=("train", "test"),
    files={"train": "tydiqa-goldp-v1.1-train/tydiqa.goldp.{lang}.train.json",
           "test": "tydiqa-goldp-v1.1-dev/tydiqa.goldp.{lang}.dev.json"},
    citation="Clark et al. 2020, TyDi QA: A Benchmark for Information-Seeking QA in Typologically Diverse "
             "Languages, TACL",
    notes="Gold passage task (GoldP); XTREME trains on its English train and tests on the official dev set.",
)
TATOEBA = TaskSpec(
    name="tatoeba", type="retrieval", langs=TATOEBA_R, metric="accuracy", train_source=None,
    hub=HubSource("google/xtreme", "tatoeba.{lang}", langs=TATOEBA_HUB, splits={"test": "validation"}),
    layout="tatoeba", benchmarks=("xtreme", "xtreme-r"), group="retrieval", splits=("test",),
    xtreme_langs=TATOEBA_X,
    citation="Artetxe and Schwenk 2019, Massively Multilingual Sentence Embeddings for Zero-Shot Cross-Lingual "
             "Transfer and Beyond, TACL",
    notes="Queries in `lang`, English candidates. langs = XTREME-R's 41 (evaluate.py); XTREME's 36 in "
          "xtreme_langs. XTREME sorts the English side, so gold comes from LASER's aligned files "
          "(named by the same three-letter codes as the hub's configs).",
)
BUCC = TaskSpec(
    name="bucc2018", type="retrieval", langs=_langs("de fr ru zh"), metric="bucc_f1", train_source=None,
    hub=None, layout="bucc", benchmarks=("xtreme",), group="retrieval", splits=("validation", "test"),
    citation="Zweigenbaum et al. 2018, Overview of the Third BUCC Shared Task: Spotting Parallel Sentences in "
             "Comparable Corpora, BUCC",
    notes="XTREME's test = BUCC 'training' data (its gold is withheld), dev = BUCC 'sample'. The hub's "
          "google/xtreme bucc18 configs hold only the gold pairs (no distractors), so they are refused.",
)
MEWSLIX = TaskSpec(
    name="mewslix", type="retrieval", langs=_langs("ar de en es fa ja pl ro ta tr uk"), metric="mrr@20",
    train_source="mewslix", hub=None, layout="mewslix", benchmarks=("xtreme-r",), group="retrieval",
    citation="Botha et al. 2020, Entity Linking in 100 Languages, EMNLP (Mewsli-X: Ruder et al. 2021, XTREME-R)",
    notes="No hub copy: build it with google-research's dense_representations_for_entity_retrieval/mel script. "
          "Train = English Wikipedia mention-entity pairs; candidates = the shared English entity set.",
)
LAREQA = TaskSpec(
    name="lareqa", type="retrieval", langs=XQUAD_X, metric="map@20", train_source="squad",
    hub=None, layout="lareqa", benchmarks=("xtreme-r",), group="retrieval", splits=("train", "test"),
    benchmark_groups={"xtreme-r": ()},  # evaluate.py's XTREME_R_GROUP2TASK leaves LAReQA out of every group
    citation="Roy et al. 2020, LAReQA: Language-agnostic Answer Retrieval from a Multilingual Pool, EMNLP",
    notes="XQuAD-R: questions in `lang` retrieve answer sentences from the pool of all 11 languages. "
          "Trained on SQuAD v1.1 question-sentence pairs. No hub copy: github.com/google-research-datasets/lareqa.",
)

# The order of google-research/xtreme evaluate.py's XTREME_TASK2LANGS and XTREME_R_TASK2LANGS (both at once).
register(PAWSX, XNLI, PANX, UDPOS, BUCC, TATOEBA, XCOPA, LAREQA, MEWSLIX, XQUAD, MLQA, TYDIQA)
