"""Task specs of the offline demo (MultiEmo and the BIG-bench intermediate tasks).

Their data is built from PyPI's bigbench 1.0.0 sdist by intermezzo.demo.bigbench.prepare_data, which
writes `{split}-{lang}.jsonl` folders (the `source` to pass to intermezzo.data.load), one per task name.
"""

from __future__ import annotations

from intermezzo.tasks import register
from intermezzo.tasks.spec import TaskSpec

EN = ("en",)
MULTIEMO_LANGS = ("en", "de", "es", "fr", "it", "ja", "nl", "pl", "pt", "ru", "zh")
BIGBENCH = "Srivastava et al. 2023, Beyond the Imitation Game (BIG-bench), TMLR; data from PyPI bigbench==1.0.0"
MULTIEMO_CITE = ("Kocoń, Miłkowski and Kanclerz 2021, MultiEmo: Multilingual, "
                 "Multilevel, Multidomain Sentiment Analysis Corpus of Consumer Reviews, ICCS; " + BIGBENCH)
SPLITS_NOTE = "Splits are fixed seeded samples (demo.bigbench.Sizes: sizes and seed configurable)."

MULTIEMO = TaskSpec(
    name="multiemo", parallel=True, type="classification", langs=MULTIEMO_LANGS, metric="accuracy",
    train_source="multiemo",
    fields=("text",), labels=("ambivalent", "negative", "neutral", "positive"),
    citation=MULTIEMO_CITE,
    notes="Sentence-level sentiment of consumer reviews (multiemo/all_sentence_<lang>). Polish is the original; "
          "the other ten languages are machine translations of it. Train and validation English, test every "
          "language on the same held-out sentences (ids multiemo-<English row> match across languages; "
          "de and pt rows are re-aligned, see demo.multiemo). " + SPLITS_NOTE,
)
MULTIEMO_RETRIEVAL = TaskSpec(
    name="multiemo_retrieval", type="retrieval", langs=MULTIEMO_LANGS[1:], metric="accuracy", train_source=None,
    splits=("test",), citation=MULTIEMO_CITE,
    notes="Tatoeba-style: queries in `lang`, their English sentences as candidates, from MultiEmo's parallel "
          "rows not used for multiemo training; only rows verified parallel and unique on both sides. de "
          "lacks English row 46,912 (shift by one after it); pt has 56,193 rows, in English order only up to "
          "row 51,722 (the rest is dropped). " + SPLITS_NOTE,
)
VITAMINC = TaskSpec(
    name="vitaminc", type="classification", langs=EN, metric="accuracy", train_source="vitaminc",
    fields=("premise", "hypothesis"), labels=("supports", "refutes", "not_enough_info"), splits=("train", "validation"),
    citation="Schuster et al. 2021, Get Your Vitamin C! Robust Fact Verification with Contrastive Evidence, "
             "NAACL; " + BIGBENCH,
    notes="From vitaminc_fact_verification: premise = '<Wikipedia page>: <evidence>', hypothesis = the claim; "
          "BIG-bench's True/False/Neither = supports/refutes/not_enough_info (NLI-like). " + SPLITS_NOTE,
)
EPISTEMIC_REASONING = TaskSpec(
    name="epistemic_reasoning", type="classification", langs=EN, metric="accuracy",
    train_source="epistemic_reasoning", fields=("premise", "hypothesis"), labels=("entailment", "non-entailment"),
    splits=("train", "validation"),
    citation="BIG-bench task epistemic_reasoning ('Determine whether one sentence entails the next'); " + BIGBENCH,
    notes="NLI over statements of belief and knowledge ('Premise: <p> Hypothesis: <h>', 2,000 examples, "
          "entailment / non-entailment, 37% entailment). The demo's intermediate task: unlike VitaminC, e5-small "
          "with one trainable layer learns it (200 steps at lr 6e-4, in English and machine-translated into "
          "Portuguese; docs/demo.md). " + SPLITS_NOTE,
)
SQUAD_SHIFTS_DEV = TaskSpec(
    name="squad_shifts_dev", type="extractive_qa", langs=EN, metric="squad", train_source="squad_shifts_dev",
    splits=("train", "validation"),
    citation="Rajpurkar et al. 2016, SQuAD, EMNLP; Miller et al. 2020, The Effect of Natural Distribution Shift "
             "on Question Answering Models, ICML; " + BIGBENCH,
    notes="SQuAD v1.1 dev (squad_shifts/squaddev_v1.1.json, 10,565 questions) as an intermediate task: "
          "validation = a few whole held-out articles, train = the rest. " + SPLITS_NOTE,
)
SOCIAL_IQA = TaskSpec(
    name="social_iqa", type="multiple_choice", langs=EN, metric="accuracy", train_source="social_iqa",
    splits=("train", "validation"),
    citation="Sap et al. 2019, Social IQa: Commonsense Reasoning about Social Interactions, EMNLP; " + BIGBENCH,
    notes="BIG-bench's 1,954 Social IQa questions; the input's last sentence (ending in '?') is the question, "
          "the rest the context; choices in BIG-bench's order. " + SPLITS_NOTE,
    n_choices=3,
)

register(MULTIEMO, MULTIEMO_RETRIEVAL, VITAMINC, EPISTEMIC_REASONING, SQUAD_SHIFTS_DEV, SOCIAL_IQA)
