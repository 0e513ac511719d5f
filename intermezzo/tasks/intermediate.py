"""Task specs of the English intermediate tasks of Phang et al. 2020 (English intermediate-task training)."""

from __future__ import annotations

from intermezzo.tasks import register
from intermezzo.tasks.spec import TaskSpec

EN = ("en",)
NLI = ("entailment", "neutral", "contradiction")
PHANG = "intermediate task of Phang et al. 2020, English Intermediate-Task Training Improves Zero-Shot " \
        "Cross-Lingual Transfer Too, AACL"

# A fixed set of frequent CCGbank supertags; the rest map to "UNK" (CCGbank has ~1,300 categories, most rare).
CCG_TAGS = (
    "N", "NP", "N/N", "NP[nb]/N", "(S[dcl]\\NP)/NP", "(NP\\NP)/NP", ".", ",", "PP/NP", "conj", "S[adj]\\NP",
    "(S\\NP)\\(S\\NP)", "((S\\NP)\\(S\\NP))/NP", "(S[b]\\NP)/NP", "(S[dcl]\\NP)/(S[b]\\NP)", "(S[to]\\NP)/(S[b]\\NP)",
    "S[dcl]\\NP", "(S[dcl]\\NP)/S[dcl]", "(S/S)", "(S\\NP)/(S\\NP)", "(S[pss]\\NP)", "(S[ng]\\NP)/NP",
    "(S[dcl]\\NP)/(S[pt]\\NP)", "(S[pt]\\NP)/NP", "(NP\\NP)/(S[dcl]\\NP)", "N/N[num]", "NP\\NP", "(N/N)/(N/N)",
    "S[b]\\NP", "(S[dcl]\\NP)/(S[adj]\\NP)", "UNK",
)

ANLI_PLUS = TaskSpec(
    name="anli_plus", type="classification", langs=EN, metric="accuracy", train_source="anli_plus",
    reader="anli_plus", fields=("premise", "hypothesis"), labels=NLI,
    citation="Nie et al. 2020, Adversarial NLI, ACL (+ SNLI, Bowman et al. 2015; MNLI, Williams et al. 2018); "
             + PHANG,
    notes="SNLI + MNLI + ANLI rounds 1-3 with shared labels; validation = MNLI matched + ANLI dev rounds.",
    extra={"hub_parts": (("stanfordnlp/snli", "plain_text"), ("nyu-mll/glue", "mnli"),
                         ("facebook/anli", "plain_text"))},
)
MNLI = TaskSpec(
    name="mnli", type="classification", langs=EN, metric="accuracy", train_source="mnli",
    hub=("nyu-mll/glue", "mnli"), reader="glue_tsv", fields=("premise", "hypothesis"), labels=NLI,
    citation="Williams et al. 2018, A Broad-Coverage Challenge Corpus for Sentence Understanding through "
             "Inference, NAACL; " + PHANG,
    notes="validation = dev_matched.",
    extra={"columns": {"premise": "sentence1", "hypothesis": "sentence2", "label": "gold_label"},
           "files": {"train": "train.tsv", "validation": "dev_matched.tsv", "test": "test_matched.tsv"},
           "hub_splits": {"validation": "validation_matched", "test": "test_matched"}},
)
QQP = TaskSpec(
    name="qqp", type="classification", langs=EN, metric="accuracy", train_source="qqp",
    hub=("nyu-mll/glue", "qqp"), reader="glue_tsv", fields=("question1", "question2"), labels=("0", "1"),
    citation="Iyer et al. 2017, First Quora Dataset Release: Question Pairs (GLUE, Wang et al. 2019); " + PHANG,
    extra={"columns": {"question1": "question1", "question2": "question2", "label": "is_duplicate"},
           "files": {"train": "train.tsv", "validation": "dev.tsv", "test": "test.tsv"}},
)
SQUAD = TaskSpec(
    name="squad", type="extractive_qa", langs=EN, metric="squad", train_source="squad",
    hub=("rajpurkar/squad", "plain_text"), reader="squad_json", splits=("train", "validation"),
    citation="Rajpurkar et al. 2016, SQuAD: 100,000+ Questions for Machine Comprehension of Text, EMNLP; " + PHANG,
    extra={"files": {"train": "train-v1.1.json", "validation": "dev-v1.1.json"}},
)
SQUAD_V2 = TaskSpec(
    name="squad_v2", type="extractive_qa", langs=EN, metric="squad", train_source="squad_v2",
    hub=("rajpurkar/squad_v2", "squad_v2"), reader="squad_json", splits=("train", "validation"),
    citation="Rajpurkar et al. 2018, Know What You Don't Know: Unanswerable Questions for SQuAD, ACL; " + PHANG,
    notes="Unanswerable questions have empty answer lists.",
    extra={"files": {"train": "train-v2.0.json", "validation": "dev-v2.0.json"}, "version_2_with_negative": True},
)
HELLASWAG = TaskSpec(
    name="hellaswag", type="multiple_choice", langs=EN, metric="accuracy", train_source="hellaswag",
    hub=("Rowan/hellaswag", "default"), reader="hellaswag",
    citation="Zellers et al. 2019, HellaSwag: Can a Machine Really Finish Your Sentence?, ACL; " + PHANG,
    notes="context = ctx_a, question = ctx_b (the ending's opening words), choices = the 4 endings.",
    extra={"n_choices": 4},
)
COSMOSQA = TaskSpec(
    name="cosmosqa", type="multiple_choice", langs=EN, metric="accuracy", train_source="cosmosqa",
    hub=("allenai/cosmos_qa", "default"), reader="cosmosqa",
    citation="Huang et al. 2019, Cosmos QA: Machine Reading Comprehension with Contextual Commonsense "
             "Reasoning, EMNLP; " + PHANG,
    extra={"n_choices": 4},
)
COMMONSENSEQA = TaskSpec(
    name="commonsenseqa", type="multiple_choice", langs=EN, metric="accuracy", train_source="commonsenseqa",
    hub=("tau/commonsense_qa", "default"), reader="commonsenseqa",
    citation="Talmor et al. 2019, CommonsenseQA: A Question Answering Challenge Targeting Commonsense "
             "Knowledge, NAACL; " + PHANG,
    notes="No context: `context` is empty. The official test split has no answers.",
    extra={"n_choices": 5},
)
CCG = TaskSpec(
    name="ccg", type="tagging", langs=EN, metric="seqeval_f1", train_source="ccg", hub=None, reader="tag_tsv",
    labels=CCG_TAGS,
    citation="Hockenmaier and Steedman 2007, CCGbank, Computational Linguistics; " + PHANG,
    notes="CCGbank is licensed (LDC2005T13): local files only, `{split}-en.tsv` as 'token<TAB>supertag'. "
          "Supertags outside the frequent set map to UNK. Phang et al. report token accuracy.",
    extra={"unknown_tag": "UNK"},
)
SIQA = TaskSpec(
    name="siqa", type="multiple_choice", langs=EN, metric="accuracy", train_source="siqa",
    hub=("allenai/social_i_qa", "default"), reader="siqa", splits=("train", "validation"),
    citation="Sap et al. 2019, Social IQa: Commonsense Reasoning about Social Interactions, EMNLP; " + PHANG,
    notes="On disk: socialIQa_v1.4_{trn,dev}.jsonl. The hub copy may need trust_remote_code (a script dataset).",
    extra={"n_choices": 3},
)
COPA = TaskSpec(
    name="copa", type="multiple_choice", langs=EN, metric="accuracy", train_source="copa",
    hub=("aps/super_glue", "copa"), reader="copa_jsonl", splits=("train", "validation"),
    fields=("context", "choices"),  # `question` is an English template ("What was the cause?"), not item text
    citation="Roemmele et al. 2011, Choice of Plausible Alternatives (SuperGLUE, Wang et al. 2019); " + PHANG,
    notes="Files as XTREME's download puts them beside XCOPA: {train,val}-en.jsonl. Hub id: super_glue moved "
          "to aps/super_glue (unsure it stays there).",
    extra={"n_choices": 2},
)

register(ANLI_PLUS, MNLI, QQP, SQUAD, SQUAD_V2, HELLASWAG, COSMOSQA, COMMONSENSEQA, CCG, SIQA, COPA)
