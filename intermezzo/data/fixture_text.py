"""A tiny parallel phrasebook (names, cities, a few sentence templates in 10 languages) for the fixtures."""

from __future__ import annotations

PEOPLE = {
    "en": ["Anna", "Boris", "Clara", "David", "Elena", "Felix"],
    "ru": ["Анна", "Борис", "Клара", "Давид", "Елена", "Феликс"],
    "ar": ["آنا", "بوريس", "كلارا", "داود", "إيلينا", "فيليكس"],
    "zh": ["安娜", "鲍里斯", "克拉拉", "大卫", "叶莲娜", "费利克斯"],
    "ja": ["アンナ", "ボリス", "クララ", "ダビデ", "エレナ", "フェリックス"],
}
CITIES = {
    "en": ["Berlin", "Paris", "Moscow", "Rome", "Madrid", "Vienna"],
    "de": ["Berlin", "Paris", "Moskau", "Rom", "Madrid", "Wien"],
    "fr": ["Berlin", "Paris", "Moscou", "Rome", "Madrid", "Vienne"],
    "es": ["Berlín", "París", "Moscú", "Roma", "Madrid", "Viena"],
    "it": ["Berlino", "Parigi", "Mosca", "Roma", "Madrid", "Vienna"],
    "tr": ["Berlin", "Paris", "Moskova", "Roma", "Madrid", "Viyana"],
    "ru": ["Берлин", "Париж", "Москва", "Рим", "Мадрид", "Вена"],
    "ar": ["برلين", "باريس", "موسكو", "روما", "مدريد", "فيينا"],
    "zh": ["柏林", "巴黎", "莫斯科", "罗马", "马德里", "维也纳"],
    "ja": ["ベルリン", "パリ", "モスクワ", "ローマ", "マドリード", "ウィーン"],
}
CITY_QIDS = ["Q64", "Q90", "Q649", "Q220", "Q2807", "Q1741"]
CITY_DESCRIPTIONS = ["capital and largest city of Germany", "capital and largest city of France",
                     "capital and largest city of Russia", "capital city of Italy",
                     "capital and largest city of Spain", "capital and largest city of Austria"]


def person(lang: str, i: int) -> str:
    """The i-th name, in the script of `lang`."""
    return PEOPLE.get(lang, PEOPLE["en"])[i % 6]


def city(lang: str, i: int) -> str:
    """The i-th city, as `lang` spells it."""
    return CITIES.get(lang, CITIES["en"])[i % 6]


# Facts: "lives", "works", "never" (has never been to); "lives_alt" says "lives" in other words.
SENTENCES = {
    "en": {"lives": "{p} lives in {c}.", "works": "{p} works in {c}.", "never": "{p} has never been to {c}.",
           "lives_alt": "{c} is the city where {p} lives."},
    "de": {"lives": "{p} wohnt in {c}.", "works": "{p} arbeitet in {c}.", "never": "{p} war noch nie in {c}.",
           "lives_alt": "{c} ist die Stadt, in der {p} wohnt."},
    "fr": {"lives": "{p} habite à {c}.", "works": "{p} travaille à {c}.", "never": "{p} n'est jamais allé à {c}.",
           "lives_alt": "{c} est la ville où habite {p}."},
    "es": {"lives": "{p} vive en {c}.", "works": "{p} trabaja en {c}.", "never": "{p} nunca ha estado en {c}.",
           "lives_alt": "{c} es la ciudad donde vive {p}."},
    "it": {"lives": "{p} vive a {c}.", "works": "{p} lavora a {c}.", "never": "{p} non è mai stato a {c}.",
           "lives_alt": "{c} è la città dove vive {p}."},
    "tr": {"lives": "{p} {c} şehrinde yaşıyor.", "works": "{p} {c} şehrinde çalışıyor.",
           "never": "{p} hiç {c} şehrine gitmedi.", "lives_alt": "{c}, {p} adlı kişinin yaşadığı şehirdir."},
    "ru": {"lives": "{p} живёт в городе {c}.", "works": "{p} работает в городе {c}.",
           "never": "{p} никогда не был в городе {c}.", "lives_alt": "{c} — город, где живёт {p}."},
    "ar": {"lives": "{p} يعيش في {c}.", "works": "{p} يعمل في {c}.", "never": "{p} لم يزر {c} أبدا.",
           "lives_alt": "{c} هي المدينة التي يعيش فيها {p}."},
    "zh": {"lives": "{p}住在{c}。", "works": "{p}在{c}工作。", "never": "{p}从未去过{c}。",
           "lives_alt": "{c}是{p}居住的城市。"},
    "ja": {"lives": "{p}は{c}に住んでいます。", "works": "{p}は{c}で働いています。",
           "never": "{p}は{c}に行ったことがありません。", "lives_alt": "{c}は{p}が住んでいる町です。"},
}
QUESTIONS = {
    "en": {"lives": "Where does {p} live?", "works": "Where does {p} work?"},
    "de": {"lives": "Wo wohnt {p}?", "works": "Wo arbeitet {p}?"},
    "ru": {"lives": "Где живёт {p}?", "works": "Где работает {p}?"},
    "ar": {"lives": "أين يعيش {p}؟", "works": "أين يعمل {p}؟"},
}


def sentence(lang: str, fact: str, p: int, c: int) -> str:
    """One fact about person p and city c in `lang` (in English where the phrasebook lacks `lang`)."""
    lang = lang if lang in SENTENCES else "en"
    return SENTENCES[lang][fact].format(p=person(lang, p), c=city(lang, c))


# Tagging templates: (token, UPOS, NER); "{p}", "{c}", "{o}" are a person, a city, an organisation.
TAG_TEMPLATES = {
    "en": [[("{p}", "PROPN", "PER"), ("lives", "VERB", "O"), ("in", "ADP", "O"), ("{c}", "PROPN", "LOC"),
            (".", "PUNCT", "O")],
           [("{p}", "PROPN", "PER"), ("works", "VERB", "O"), ("for", "ADP", "O"), ("{o}", "PROPN", "ORG"),
            ("in", "ADP", "O"), ("{c}", "PROPN", "LOC"), (".", "PUNCT", "O")],
           [("The", "DET", "O"), ("old", "ADJ", "O"), ("house", "NOUN", "O"), ("is", "AUX", "O"),
            ("in", "ADP", "O"), ("{c}", "PROPN", "LOC"), (".", "PUNCT", "O")]],
    "de": [[("{p}", "PROPN", "PER"), ("wohnt", "VERB", "O"), ("in", "ADP", "O"), ("{c}", "PROPN", "LOC"),
            (".", "PUNCT", "O")],
           [("{p}", "PROPN", "PER"), ("arbeitet", "VERB", "O"), ("bei", "ADP", "O"), ("{o}", "PROPN", "ORG"),
            ("in", "ADP", "O"), ("{c}", "PROPN", "LOC"), (".", "PUNCT", "O")],
           [("Das", "DET", "O"), ("alte", "ADJ", "O"), ("Haus", "NOUN", "O"), ("ist", "AUX", "O"),
            ("in", "ADP", "O"), ("{c}", "PROPN", "LOC"), (".", "PUNCT", "O")]],
    "ru": [[("{p}", "PROPN", "PER"), ("живёт", "VERB", "O"), ("в", "ADP", "O"), ("городе", "NOUN", "O"),
            ("{c}", "PROPN", "LOC"), (".", "PUNCT", "O")],
           [("{p}", "PROPN", "PER"), ("работает", "VERB", "O"), ("в", "ADP", "O"), ("{o}", "PROPN", "ORG"),
            (".", "PUNCT", "O")],
           [("Старый", "ADJ", "O"), ("дом", "NOUN", "O"), ("стоит", "VERB", "O"), ("в", "ADP", "O"),
            ("городе", "NOUN", "O"), ("{c}", "PROPN", "LOC"), (".", "PUNCT", "O")]],
}
ORGS = {"en": ["Deutsche Bank", "Siemens", "Red Cross"], "de": ["Deutsche Bank", "Siemens", "Rotes Kreuz"],
        "ru": ["Газпром", "Сбербанк", "Аэрофлот"]}

# (X)COPA items: (premise, "cause"/"effect", right, wrong) with {p} for a person.
COPA = {
    "en": [("{p} was very tired.", "effect", "{p} went to sleep.", "{p} went running."),
           ("{p} smiled.", "cause", "{p} received a gift.", "{p} lost the keys."),
           ("The glass fell on the floor.", "effect", "The glass broke.", "The glass was filled."),
           ("{p} was hungry.", "effect", "{p} ate a sandwich.", "{p} read a book.")],
    "it": [("{p} era molto stanco.", "effect", "{p} andò a dormire.", "{p} andò a correre."),
           ("{p} sorrise.", "cause", "{p} ricevette un regalo.", "{p} perse le chiavi."),
           ("Il bicchiere cadde sul pavimento.", "effect", "Il bicchiere si ruppe.", "Il bicchiere fu riempito."),
           ("{p} aveva fame.", "effect", "{p} mangiò un panino.", "{p} lesse un libro.")],
    "tr": [("{p} çok yorgundu.", "effect", "{p} uyumaya gitti.", "{p} koşmaya gitti."),
           ("{p} gülümsedi.", "cause", "{p} bir hediye aldı.", "{p} anahtarlarını kaybetti."),
           ("Bardak yere düştü.", "effect", "Bardak kırıldı.", "Bardak dolduruldu."),
           ("{p} açtı.", "effect", "{p} bir sandviç yedi.", "{p} bir kitap okudu.")],
    "zh": [("{p}非常累。", "effect", "{p}去睡觉了。", "{p}去跑步了。"),
           ("{p}笑了。", "cause", "{p}收到了一份礼物。", "{p}丢了钥匙。"),
           ("杯子掉在地上。", "effect", "杯子碎了。", "杯子被装满了。"),
           ("{p}饿了。", "effect", "{p}吃了一个三明治。", "{p}读了一本书。")],
}
