"""Name normalisation shared by the list side and the query side of party matching.

Both sides must go through exactly the same pipeline, otherwise an exact match stops being
exact. The pipeline (see /work/shared/reference/name-matching.md, section 4.2):

1. Unicode NFKC and casefold, so full-width forms, ligatures and case never matter.
2. Traditional Han is converted to simplified (OpenCC t2s); Chinese legal forms and common
   company words written in characters (有限公司, 集团,
   科技, 电子, 进出口 ...) are replaced by their English equivalents *before*
   transliteration, because after it they would be syllables indistinguishable from the
   name; this is also what lets "华为技术有限公司" meet "Huawei Technologies Co., Ltd.".
3. Transliteration to ASCII with anyascii. Han characters become one pinyin syllable each,
   separated by spaces ("华为" -> "hua wei"), because Chinese has no word boundaries and
   Latin-script spellings split the syllables in any way ("Huawei", "Hua Wei"); the matcher
   joins adjacent syllables, and `spacefree` gives a form where spacing cannot differ.
4. "&" -> "and"; dotted initialisms are joined ("S.A." -> "sa"); every other punctuation
   mark, hyphen and apostrophe separates or joins tokens; digits are kept, because numbers
   distinguish entities ("Research Institute 201" vs "... 203", watchman #483).
5. A token one edit away from a legal-form or generic word (two edits from 11 letters) is
   taken as a typo of it ("Compayn", "Ogrannichennoi", "Tecnology"); abbreviations are
   expanded (COMP, GRP, SRVCES, TECH, INTL, IMP & EXP ...; nomenklatura #245/#274), plurals
   of generic words folded ("Technologies" equals "Tech"), common pinyin company words
   translated ("Keji", "Jituan", "Youxian Gongsi"), and -off/-eff surname endings read as
   -ov/-ev.
6. Legal forms are canonicalised to one token per form: our own table for the English and
   Chinese/pinyin forms, then rigour's org-type table (434 types incl. Russian, Turkish,
   Latin American, transliterated forms) in its *generic* mode, so "Co., Ltd.", "Company
   Limited", "LTD", "GmbH" and "OOO" all become `llc`; "Joint Stock Company", "AO", "PAO"
   become `jsc`. Legal forms differ between spellings of the same company far more often
   than they distinguish two companies, and they keep a (low) weight in the matcher.
   rigour 2.6 runs its table in Rust at about 0.5 us per name; it also flags short words
   such as "in", "yu", "ii" as legal forms, so single-token hits of 1-2 letters are only
   accepted from an allow-list, some of them only at the start or end of the name.
7. "LAST, First" becomes "First LAST" when the name has exactly one comma, no legal form
   and short parts on both sides (or the caller says it is a person).
8. Each token gets a class: legal form, number, stop word, location, generic word or
   distinctive. The matcher weights by class (and by IDF over the list).

`fold()` is a much cheaper and deliberately minimal key for exact lookups (adjudications):
it must stay stable across releases, so it does not depend on any of the tables above.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA
from rigour.names import extract_org_types

__all__ = [
    "GENERIC_WORDS",
    "LEGAL_CODES",
    "LOCATION_WORDS",
    "STOP_WORDS",
    "NormalizedName",
    "TokenClass",
    "classify_token",
    "fold",
    "normalize_name",
]


class TokenClass(StrEnum):
    """What a token says about identity; the matcher weights tokens by class."""

    distinctive = "distinctive"  # carries identity: "huawei", "sberbank", "zhang"
    generic = "generic"  # industry and organisation words: "technology", "trading"
    location = "location"  # places and nationalities: "shenzhen", "russian"
    legal = "legal"  # legal forms, canonicalised: "llc", "jsc", "co", "corp"
    number = "number"  # any token with a digit: must agree exactly
    stop = "stop"  # particles and titles: "of", "the", "al", "bin", "mr"


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A name in comparable form.

    `tokens` are the comparable tokens; `classes` their classes; `surfaces` the folded text
    each token came from (what a reviewer reads in an explanation: "co ltd" for `llc`).
    `comparable` joins the tokens with spaces (order kept, "First LAST" for persons);
    `spacefree` joins them without spaces, so "Hong Kong"/"Hongkong" and "Da Hua"/"Dahua"
    give the same key. `han` says Han characters were transliterated (syllable tokens).
    `family_from` is the index where the family name starts when a "LAST, First" name was
    reordered (the matcher weighs a missing family name more than a missing given name).
    """

    original: str
    tokens: tuple[str, ...]
    classes: tuple[TokenClass, ...]
    surfaces: tuple[str, ...]
    comparable: str
    spacefree: str
    flipped: bool = False
    han: bool = False
    family_from: int | None = None


# ---------------------------------------------------------------------------------------
# fold: the stable exact key

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _wordset(text: str) -> frozenset[str]:
    """A table written as whitespace-separated words."""
    return frozenset(text.split())


def fold(text: str) -> str:
    """Cheap, stable exact-match key: NFKC, casefold, ASCII, '&' -> 'and', punctuation out.

    Used as the key under which reviewers' adjudications are stored, so two spellings that
    differ only in case, accents, script-level compatibility forms, punctuation or spacing
    share one decision. Keep this function free of tables (legal forms, abbreviations):
    changing it would orphan the decisions already recorded.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = anyascii(text).casefold()
    text = text.replace("&", " and ")
    return " ".join(_NON_ALNUM.split(text)).strip()


# ---------------------------------------------------------------------------------------
# Tables. Keys are folded ASCII tokens.

#: Chinese/Japanese/Korean legal forms and organisation words in native script, longest
#: first; replaced before transliteration (see module docstring, step 2).
_CJK_FORMS: tuple[tuple[str, str], ...] = (
    ("股份有限公司", " co ltd "),
    ("有限责任公司", " llc "),
    ("有限責任公司", " llc "),
    ("有限公司", " co ltd "),
    ("株式会社", " kk "),
    ("有限会社", " llc "),
    ("주식회사", " co ltd "),
    ("유한회사", " llc "),
    ("集团", " group "),
    ("集團", " group "),
    ("分公司", " branch "),
    ("公司", " co "),
    # common company words, so "华为技术" and "Huawei Technology" meet (pinyin: ABBREVIATIONS)
    ("进出口", " import export "),
    ("進出口", " import export "),
    ("半导体", " semiconductor "),
    ("微电子", " microelectronics "),
    ("研究所", " research institute "),
    ("研究院", " research institute "),
    ("科技", " technology "),
    ("技术", " technology "),
    ("技術", " technology "),
    ("电子", " electronic "),
    ("電子", " electronic "),
    ("贸易", " trading "),
    ("貿易", " trading "),
    ("工业", " industry "),
    ("国际", " international "),
    ("控股", " holding "),
    ("投资", " investment "),
    ("大学", " university "),
    ("中国", " china "),
    # more organisation vocabulary (simplified: traditional text is converted first, OpenCC)
    ("集成电路", " integrated circuit "),
    ("航空航天", " aeronautics astronautics "),
    ("研究中心", " research center "),
    ("实验室", " laboratory "),
    ("科学院", " academy sciences "),
    ("工程物理", " engineering physics "),
    ("制造", " manufacturing "),
    ("通信", " communication "),
    ("信息", " information "),
    ("网络", " network "),
    ("设备", " equipment "),
    ("材料", " material "),
    ("光电", " optoelectronic "),
    ("仪器", " instrument "),
    ("软件", " software "),
    ("智能", " intelligent "),
    ("实业", " industry "),
    ("发展", " development "),
    ("工程", " engineering "),
    ("航空", " aviation "),
    ("航天", " aerospace "),
    ("物流", " logistics "),
    ("能源", " energy "),
    ("机械", " machinery "),
    ("股份", " "),
)

#: Han characters with several readings whose reading in company and place names differs
#: from anyascii's default (成都 is Chengdu, not "Chengdou"); word overrides first.
_HAN_WORDS: tuple[tuple[str, str], ...] = (
    ("重庆", " chong qing "),
    ("重慶", " chong qing "),
    ("银行", " yin hang "),
    ("銀行", " yin hang "),
)
_HAN_CHARS: dict[str, str] = {"都": "du", "长": "chang", "長": "chang", "厦": "xia", "廈": "xia"}

#: Single-token abbreviations and variant spellings -> canonical word (step 5). Generic
#: plurals are folded here too, so "technologies" and "tech" compare equal.
ABBREVIATIONS: dict[str, str] = {
    # company-ish
    "comp": "co",
    "cmpy": "co",
    "coy": "co",
    "company": "co",
    "compagnie": "co",
    "compania": "co",
    "companhia": "co",
    "cia": "co",
    "corporation": "corp",
    "corpn": "corp",
    "grp": "group",
    "groups": "group",
    "holdings": "holding",
    "hldgs": "holding",
    "hldg": "holding",
    # services
    "srvces": "service",
    "srvcs": "service",
    "svcs": "service",
    "svc": "service",
    "servs": "service",
    "serv": "service",
    "srvc": "service",
    "services": "service",
    # technology
    "tech": "technology",
    "techn": "technology",
    "techs": "technology",
    "technologies": "technology",
    "technological": "technology",
    "tecnologia": "technology",
    "technologie": "technology",
    "technologii": "technology",
    "tekhnologii": "technology",
    "tekhnologiya": "technology",
    "tekhnologiy": "technology",
    "hitech": "hitech",
    # trade
    "intl": "international",
    "int'l": "international",
    "internat": "international",
    "imp": "import",
    "imports": "import",
    "exp": "export",
    "exports": "export",
    "expt": "export",
    "trade": "trading",
    "traders": "trading",
    # industry
    "ind": "industry",
    "inds": "industry",
    "indus": "industry",
    "industries": "industry",
    "industrial": "industry",
    "mfg": "manufacturing",
    "mfr": "manufacturing",
    "manufacture": "manufacturing",
    "eng": "engineering",
    "engg": "engineering",
    "engr": "engineering",
    "equip": "equipment",
    "equipments": "equipment",
    "elec": "electronic",
    "electronics": "electronic",
    "electrical": "electric",
    "comm": "communication",
    "comms": "communication",
    "communications": "communication",
    "telecommunications": "telecommunication",
    "sys": "system",
    "systems": "system",
    "solutions": "solution",
    "materials": "material",
    "instruments": "instrument",
    "chemicals": "chemical",
    "products": "product",
    "machines": "machinery",
    "machine": "machinery",
    "investments": "investment",
    "resources": "resource",
    "networks": "network",
    "logistic": "logistics",
    "sciences": "science",
    "scientific": "science",
    "sci": "science",
    "inst": "institute",
    "institution": "institute",
    "institut": "institute",
    "instituto": "institute",
    "univ": "university",
    "natl": "national",
    "assn": "association",
    "assoc": "association",
    "mgmt": "management",
    "mgt": "management",
    "dev": "development",
    "devt": "development",
    "ctr": "center",
    "centre": "center",
    "tsentr": "center",
    "labs": "laboratory",
    "lab": "laboratory",
    "bros": "brothers",
    "intel": "intelligence",
    # pinyin company words (the same words are translated from Han script, _CJK_FORMS)
    "keji": "technology",
    "jishu": "technology",
    "dianzi": "electronic",
    "maoyi": "trading",
    "gongye": "industry",
    "guoji": "international",
    "konggu": "holding",
    "touzi": "investment",
    "daxue": "university",
    "jituan": "group",
    "zhongguo": "china",
    "jinchukou": "import export",
    "bandaoti": "semiconductor",
    "weidianzi": "microelectronics",
    "yanjiusuo": "research institute",
    "yanjiuyuan": "research institute",
    "fengongsi": "branch",
    # pinyin of the further organisation words translated from Han script (_CJK_FORMS)
    "jichengdianlu": "integrated circuit",
    "hangkonghangtian": "aeronautics astronautics",
    "yanjiuzhongxin": "research center",
    "shiyanshi": "laboratory",
    "kexueyuan": "academy sciences",
    "gongchengwuli": "engineering physics",
    "zhizao": "manufacturing",
    "tongxin": "communication",
    "xinxi": "information",
    "wangluo": "network",
    "shebei": "equipment",
    "cailiao": "material",
    "guangdian": "optoelectronic",
    "yiqi": "instrument",
    "ruanjian": "software",
    "zhineng": "intelligent",
    "shiye": "industry",
    "fazhan": "development",
    "gongcheng": "engineering",
    "hangkong": "aviation",
    "hangtian": "aerospace",
    "wuliu": "logistics",
    "nengyuan": "energy",
    "jixie": "machinery",
    "hq": "headquarters",
    "subsidiaries": "subsidiary",
    "offices": "office",
    "branches": "branch",
}

#: Multi-token legal-form spellings that rigour does not unify with "co ltd"; rewritten
#: first so "Company Limited", "Co. Limited" and "Co., Ltd." give the same token.
_PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("co", "limited"): ("co", "ltd"),
    ("co", "ltd"): ("co", "ltd"),
    ("co", "ltda"): ("co", "ltd"),
    ("youxian", "gongsi"): ("co", "ltd"),
    ("you", "xian", "gong", "si"): ("co", "ltd"),
    ("gufen", "youxian", "gongsi"): ("co", "ltd"),
    ("youxian", "zeren", "gongsi"): ("llc",),
    ("you", "xian", "ze", "ren", "gong", "si"): ("llc",),
    ("yanjiu", "yuan"): ("research", "institute"),
    ("yanjiu", "suo"): ("research", "institute"),
    ("jinchu", "kou"): ("import", "export"),
    ("import", "and", "export"): ("import", "export"),
    ("hong", "kong"): ("hongkong",),
}

#: Legal-form tokens of our own (rigour's generic mode does not cover these).
_OWN_LEGAL: dict[str, str] = {
    "co": "co",
    "corp": "corp",
    "gongsi": "co",
    "kk": "kk",
    "sherkat": "co",
    "sherkate": "co",
    "sirketi": "llc",
    "kompaniya": "co",
    "kompaniyasi": "co",
    "firma": "co",
    "est": "est",
    "establishment": "est",
}

#: The canonical legal-form codes (rigour generic targets plus ours).
LEGAL_CODES: frozenset[str] = frozenset(
    {
        "llc",
        "jsc",
        "llp",
        "lp",
        "gp",
        "sp",
        "soe",
        "ngo",
        "coop",
        "fin",
        "mil",
        "co",
        "corp",
        "kk",
        "est",
    }
)

#: rigour single-token matches accepted anywhere in the name.
_RIGOUR_SINGLE_OK: frozenset[str] = _wordset(
    """llc ltd limited inc incorporated gmbh jsc ojsc cjsc pjsc pjscb ooo oao zao pao nao plc
    llp fze fzco fzc fzllc dmcc sarl srl spa bv bvba ltda limitada sirketi tov ood doo sro
    sas sprl mmc eireli pte pty pvt bhd npo ngo fgup fgbu gup mup chvk pmc sal wll kft zrt
    sia uab ooo tsk npp gnpp oy aat"""
)
#: rigour single-token matches that are also ordinary words or syllables: accepted only
#: at the start or end of the name or next to another legal form ("AO NII STT", "X SA").
_RIGOUR_EDGE_ONLY: frozenset[str] = frozenset({"ao", "sa", "ag", "as", "ab", "kg", "nv", "se"})

STOP_WORDS: frozenset[str] = _wordset(
    """of the and de del della di des du la el al los las for und y e et van von der den ibn
    bint ul ud uz mr mrs ms dr prof ve s"""
)

GENERIC_WORDS: frozenset[str] = _wordset(
    """technology hitech trading industry international group holding import export electronic
    electric engineering equipment science research institute development investment service
    logistics system solution global general enterprise manufacturing machinery material
    chemical energy power network communication telecommunication information software
    precision instrument supply shipping transport transportation petroleum aviation aerospace
    automation optical optics optoelectronic semiconductor microelectronics telecom commercial
    commerce consulting consultancy consultants management resource product marketing
    business partners associates ventures capital finance financial bank university academy
    laboratory center factory plant works office branch department bureau agency ministry
    national state federal association foundation organization organisation society union
    council committee new smart digital intelligent intelligence control design medical
    pharmaceutical health high advanced innovation applied integrated marine maritime ocean
    shipbuilding ship airlines air oil gas steel metal metals mining construction
    agricultural food textile automotive auto vehicle motor motors defense defence military
    security nuclear space satellite radio computer computing data cloud micro nano photonics
    laser vision robotics battery solar environmental brothers limited production scientific
    technical special complex repair building mechanical exchange concern unitary open closed
    public private joint stock company corporation industries sanayi ticaret dis tejarat
    sanat sanaye nauchno issledovatelskii issledovatelskiy issledovatelsky proizvodstvennoe
    zavod byuro konstruktorskoe predpriyatie obedinenie imeni named after grupo empresa
    comercial industrias servicios trust fund charity relief martyrs foundation head office
    headquarters subsidiary division representative affiliate affiliated refinery mill
    shipyard zavody kombinat
    """
)

LOCATION_WORDS: frozenset[str] = _wordset(
    """china chinese hongkong hk macau macao taiwan beijing peking shanghai shenzhen
    guangzhou tianjin chongqing wuhan chengdu hangzhou nanjing xian dalian qingdao harbin
    changsha zhengzhou jinan suzhou wuxi ningbo xiamen fuzhou hefei kunming shenyang
    changchun taiyuan shijiazhuang nanchang guiyang lanzhou urumqi xinjiang guangdong jiangsu
    zhejiang sichuan hubei hunan henan hebei shandong shanxi shaanxi fujian anhui jiangxi
    liaoning jilin heilongjiang yunnan guangxi hainan mongolia tibet dongguan foshan zhuhai
    mianyang baotou luoyang zhuzhou xiangtan russia russian rossii rossiiskoi rossiyskoy
    moscow moskva moskovskii moskovsky petersburg peterburg sankt novosibirsk yekaterinburg
    ekaterinburg kazan nizhny nizhnii novgorod samara rostov chelyabinsk omsk perm ufa
    krasnoyarsk voronezh tula izhevsk smolensk kaluga ryazan tomsk irkutsk vladivostok
    crimea sevastopol belarus minsk ukraine kiev kyiv iran iranian tehran isfahan esfahan
    shiraz tabriz mashhad karaj syria syrian damascus aleppo iraq iraqi baghdad lebanon
    lebanese beirut yemen sanaa uae emirates dubai sharjah dhabi ajman turkey turkiye
    istanbul ankara izmir pakistan karachi lahore islamabad rawalpindi india delhi mumbai
    bangalore afghanistan kabul korea korean dprk pyongyang seoul japan tokyo singapore
    malaysia kuala lumpur thailand bangkok vietnam hanoi indonesia jakarta cuba havana
    venezuela caracas armenia yerevan tbilisi kazakhstan almaty astana uzbekistan tashkent
    kyrgyzstan bishkek azerbaijan baku estonia latvia riga lithuania finland germany german
    france french italy spain netherlands cyprus nicosia limassol greece serbia belgrade
    bulgaria egypt cairo libya tripoli sudan khartoum gaza palestine amman saudi arabia
    riyadh jeddah qatar doha kuwait bahrain oman muscat mexico colombia panama liberia usa
    america american united states kingdom britain british london europe european asia
    asian pacific eastern western northern southern east west north south middle far
    central"""
)

_LEGAL_TARGETS = LEGAL_CODES
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_TOKEN_RE = re.compile(r"[0-9a-z]+|,")
_INITIALISM_RE = re.compile(r"\b(?:[a-z]\.){2,}(?=\s|$|[^a-z0-9])|\b(?:[a-z]\.)+[a-z]\b")
_DIGIT_RE = re.compile(r"\d")


#: Long words of legal forms and generic vocabulary: a token one edit away from one of them
#: (two edits from 11 letters) is taken as a typo of it. Typos inside legal forms
#: ("Obshchestvo s Ogrannichennoi ...", "Compayn", "Liabiltiy") otherwise turn low-weight
#: words into unmatched high-weight "distinctive" tokens (reference note, section 3.1).
_LEGAL_WORDS: frozenset[str] = _wordset(
    """limited liability company corporation incorporated partnership aktsionernoe
    aktsionernoye obshchestvo obschestvo ogranichennoi ogranichennoy otvetstvennostyu
    otvetstvennostiu zakrytoe zakrytoye otkrytoe otkrytoye publichnoe gesellschaft
    aktiengesellschaft beschraenkter sociedad anonima responsabilidad limitada societe
    anonyme sirketi private public closed unitary"""
)
_FIX_TARGETS: tuple[str, ...] = tuple(
    sorted(
        w
        for w in _LEGAL_WORDS | GENERIC_WORDS | set(ABBREVIATIONS.values()) | set(ABBREVIATIONS)
        if len(w) >= 6 and w.isalpha()
    )
)
_KNOWN: frozenset[str] = frozenset(_FIX_TARGETS) | LOCATION_WORDS | frozenset(ABBREVIATIONS)


@lru_cache(maxsize=131072)
def _fix_typo(token: str) -> str:
    """The legal/generic word `token` is a one-edit typo of, or `token` itself."""
    n = len(token)
    if n < 7 or token in _KNOWN or not token.isalpha():
        return token
    budget = 2 if n >= 11 else 1
    best = process.extractOne(token, _FIX_TARGETS, scorer=OSA.distance, score_cutoff=budget)
    return best[0] if best is not None else token


def _transliteration_endings(token: str) -> str:
    """Russian surname endings written the German/French way: -off/-eff -> -ov/-ev."""
    if len(token) >= 6 and token.endswith(("off", "eff")):
        return token[:-2] + "v"
    return token


def classify_token(token: str) -> TokenClass:
    """The class of one comparable token (legal forms are classed when they are made)."""
    if token in _LEGAL_TARGETS:
        return TokenClass.legal
    if _DIGIT_RE.search(token):
        return TokenClass.number
    if token in STOP_WORDS:
        return TokenClass.stop
    if token in LOCATION_WORDS:
        return TokenClass.location
    if token in GENERIC_WORDS:
        return TokenClass.generic
    return TokenClass.distinctive


@lru_cache(maxsize=65536)
def _translit_char(ch: str) -> str:
    return anyascii(ch).casefold()


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented: loaded only when a name has Han characters

    return opencc.OpenCC("t2s")


def translate_cjk_forms(text: str) -> str:
    """Traditional Han -> simplified (OpenCC t2s), then the organisation vocabulary and
    legal forms (_CJK_FORMS) -> English words, before any transliteration (step 2)."""
    text = _t2s().convert(text)
    for native, latin in _CJK_FORMS:
        if native in text:
            text = text.replace(native, latin)
    return text


def _to_ascii(text: str) -> tuple[str, bool]:
    """Transliterate; Han characters become space-separated syllables (step 3)."""
    han = bool(_CJK_RE.search(text))
    if han:
        text = translate_cjk_forms(text)
        for native, latin in _HAN_WORDS:
            if native in text:
                text = text.replace(native, latin)
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif han and _CJK_RE.match(ch):
            out.append(" " + (_HAN_CHARS.get(ch) or _translit_char(ch)) + " ")
        else:
            out.append(_translit_char(ch))
    return "".join(out), han


_COMMA_LEGALISH: frozenset[str] = _wordset(
    """co ltd limited inc incorporated llc corp corporation company sa ag gmbh plc jsc ooo ao
    oao zao pao cv srl spa bv nv pte pvt bhd fze llp lp ltda sarl"""
)


def _apply_phrases(tokens: list[str], surfaces: list[str]) -> tuple[list[str], list[str]]:
    """Rewrite the multi-token spellings of `_PHRASES` (longest first).

    The comma marker never matches a phrase key, so a phrase cannot straddle it.
    """
    out: list[str] = []
    out_s: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        for size in (6, 4, 3, 2):
            if i + size <= n:
                repl = _PHRASES.get(tuple(tokens[i : i + size]))
                if repl is not None:
                    span = " ".join(surfaces[i : i + size])
                    out.extend(repl)
                    out_s.extend([span] + [""] * (len(repl) - 1))
                    i += size
                    break
        else:
            out.append(tokens[i])
            out_s.append(surfaces[i])
            i += 1
    return out, out_s


def _legal_spans(tokens: list[str]) -> dict[int, tuple[int, str]]:
    """Legal-form spans found by rigour: start index -> (end index, generic code).

    Indices refer to `tokens`, which may hold one "," marker; rigour sees the name without
    it, and a span's end is found by walking that many real tokens.
    """
    real = [t for t in tokens if t != ","]
    if not real:
        return {}
    joined = " ".join(real)
    found = extract_org_types(joined, generic=True)
    if not found:
        return {}
    starts: dict[int, int] = {}
    pos = 0
    for i, tok in enumerate(tokens):
        if tok == ",":
            continue
        starts[pos] = i
        pos += len(tok) + 1
    first = next(i for i, t in enumerate(tokens) if t != ",")
    last = max(i for i, t in enumerate(tokens) if t != ",")
    spans: dict[int, tuple[int, str]] = {}
    edge_only: list[tuple[int, str]] = []
    cursor = 0
    for matched, code in found:
        at = joined.find(matched, cursor)
        while at >= 0 and at not in starts:
            at = joined.find(matched, at + 1)
        if at < 0:
            continue
        cursor = at + len(matched)
        start = starts[at]
        size = matched.count(" ") + 1
        if size == 1:
            if matched in _RIGOUR_EDGE_ONLY:
                if start not in (first, last):
                    edge_only.append((start, code))
                    continue
            elif matched not in _RIGOUR_SINGLE_OK:
                continue
        end = start
        walked = 0
        while walked < size and end < len(tokens):
            if tokens[end] != ",":
                walked += 1
            end += 1
        spans[start] = (end, code)
    # "GmbH & Co. KG", "X Co. AG Holding": an ambiguous short form next to another legal form
    if edge_only:
        legal_at = {i for start, (end, _) in spans.items() for i in range(start, end)}
        legal_at.update(i for i, t in enumerate(tokens) if t in _OWN_LEGAL)
        for start, code in edge_only:
            before = start - 2 if start >= 1 and tokens[start - 1] == "and" else start - 1
            if before in legal_at or start + 1 in legal_at:
                spans[start] = (start + 1, code)
    return spans


def _person_flip(tokens: list[str], comma: int | None, person: bool | None) -> bool:
    if comma is None or person is False:
        return False
    before, after = comma, len(tokens) - comma
    if before == 0 or after == 0:
        return False
    return bool(person) or (before <= 3 and after <= 3)


@lru_cache(maxsize=262144)
def normalize_name(text: str, entity_type: str | None = None) -> NormalizedName:
    """Normalise a list alias or a query name (the same way on both sides).

    `entity_type` is the list entry's type when known ("person", "organization", "vessel",
    ...): a person's "LAST, First" is always reordered; organisations, vessels and aircraft
    never are; unknown names are reordered only when both parts are short (at most three
    tokens each) and the name has no legal form, which is how "GAO, Qi" differs from
    "JOMADI LOGISTICS, S.A. DE C.V.". Cached: list and query names repeat, and the result
    is immutable.
    """
    s = unicodedata.normalize("NFKC", text).casefold()
    han = False
    if not s.isascii():
        s, han = _to_ascii(s)
        s = s.casefold()
    s = s.replace("&", " and ").replace("'", "").replace("`", "")
    if "." in s:
        s = _INITIALISM_RE.sub(lambda m: m.group(0).replace(".", ""), s)

    tokens = _TOKEN_RE.findall(s)
    if "," in tokens:
        # a comma next to a legal-form word ("Co., Ltd.", "X, Inc.") separates nothing
        kept: list[str] = []
        for i, tok in enumerate(tokens):
            if tok == ",":
                prev = tokens[i - 1] if i > 0 else ","
                nxt = tokens[i + 1] if i + 1 < len(tokens) else ","
                if prev == "," or nxt == "," or prev in _COMMA_LEGALISH or nxt in _COMMA_LEGALISH:
                    continue
            kept.append(tok)
        tokens = kept if kept.count(",") == 1 else [t for t in kept if t != ","]

    surfaces: list[str] = []
    expanded: list[str] = []
    for tok in tokens:
        if tok == ",":
            expanded.append(tok)
            surfaces.append(tok)
            continue
        fixed = _transliteration_endings(_fix_typo(tok))
        full = ABBREVIATIONS.get(fixed, fixed)
        if " " in full:
            parts = full.split()
            expanded.extend(parts)
            surfaces.extend([tok] + [""] * (len(parts) - 1))
        else:
            expanded.append(full)
            surfaces.append(tok)
    tokens = expanded
    if len(tokens) >= 2:
        tokens, surfaces = _apply_phrases(tokens, surfaces)

    spans = _legal_spans(tokens)
    out_tokens: list[str] = []
    out_surfaces: list[str] = []
    out_classes: list[TokenClass] = []
    comma_at: int | None = None
    has_legal = False
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if tok == ",":
            comma_at = len(out_tokens)
            i += 1
            continue
        span = spans.get(i)
        if span is not None:
            end, code = span
            out_tokens.append(code)
            out_surfaces.append(" ".join(x for x in surfaces[i:end] if x and x != ","))
            out_classes.append(TokenClass.legal)
            has_legal = True
            i = end
            continue
        own = _OWN_LEGAL.get(tok)
        if own is not None and n > 1:
            out_tokens.append(own)
            out_classes.append(TokenClass.legal)
            has_legal = True
        elif tok in _LEGAL_WORDS and n > 1:
            # a legal-form word outside a recognised legal form ("Obshchestvo S
            # Otvetstvennostyu X" with a word dropped): still no part of the name
            out_tokens.append(tok)
            out_classes.append(TokenClass.legal)
            has_legal = True
        else:
            out_tokens.append(tok)
            out_classes.append(classify_token(tok))
        out_surfaces.append(surfaces[i] or tok)
        i += 1

    person: bool | None = None
    if entity_type in ("person", "individual"):
        person = True
    elif entity_type in ("organization", "vessel", "aircraft") or has_legal:
        person = False
    flipped = _person_flip(out_tokens, comma_at, person)
    family_from: int | None = None
    if flipped and comma_at is not None:
        k = comma_at
        family_from = len(out_tokens) - k
        out_tokens = out_tokens[k:] + out_tokens[:k]
        out_surfaces = out_surfaces[k:] + out_surfaces[:k]
        out_classes = out_classes[k:] + out_classes[:k]

    toks = tuple(out_tokens)
    return NormalizedName(
        original=text,
        tokens=toks,
        classes=tuple(out_classes),
        surfaces=tuple(out_surfaces),
        comparable=" ".join(toks),
        spacefree="".join(toks),
        flipped=flipped,
        han=han,
        family_from=family_from,
    )
