"""A tiny multilingual tokenizer and 2-layer random XLM-R, built locally for tests and the offline demo."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.io import atomic_dir, is_done, mark_done

WHAT = "intermezzo tiny model"  # the done-marker's "what": a folder that says so may be rebuilt in place

# Short lines in the scripts XTREME covers, so every test language tokenizes into more than <unk>.
BUILTIN_TEXT = """\
The quick brown fox jumps over the lazy dog. A man is playing a guitar in the park.
John Smith lives in New York and works for the United Nations since 1999.
Who wrote the book? The book was written by Mary in London. Is it true? Yes, no, maybe.
Der schnelle braune Fuchs springt über den faulen Hund. Ich wohne in Berlin.
Le renard brun rapide saute par-dessus le chien paresseux. Où est la gare ?
El rápido zorro marrón salta sobre el perro perezoso. ¿Dónde está la estación?
A rápida raposa marrom pula sobre o cão preguiçoso. Eu moro em Lisboa.
Il veloce volpe marrone salta sopra il cane pigro. Dove si trova la stazione?
Szybki brązowy lis przeskakuje nad leniwym psem. Zażółć gęślą jaźń.
Hızlı kahverengi tilki tembel köpeğin üzerinden atlar. İstanbul çok güzel.
Nhanh chóng con cáo nâu nhảy qua con chó lười. Tôi sống ở Hà Nội.
Rubah coklat yang cepat melompati anjing yang malas. Saya tinggal di Jakarta.
Mbweha mwepesi wa kahawia anaruka juu ya mbwa mvivu. Ninaishi Nairobi.
Быстрая коричневая лиса прыгает через ленивую собаку. Я живу в Москве.
Швидка бура лисиця стрибає через ледачого собаку. Київ — столиця України.
Бързата кафява лисица прескача мързеливото куче. София е столица.
Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο. Ζω στην Αθήνα.
الثعلب البني السريع يقفز فوق الكلب الكسول. أنا أعيش في القاهرة.
روباه قهوه ای سریع از روی سگ تنبل می پرد. من در تهران زندگی می کنم.
השועל החום המהיר קופץ מעל הכלב העצלן. אני גר בירושלים.
तेज़ भूरी लोमड़ी आलसी कुत्ते के ऊपर कूदती है। मैं दिल्ली में रहता हूँ।
দ্রুত বাদামী শিয়াল অলস কুকুরের উপর দিয়ে লাফ দেয়। আমি ঢাকায় থাকি।
வேகமான பழுப்பு நரி சோம்பேறி நாயின் மேல் குதிக்கிறது. நான் சென்னையில் வசிக்கிறேன்.
వేగవంతమైన గోధుమ నక్క సోమరి కుక్కపై దూకుతుంది. నేను హైదరాబాద్‌లో ఉంటాను.
สุนัขจิ้งจอกสีน้ำตาลกระโดดข้ามสุนัขขี้เกียจ ฉันอาศัยอยู่ในกรุงเทพ
ქართული ენა ძალიან ლამაზია. მე ვცხოვრობ თბილისში.
敏捷的棕色狐狸跳过了懒狗。我住在北京。谁写了这本书？
素早い茶色の狐が怠惰な犬を飛び越える。私は東京に住んでいます。
빠른 갈색 여우가 게으른 개를 뛰어넘는다. 나는 서울에 산다.
"""

# Whole alphabets (ranges of code points) so that single letters of these scripts never become <unk>.
SCRIPT_RANGES = (
    (0x21, 0x7E), (0xA1, 0xFF), (0x100, 0x17F), (0x218, 0x21B), (0x391, 0x3C9), (0x400, 0x45F), (0x490, 0x491),
    (0x5D0, 0x5EA), (0x60C, 0x60C), (0x61F, 0x64A), (0x660, 0x669), (0x67E, 0x6CC), (0x900, 0x97F),
    (0x980, 0x9FE), (0xB80, 0xBFA), (0xC00, 0xC7F), (0xE01, 0xE5B), (0x10D0, 0x10FA), (0x1EA0, 0x1EF9),
    (0x2013, 0x2026), (0x3001, 0x3011), (0x3041, 0x3096), (0x30A1, 0x30FC), (0xFF01, 0xFF1F),
)
# The most frequent Chinese characters and Hangul syllables (these scripts are too large to list whole).
COMMON_HAN = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能"
    "好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进"
    "把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使"
    "教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件"
    "安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望"
    "直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近"
    "留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未"
    "持音早乱考苏府装热节病习町私東京駅語読書飲食買売車電話週曜"
    "费娜鲍斯杯掉莫累卫维纳拉巴黎叶莲饿柏罗克伊尔卡诺布亚奥洛森格托尼米哈"  # used to transliterate names
)
COMMON_HANGUL = "가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후그느드르므브스으즈츠크트프흐기니디리미비시이지치키티피히의는은을를에서와과한있습니다"


def _alphabet_lines() -> list[str]:
    lines = ["".join(chr(c) for c in range(a, b + 1) if chr(c).isprintable() and not chr(c).isspace())
             for a, b in SCRIPT_RANGES]
    return lines + [COMMON_HAN, COMMON_HANGUL]


SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]  # XLM-R's ids 0-3; <unk> must be id 3


def _train_vocab(texts: list[str], vocab_size: int) -> list[tuple[str, float]]:
    from tokenizers import Tokenizer, pre_tokenizers
    from tokenizers.models import Unigram
    from tokenizers.trainers import UnigramTrainer

    tok = Tokenizer(Unigram())
    # The same pre-tokenization XLMRobertaTokenizer applies, so trained pieces carry the "▁" word marker.
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")])
    trainer = UnigramTrainer(vocab_size=vocab_size, special_tokens=SPECIALS, unk_token="<unk>",
                             shrinking_factor=0.75, max_piece_length=8, show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    vocab = [(piece, float(score)) for piece, score in json.loads(tok.to_str())["model"]["vocab"]]
    assert [p for p, _ in vocab[:len(SPECIALS)]] == SPECIALS, "special tokens must come first"
    return vocab


def _fingerprint(texts: list[str], seed: int, hidden_size: int, vocab_size: int) -> str:
    h = hashlib.sha256(json.dumps([texts, seed, hidden_size, vocab_size]).encode("utf-8"))
    return h.hexdigest()[:16]


def build_tiny_model(folder: str | os.PathLike, texts: list[str] | None = None, seed: int = 0,
                     hidden_size: int = 32, vocab_size: int = 4000) -> Path:
    """Build (once per folder) a tiny XLM-R tokenizer + 2-layer random XLMRobertaModel as safetensors."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast

    folder = Path(folder)
    corpus = BUILTIN_TEXT.splitlines() + _alphabet_lines() + list(texts or [])
    key = _fingerprint(corpus, seed, hidden_size, vocab_size)
    if is_done(folder) and json.loads((folder / "DONE").read_text()).get("fingerprint") == key:
        return folder
    _check_replaceable(folder)
    tokenizer = XLMRobertaTokenizerFast(vocab=_train_vocab(corpus, vocab_size))
    config = XLMRobertaConfig(
        vocab_size=len(tokenizer), hidden_size=hidden_size, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=2 * hidden_size, max_position_embeddings=514, type_vocab_size=1,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id)
    # Seeded on a private generator state so building never disturbs the caller's RNG.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = XLMRobertaModel(config)
    tokenizer.model_max_length = 512
    with atomic_dir(folder) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        mark_done(tmp, {"fingerprint": key, "what": WHAT})
    return folder


def _check_replaceable(folder: Path) -> None:
    """A UserError unless `folder` is new, empty, or a tiny model built before: building replaces it whole."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder}: is a file, not a folder; give a new folder name for the tiny model")
    if folder.is_dir() and any(folder.iterdir()):
        done = folder / "DONE"
        ours = done.is_file() and json.loads(done.read_text(encoding="utf-8") or "{}").get("what") == WHAT
        if not ours:
            raise UserError(f"{folder}: a folder with other files in it; give a new or empty folder for the tiny "
                            "model (building replaces the folder whole)")


def tiny_model_dir() -> Path:
    """The shared tiny model under the temp dir (or $INTERMEZZO_TINY_DIR), built on first use."""
    folder = os.environ.get("INTERMEZZO_TINY_DIR") or Path(tempfile.gettempdir()) / f"intermezzo-tiny-{os.getuid()}"
    return build_tiny_model(folder)
