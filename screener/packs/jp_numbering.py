"""Read Japanese list numbering in `control_codes.JP`, as a Japanese exporter writes it.

A Japanese exporter classifies under the Export Trade Control Order, Appended Table 1
(輸出貿易管理令別表第1: "7の項(18)", "ETCO AT1 item 7(18)") or under the article, item and
sub-item of the Goods Ordinance that sets the specifications ("貨物等省令第6条第17号ル",
"Goods Ordinance Art. 6 item 17 (ru)"). This module recognises those forms (Japanese, with
full-width or kanji numerals, and the usual English renderings), writes the entry in one
canonical form ("AT1 7(18)", "GO 6(17)(ル)"), and checks it against the dated table
`rules/jp/tables/numbering.yaml`: an entry that did not exist on the transaction's date, or a
sub-item the table does not know, is not guessed (the code is dropped, so the clause that
needs it is a review naming item.control_codes.JP). Item 16 of Appended Table 1 is the
catch-all for goods on no list: it reads as not_listed. A code in Wassenaar numbering
(3B001.c.1.a), `listed` and `not_listed` pass through unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from schemas.control_codes import NOT_LISTED

FILE = Path("jp") / "tables" / "numbering.yaml"
# the iroha order of the Ordinance's sub-items, and their usual romanisation
IROHA = (
    "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"
)
ROMAJI = [
    *("i", "ro", "ha", "ni", "ho", "he", "to", "chi", "ri", "nu", "ru", "wo", "wa", "ka"),
    *("yo", "ta", "re", "so", "tsu", "ne", "na", "ra", "mu", "u", "wi", "no", "o", "ku"),
    *("ya", "ma", "ke", "fu", "ko", "e", "te", "a", "sa", "ki", "yu", "me", "mi", "shi"),
    *("we", "hi", "mo", "se", "su"),
]
_KANA = dict(zip(ROMAJI, IROHA, strict=True)) | {"wi": "ヰ", "we": "ヱ", "o": "オ"}
_KANJI = {c: i for i, c in enumerate("〇一二三四五六七八九")}

# "7の項(18)", "別表第1の7の項(18)", "ETCO AT1 item 7(18)", "Appended Table 1 item 7 (18)"
_ETCO = re.compile(
    r"^(?:(?:輸出(?:貿易管理)?令)?(?:別表第?1の?)?|(?:ETCO\s*)?(?:AT\s*1|Appended\s+Table\s+1)"
    r"\s*(?:,?\s*(?:item|row)\s*)?|ETCO\s*(?:item\s*)?)"
    r"(\d+)(?:の(\d+))?(?:の?項)?\s*(?:\((\d+)\))?$",
    re.I,
)
# "貨物等省令第6条第17号ル", "第6条第17号の2", "Goods Ordinance Art. 6 item 17 (ru)", "GO 6(17)(ル)"
_GO = re.compile(
    r"^(?:貨物等省令|(?:METI\s+)?Goods\s+Ordinance|GO)?\s*"
    r"(?:第(\d+)条|Art(?:icle)?\.?\s*(\d+)|(\d+))\s*"
    r"(?:第(\d+)号(?:の(\d+))?|,?\s*item\s*(\d+)(?:-(\d+))?|\((\d+)(?:-(\d+))?\))\s*"
    r"(?:\(?([ァ-ヶ]|[a-z]{1,3})\)?)?$",
    re.I,
)


@dataclass(frozen=True)
class Entry:
    article: str  # "6(17)" or "6(17-2)"
    etco: str | None
    title: str
    subitems: frozenset[str]
    start: dt.date | None
    end: dt.date | None
    confidence: str

    def on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Reading:
    """What a JP code was read as: the code to record (None: dropped) and the note shown."""

    code: str | None
    note: str | None


class JapaneseNumbering:
    def __init__(self, entries: list[Entry], articles: dict[str, str]) -> None:
        self.entries = entries
        self.articles = articles  # AT1 item -> Goods Ordinance article
        self._read = lru_cache(maxsize=4096)(self._read_uncached)

    @classmethod
    def load(cls, rules_dir: Path) -> JapaneseNumbering:
        path = rules_dir / FILE
        if not path.exists():
            return cls([], {})
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries = [
            Entry(
                article=str(row["goods_ordinance"]),
                etco=str(row["etco"]) if row.get("etco") else None,
                title=str(row["title"]),
                subitems=frozenset(str(s) for s in row.get("subitems") or ()),
                start=row.get("from"),
                end=row.get("to"),
                confidence=f"{row['confidence']['level']}: {row['confidence']['source']}",
            )
            for row in data.get("entries") or []
        ]
        articles = {str(a["etco_item"]): str(a["article"]) for a in data.get("articles") or []}
        return cls(entries, articles)

    def read(self, code: str, on: dt.date) -> Reading:
        """The JP code to record for `code` on `on`, and a note saying how it was read."""
        return self._read(code, on)

    def _read_uncached(self, code: str, on: dt.date) -> Reading:
        text = _normalise(code)
        etco = _ETCO.match(text)  # first: a bare "7(18)" is Appended Table 1 item 7(18)
        if etco:
            return self._etco(code, etco, on)
        go = _GO.match(text)
        if go:
            return self._goods_ordinance(code, go, on)
        return Reading(code, None)  # Wassenaar-style entry, listed or not_listed

    def _etco(self, raw: str, m: re.Match[str], on: dt.date) -> Reading:
        item = m.group(1) + (f"-{m.group(2)}" if m.group(2) else "")
        sub = m.group(3)
        canonical = f"AT1 {item}" + (f"({sub})" if sub else "")
        if item == "16":
            return Reading(
                NOT_LISTED,
                f"JP: {raw!r} read as Export Trade Control Order Appended Table 1 item 16, the "
                "catch-all for goods on no list: not_listed",
            )
        if not 1 <= int(m.group(1)) <= 15:
            return Reading(None, f"JP: {raw!r}: Appended Table 1 has no item {item}; not read")
        article = self.articles.get(m.group(1))
        via = f" (specifications: Goods Ordinance Art. {article})" if article else ""
        known = [e for e in self.entries if e.etco == canonical.removeprefix("AT1 ")]
        if known:
            e = known[0]
            via = f" = Goods Ordinance Art. {e.article}: {e.title} ({e.confidence.split(':')[0]})"
        coarse = "" if sub else "; stated to the item only, not the sub-item"
        return Reading(
            canonical,
            f"JP: {raw!r} read as Export Trade Control Order Appended Table 1 {canonical[4:]}"
            f"{via}: a listed item{coarse}",
        )

    def _goods_ordinance(self, raw: str, m: re.Match[str], on: dt.date) -> Reading:
        article = m.group(1) or m.group(2) or m.group(3)
        item = m.group(4) or m.group(6) or m.group(8)
        branch = m.group(5) or m.group(7) or m.group(9)
        key = f"{article}({item}" + (f"-{branch})" if branch else ")")
        sub = _subitem(m.group(10))
        if m.group(10) and sub is None:
            return Reading(None, f"JP: {raw!r}: {m.group(10)!r} is not an iroha sub-item; not read")
        canonical = f"GO {key}" + (f"({sub})" if sub else "")
        rows = [e for e in self.entries if e.article == key and (not sub or sub in e.subitems)]
        if not rows:
            if any(e.article == key for e in self.entries):
                return Reading(
                    None,
                    f"JP: {raw!r}: sub-item {sub} of Goods Ordinance Art. {key} is not in "
                    "rules/jp/tables/numbering.yaml; give the entry's Wassenaar-style number, "
                    "listed or not_listed",
                )
            return Reading(
                canonical,
                f"JP: {raw!r} read as Goods Ordinance Art. {key[: key.index('(')]} item "
                f"{key[key.index('(') + 1 : -1]}"
                + (f" sub-item {sub}" if sub else "")
                + ": a listed item (the entry is not in chokepoint's numbering table)",
            )
        in_force = [e for e in rows if e.on(on)]
        if not in_force:
            first = min((e.start for e in rows if e.start), default=None)
            return Reading(
                None,
                f"JP: {raw!r} (Goods Ordinance Art. {key}{f' sub-item {sub}' if sub else ''}: "
                f"{rows[0].title}) was not in force on {on}"
                + (f" (from {first})" if first else "")
                + ": classify the item under the list of that date",
            )
        e = in_force[0]
        coarse = "" if sub or not e.subitems else "; stated to the item only, not the sub-item"
        return Reading(
            canonical,
            f"JP: {raw!r} read as Goods Ordinance Art. {key}{f' sub-item {sub}' if sub else ''}"
            f": {e.title} ({e.confidence.split(':')[0]} confidence): a listed item{coarse}",
        )


def _normalise(code: str) -> str:
    """Full-width digits and brackets to ASCII, kanji numerals to digits, spaces trimmed."""
    text = unicodedata.normalize("NFKC", code).strip()
    return re.sub(r"[〇一二三四五六七八九十]+", lambda m: str(_kanji_number(m.group())), text)


def _kanji_number(text: str) -> int:
    if "十" not in text:
        return int("".join(str(_KANJI[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_KANJI[tens] if tens else 1) * 10 + (_KANJI[ones] if ones else 0)


def _subitem(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw in IROHA:
        return raw
    return _KANA.get(raw.lower())
