"""Cross-script recall and look-alike precision on the full CSL, beside a plain rapidfuzz
baseline, with a held-out split.

Labelled set (deterministic, from public data):

* **positives** come from the bundled alias file (screener/parties/data/native_aliases.csv:
  native-script names the public KAIST compilation gives listed entities) and from the CSL's
  own "Name (ABBR)" entries; for each alias whose English name is a CSL entry:
  `han_simplified` (the native name with its legal form varied: 有限公司 <-> 股份有限公司,
  or a trailing 公司 dropped), `han_traditional` (OpenCC s2t of it), `pinyin_split` and
  `pinyin_joined` (pypinyin syllables, one per word or two per word, company words in
  English as Latin-script names write them), `cyrillic_palladius` (a Chinese group or brand
  name the file gives several entities, 华为, written in Russian by pypinyin's Palladius
  table as Russian documents write Chinese brands: Хуавэй),
  `cyrillic_native` (a listed entity's Russian native name with «» quotes and the legal
  form abbreviated), and `acronym` (the bracketed acronym, bare and dotted: "S.M.I.C.");
* **negatives** (`lookalike`): unlisted companies with names close to listed ones (Hua Hong,
  TSMC, PSMC, CXMT, SMCI, Micron, ...), in Latin, Chinese and Russian script, as their own
  registrations and press write them.

A positive counts when a hit at review band or above is an entry carrying the alias; a
negative is avoided when it gets no hit. Entries are split by a hash of the listed name:
`dev` (about 30 %) for looking at failures, `test` (held out) reported.

Run: .venv/bin/python bench/eval_cross_script.py [--baseline-only]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from anyascii import anyascii  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from screener.parties.aliases import BUNDLED, read_alias_table, with_aliases  # noqa: E402
from screener.parties.crossscript import ScriptAwareMatcher  # noqa: E402
from screener.parties.importers import read_list  # noqa: E402
from screener.parties.matcher import PartyMatcher  # noqa: E402
from screener.parties.normalize import fold  # noqa: E402

CSL = Path("/work/shared/data/lists/csl-2026-07-31/screening-list.json")

#: Unlisted look-alikes (none of them is on the CSL of 2026-07-31; checked by name).
LOOKALIKES = [
    "Hua Hong Semiconductor Limited",
    "华虹半导体有限公司",
    "上海华虹宏力半导体制造有限公司",
    "Taiwan Semiconductor Manufacturing Company Limited",
    "TSMC",
    "台湾积体电路制造股份有限公司",
    "台灣積體電路製造股份有限公司",
    "PSMC",
    "Powerchip Semiconductor Manufacturing Corporation",
    "力晶积成电子制造股份有限公司",
    "CXMT",
    "ChangXin Memory Technologies, Inc.",
    "长鑫存储技术有限公司",
    "SMCI",
    "Super Micro Computer, Inc.",
    "Micron Technology, Inc.",
    "美光科技有限公司",
    "United Microelectronics Corporation",
    "联华电子股份有限公司",
    "BOE Technology Group Co., Ltd.",
    "京东方科技集团股份有限公司",
    "小米科技有限责任公司",
    "宁德时代新能源科技股份有限公司",
    "比亚迪股份有限公司",
    "Хуахун Полупроводник",
    "ПАО «Магнит»",
    "ООО «Озон Интернет»",
    "АО «Тандер»",
    "Нова пошта",
    "Укрзалізниця",
]

_ABBR = re.compile(r"^(?P<base>[^()]{6,}?)\s*\((?P<abbr>[A-Z][A-Z0-9&-]{2,6})\)\s*$")


def _bucket(name: str) -> str:
    h = int(hashlib.sha256(fold(name).encode()).hexdigest()[:8], 16)
    return "dev" if h % 10 < 3 else "test"


def _pinyin_words(native: str, joined: bool) -> str:
    from pypinyin import lazy_pinyin

    from screener.parties.normalize import translate_cjk_forms

    parts = translate_cjk_forms(native).split()
    words: list[str] = []
    for part in parts:
        if part.isascii():
            words.append(part.capitalize())
            continue
        # the normaliser's reading of 都 in names (Chengdu, Hongdu), not pypinyin's "dou"
        syl = [{"dou": "du"}.get(s, s).capitalize() for s in lazy_pinyin(part)]
        if joined:
            words.extend("".join(syl[i : i + 2]) for i in range(0, len(syl), 2))
        else:
            words.extend(syl)
    return " ".join(words)


def _palladius(brand: str) -> str | None:
    """A Chinese group or brand name (华为) as Russian documents write it (Хуавэй)."""
    from pypinyin import Style, lazy_pinyin

    if not re.fullmatch(r"[\u4e00-\u9fff]{2,6}", brand):
        return None
    cyr = re.sub(r"\d", "", "".join(lazy_pinyin(brand, style=Style.CYRILLIC)))
    return cyr.capitalize() if len(cyr) >= 4 else None


def build_cases(entries: list[Any]) -> list[dict[str, Any]]:
    import opencc

    s2t = opencc.OpenCC("s2t")
    by_key: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for e in entries:
        for a in e.all_names():
            by_key[a.name].add((e.list_code.value, e.entry_id))
    cases: list[dict[str, Any]] = []

    def add(category: str, query: str | None, owner: str, expected: set[tuple[str, str]]) -> None:
        if query and expected:
            cases.append(
                {
                    "category": category,
                    "query": query,
                    "owner": owner,
                    "split": _bucket(owner),
                    "expected": sorted(expected),
                }
            )

    seen: set[tuple[str, str]] = set()
    brands: set[str] = set()
    for e in entries:
        for a in e.aliases:
            if not a.source or (a.name, e.name) in seen:
                continue
            seen.add((a.name, e.name))
            native = a.name
            expected = by_key[native]
            owner = e.name
            if re.search(r"[\u4e00-\u9fff]", native) and a.type.value == "aka":
                if native.endswith("股份有限公司"):
                    varied = native.replace("股份有限公司", "有限公司")
                elif native.endswith("有限公司"):
                    varied = native.replace("有限公司", "股份有限公司")
                else:
                    varied = native + "有限公司"
                add("han_simplified", varied, owner, expected)
                add("han_traditional", s2t.convert(native), owner, expected)
                add("pinyin_split", _pinyin_words(native, joined=False), owner, expected)
                add("pinyin_joined", _pinyin_words(native, joined=True), owner, expected)
            elif a.type.value == "weak" and native not in brands:
                brands.add(native)
                add("cyrillic_palladius", _palladius(native), owner, expected)
            elif re.search(r"[\u0400-\u04ff]", native) and a.type.value == "aka":
                q = re.sub(r"[\"“”„]", "", native)
                q = re.sub(r"^Общество с ограниченной ответственностью\s*", "ООО ", q)
                q = re.sub(r"^Акционерное общество\s*", "АО ", q)
                add("cyrillic_native", q.replace("«", "«").strip(), owner, expected)
    for e in entries:
        m = _ABBR.match(e.name)
        if m and e.entity_type.value != "person":
            abbr = m.group("abbr")
            expected = {(x.list_code.value, x.entry_id) for x in [e]}
            add("acronym", abbr, e.name, expected)
            if abbr.isalpha():
                add("acronym", ".".join(abbr) + ".", e.name, expected)
    for name in LOOKALIKES:
        cases.append(
            {"category": "lookalike", "query": name, "owner": name, "split": "test", "expected": []}
        )
    return cases


class Baseline:
    """Plain rapidfuzz: token_sort_ratio >= 80 over anyascii-folded aliases, best alias."""

    def __init__(self, entries: list[Any]) -> None:
        self.keys: list[tuple[str, str]] = []
        self.texts: list[str] = []
        for e in entries:
            for a in e.all_names():
                self.keys.append((e.list_code.value, e.entry_id))
                self.texts.append(fold(a.name))

    def match(self, query: str) -> list[tuple[str, str]]:
        found = process.extract(
            fold(anyascii(query)),
            self.texts,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=80,
            limit=10,
        )
        return [self.keys[i] for _, _, i in found]


def evaluate(cases: list[dict[str, Any]], match: Any) -> dict[str, Any]:
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    started = time.perf_counter()
    for c in cases:
        if c["split"] != "test":
            continue
        got = set(match(c["query"]))
        ok = (
            (not got)
            if c["category"] == "lookalike"
            else bool(got & {tuple(k) for k in c["expected"]})
        )
        per[c["category"]][0] += int(ok)
        per[c["category"]][1] += 1
    elapsed = time.perf_counter() - started
    n = sum(v[1] for v in per.values())
    return {
        "per_category": {
            k: {"ok": v[0], "n": v[1], "rate": round(v[0] / v[1], 3)}
            for k, v in sorted(per.items())
        },
        "names_per_s": round(n / elapsed, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "eval_cross_script.json")
    args = ap.parse_args()
    plain, _ = read_list(CSL, "csl-compact")
    entries = with_aliases(plain, read_alias_table(BUNDLED))
    cases = build_cases(entries)
    t0 = time.perf_counter()
    ours = ScriptAwareMatcher(PartyMatcher(entries, "csl@eval"))
    build_s = time.perf_counter() - t0
    before = PartyMatcher(plain, "csl@eval")
    base = Baseline(plain)

    def keys(hits: list[Any]) -> list[tuple[str, str]]:
        return [(h.list_code.value, h.entry_id) for h in hits]

    report = {
        "cases": {s: sum(1 for c in cases if c["split"] == s) for s in ("dev", "test")},
        "index_build_s": round(build_s, 1),
        "chokepoint (aliases + readings)": evaluate(cases, lambda q: keys(ours.match(q))),
        "chokepoint matcher alone (no alias file, no readings)": evaluate(
            cases, lambda q: keys(before.match(q))
        ),
        "rapidfuzz token_sort_ratio >= 80": evaluate(cases, base.match),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    with (args.out.with_suffix(".cases.jsonl")).open("w") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
