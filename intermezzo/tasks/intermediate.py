"""Task specs of the English intermediate tasks of Phang et al. 2020 (English intermediate-task training)."""

from __future__ import annotations

from intermezzo.tasks import register
from intermezzo.tasks.spec import HubSource, TaskSpec

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
    layout="anli_plus", fields=("premise", "hypothesis"), labels=NLI,
    citation="Nie et al. 2020, Adversarial NLI, ACL (+ SNLI, Bowman et al. 2015; MNLI, Williams et al. 2018); "
             + PHANG,
    notes="SNLI + MNLI + ANLI rounds 1-3 with shared labels; validation = MNLI matched + ANLI dev rounds.",
    hub=HubSource("stanfordnlp/snli+nyu-mll/glue+facebook/anli", parts=(  # joined in this order
        HubSource("stanfordnlp/snli", "plain_text"),
        HubSource("nyu-mll/glue", "mnli", splits={"validation": "validation_matched", "test": "test_matched"}),
        HubSource("facebook/anli", "plain_text", splits={"train": "train_r1+train_r2+train_r3",
                                                         "validation": "dev_r1+dev_r2+dev_r3",
                                                         "test": "test_r1+test_r2+test_r3"}),
    )),
)
MNLI = TaskSpec(
    name="mnli", type="classification", langs=EN, metric="accuracy", train_source="mnli",
    hub=HubSource("nyu-mll/glue", "mnli", splits={"validation": "validation_matched", "test": "test_matched"}),
    layout="glue_tsv", fields=("premise", "hypothesis"), labels=NLI,
    citation="Williams et al. 2018, A Broad-Coverage Challenge Corpus for Sentence Understanding through "
             "Inference, NAACL; " + PHANG,
    notes="validation = dev_matched.",
    columns={"premise": "sentence1", "hypothesis": "sentence2", "label": "gold_label"},
    files={"train": "train.tsv", "validation": "dev_matched.tsv", "test": "test_matched.tsv"},
)
QQP = TaskSpec(
    name="qqp", type="classification", langs=EN, metric="accuracy", train_source="qqp",
    hub=HubSource("nyu-mll/glue", "qqp"), layout="glue_tsv", fields=("question1", "question2"), labels=("0", "1"),
    citation="Iyer et al. 2017, First Quora Dataset Release: Question Pairs (GLUE, Wang et al. 2019); " + PHANG,
    columns={"question1": "question1", "question2": "question2", "label": "is_duplicate"},
    files={"train": "train.tsv", "validation": "dev.tsv", "test": "test.tsv"},
)
SQUAD = TaskSpec(
    name="squad", type="extractive_qa", langs=EN, metric="squad", train_source="squad",
    hub=HubSource("rajpurkar/squad", "plain_text"), layout="squad_json", splits=("train", "validation"),
    citation="Rajpurkar et al. 2016, SQuAD: 100,000+ Questions for Machine Comprehension of Text, EMNLP; " + PHANG,
    files={"train": "train-v1.1.json", "validation": "dev-v1.1.json"},
)
SQUAD_V2 = TaskSpec(
    name="squad_v2", type="extractive_qa", langs=EN, metric="squad", train_source="squad_v2",
    hub=HubSource("rajpurkar/squad_v2", "squad_v2"), layout="squad_json", splits=("train", "validation"),
    citation="Rajpurkar et al. 2018, Know What You Don't Know: Unanswerable Questions for SQuAD, ACL; " + PHANG,
    notes="Unanswerable questions have empty answer lists.",
    files={"train": "train-v2.0.json", "validation": "dev-v2.0.json"}, version_2_with_negative=True,
)
HELLASWAG = TaskSpec(
    name="hellaswag", type="multiple_choice", langs=EN, metric="accuracy", train_source="hellaswag",
    hub=HubSource("Rowan/hellaswag"), layout="hellaswag",
    citation="Zellers et al. 2019, HellaSwag: Can a Machine Really Finish Your Sentence?, ACL; " + PHANG,
    notes="context = ctx_a, question = ctx_b (the ending's opening words), choices = the 4 endings.",
    n_choices=4,
)
COSMOSQA = TaskSpec(
    name="cosmosqa", type="multiple_choice", langs=EN, metric="accuracy", train_source="cosmosqa",
    hub=HubSource("allenai/cosmos_qa"), layout="cosmosqa",
    citation="Huang et al. 2019, Cosmos QA: Machine Reading Comprehension with Contextual Commonsense "
             "Reasoning, EMNLP; " + PHANG,
    n_choices=4,
)
COMMONSENSEQA = TaskSpec(
    name="commonsenseqa", type="multiple_choice", langs=EN, metric="accuracy", train_source="commonsenseqa",
    hub=HubSource("tau/commonsense_qa"), layout="commonsenseqa",
    citation="Talmor et al. 2019, CommonsenseQA: A Question Answering Challenge Targeting Commonsense "
             "Knowledge, NAACL; " + PHANG,
    notes="No context: `context` is empty. The official test split has no answers.",
    n_choices=5,
)
CCG = TaskSpec(
    name="ccg", type="tagging", langs=EN, metric="seqeval_f1", train_source="ccg", hub=None, layout="tag_tsv",
    labels=CCG_TAGS,
    citation="Hockenmaier and Steedman 2007, CCGbank, Computational Linguistics; " + PHANG,
    notes="CCGbank is licensed (LDC2005T13): local files only, `{split}-en.tsv` as 'token<TAB>supertag'. "
          "Supertags outside the frequent set map to UNK. Phang et al. report token accuracy.",
    unknown_tag="UNK",
)
SIQA = TaskSpec(
    name="siqa", type="multiple_choice", langs=EN, metric="accuracy", train_source="siqa",
    hub=HubSource("allenai/social_i_qa"), layout="siqa", splits=("train", "validation"),
    citation="Sap et al. 2019, Social IQa: Commonsense Reasoning about Social Interactions, EMNLP; " + PHANG,
    notes="On disk: socialIQa_v1.4_{trn,dev}.jsonl. The hub copy may need trust_remote_code (a script dataset).",
    n_choices=3,
)
COPA = TaskSpec(
    name="copa", type="multiple_choice", langs=EN, metric="accuracy", train_source="copa",
    hub=HubSource("aps/super_glue", "copa"), layout="copa_jsonl", splits=("train", "validation"),
    fields=("context", "choices"),  # `question` is an English template ("What was the cause?"), not item text
    citation="Roemmele et al. 2011, Choice of Plausible Alternatives (SuperGLUE, Wang et al. 2019); " + PHANG,
    notes="Files as XTREME's download puts them beside XCOPA: {train,val}-en.jsonl. Hub id: super_glue moved "
          "to aps/super_glue (unsure it stays there).",
    n_choices=2,
)

register(ANLI_PLUS, MNLI, QQP, SQUAD, SQUAD_V2, HELLASWAG, COSMOSQA, COMMONSENSEQA, CCG, SIQA, COPA)
