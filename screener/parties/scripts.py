"""Readings of a name written in a script the lists do not carry (Han, Cyrillic, kana...).

The CSL is Latin-only; a name on a Chinese purchase order or a Russian invoice is matched
through Latin *readings* of it, each tried as a query (crossscript.py keeps the best hit and
says which reading found it). One anyascii reading is always tried by the normaliser itself;
this module adds the readings the field's libraries give:

- **Han**: the normaliser already converts traditional to simplified (OpenCC `t2s`, so 華為
  and 中芯國際 meet the simplified names and vocabulary) and reads each character with
  anyascii; this adds Hanyu Pinyin by pypinyin, whose
  phrase dictionary reads polyphones in context (重庆 Chongqing, 银行 yinhang), after the
  organisation vocabulary (有限公司, 集团, 科技 ...) has been translated by the normaliser's
  table. Syllables stay separate; the matcher joins adjacent syllables, so "Zhongxin" and
  "Zhong Xin" both meet.
- **Cyrillic**: the romanisation standards in use, from iuliia: ICAO Doc 9303 (passports),
  GOST 7.79 system B, BGN/PCGN, the Wikipedia/English convention and the scientific
  system; Ukrainian and Bulgarian spellings by cyrtranslit; and **Palladius** read back to
  pinyin, for Chinese names written in Russian (Хуавэй -> hua wei -> Huawei): the table is
  pypinyin's own pinyin -> Cyrillic (Palladius) style, inverted.
- **Kana/Hangul and others**: anyascii only (the normaliser's reading); no extra reading.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Reading", "readings", "scripts_in"]

#: Unicode name prefix -> script label (the labels `parties.unreadable_scripts` carries).
_SCRIPT_LABELS = {
    "CJK": "Han",
    "CYRILLIC": "Cyrillic",
    "KATAKANA": "Katakana",
    "HIRAGANA": "Hiragana",
    "HANGUL": "Hangul",
    "ARABIC": "Arabic",
    "GREEK": "Greek",
    "HEBREW": "Hebrew",
    "DEVANAGARI": "Devanagari",
    "THAI": "Thai",
    "ARMENIAN": "Armenian",
    "GEORGIAN": "Georgian",
}
#: Every label `scripts_in` can return (the clause tests membership in this set).
SCRIPTS: tuple[str, ...] = (*_SCRIPT_LABELS.values(), "Other")

_UKRAINIAN = frozenset("іїєґІЇЄҐ")
_BULGARIAN_HINT = frozenset("ъЪщЩ")


@dataclass(frozen=True, slots=True)
class Reading:
    """One Latin reading of a non-Latin name: how it was made, and the text."""

    method: str
    text: str


@lru_cache(maxsize=4096)
def _char_script(ch: str) -> str | None:
    if not ch.isalpha() or ch.isascii():
        return None
    name = unicodedata.name(ch, "")
    head = name.split(" ", 1)[0].split("-", 1)[0]  # KATAKANA-HIRAGANA PROLONGED SOUND MARK
    if head == "LATIN":
        return None
    if head == "HALFWIDTH" or head == "FULLWIDTH":  # ｶﾀｶﾅ, ｈｕａｗｅｉ
        head = name.split(" ")[1]
        if head == "LATIN":
            return None
    return _SCRIPT_LABELS.get(head, "Other")


def scripts_in(text: str) -> tuple[str, ...]:
    """Non-Latin scripts of the letters of `text`, most frequent first (() for Latin)."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isascii():
            continue
        s = _char_script(ch)
        if s:
            counts[s] = counts.get(s, 0) + 1
    return tuple(sorted(counts, key=lambda s: -counts[s]))


# ------------------------------------------------------------------------------- Han


def _han_readings(text: str) -> list[Reading]:
    from pypinyin import Style, lazy_pinyin

    from screener.parties.normalize import translate_cjk_forms

    translated = translate_cjk_forms(unicodedata.normalize("NFKC", text))
    syllables = lazy_pinyin(translated, style=Style.NORMAL, errors="default")
    pinyin = " ".join(" ".join(syllables).split())
    return [Reading("OpenCC t2s + pypinyin", pinyin)] if pinyin else []


# ------------------------------------------------------------------------------- Cyrillic


@lru_cache(maxsize=1)
def _schemas() -> tuple[tuple[str, object], ...]:
    import iuliia

    return (
        ("ICAO Doc 9303", iuliia.ICAO_DOC_9303),
        ("GOST 7.79-2000 B", iuliia.GOST_779_ALT),
        ("BGN/PCGN", iuliia.BGN_PCGN_ALT),
        ("Wikipedia (English)", iuliia.WIKIPEDIA),
        ("scientific", iuliia.SCIENTIFIC),
    )


@lru_cache(maxsize=1)
def _palladius() -> dict[str, str]:
    """Palladius (Cyrillic) syllable -> pinyin syllable, from pypinyin's own tables."""
    from pypinyin import Style
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style import convert

    syllables = {to_normal(p) for v in pinyin_dict.values() for p in v.split(",")}
    table: dict[str, str] = {}
    for syl in sorted(syllables):
        if not syl.isascii() or not syl.isalpha():
            continue
        cyr = convert(syl, style=Style.CYRILLIC, strict=True)
        if cyr and cyr != syl:
            table.setdefault(cyr.lower(), syl)
    return table


def _palladius_word(word: str) -> list[str] | None:
    """Split a Cyrillic word into Palladius syllables (fewest syllables), as pinyin."""
    table = _palladius()
    w = word.lower()
    n = len(w)
    if n < 4:  # "ООО", "АО": legal forms, not two syllables
        return None
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, min(n, i + 6) + 1):
            syl = table.get(w[i:j])
            if syl is not None:
                cand = [*best[i], syl]  # type: ignore[misc]
                if best[j] is None or len(cand) < len(best[j]):  # type: ignore[arg-type]
                    best[j] = cand
    syllables = best[n]
    if not syllables or len(syllables) < 2:
        return None
    return _company_words(syllables)


def _company_words(syllables: list[str]) -> list[str]:
    """Join the syllables of pinyin company words ("ke ji" -> "keji", "guo ji" -> "guoji"),
    which the normaliser then translates as it does in Latin-script names (Keji ->
    technology), so "Чжунсиньгоцзи" meets 中芯国际 (zhong xin international)."""
    from screener.parties.name_tables import ABBREVIATIONS

    out: list[str] = []
    i = 0
    while i < len(syllables):
        for size in (4, 3, 2):
            joined = "".join(syllables[i : i + size])
            if i + size <= len(syllables) and joined in ABBREVIATIONS:
                out.append(joined)
                i += size
                break
        else:
            out.append(syllables[i])
            i += 1
    return out


def _cyrillic_readings(text: str) -> list[Reading]:
    import cyrtranslit

    out = [Reading(label, schema.translate(text)) for label, schema in _schemas()]  # type: ignore[attr-defined]
    if _UKRAINIAN & set(text):
        out.append(Reading("Ukrainian national (cyrtranslit)", cyrtranslit.to_latin(text, "ua")))
    if _BULGARIAN_HINT & set(text):
        out.append(Reading("Bulgarian streamlined (cyrtranslit)", cyrtranslit.to_latin(text, "bg")))
    words = text.split()
    read = [_palladius_word(w.strip("«»\"'().,")) for w in words]
    if any(read):
        bgn = _schemas()[2][1]
        pinyin = " ".join(
            " ".join(r) if r else bgn.translate(w)  # type: ignore[attr-defined]
            for w, r in zip(words, read, strict=True)
        )
        out.append(Reading("Palladius -> pinyin", pinyin))
    return out


def readings(text: str) -> list[Reading]:
    """Latin readings of `text` beyond the normaliser's own anyascii one; standards giving
    the same text share one reading ("GOST 7.79-2000 B = BGN/PCGN")."""
    scripts = scripts_in(text)
    out: list[Reading] = []
    if "Han" in scripts:
        out += _han_readings(text)
    if "Cyrillic" in scripts:
        out += _cyrillic_readings(text)
    # one reading per distinct text, naming every standard that gives it
    methods: dict[str, list[str]] = {}
    for r in out:
        if r.text != text:
            methods.setdefault(r.text, []).append(r.method)
    return [Reading(" = ".join(m), t) for t, m in methods.items()]
