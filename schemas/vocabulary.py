"""Controlled vocabularies shared by transactions, rule packs and results.

They are declared here, once, so that a misspelt end-use category or parameter name is an
input error instead of a fact that silently matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

import pycountry

# The member states of the Union (ISO-2). Each is a jurisdiction of its own: the EU regime as
# its competent authority applies it, plus its national measures (Art. 9 and 10 of Regulation
# (EU) 2021/821). A member state's pack says so in data (`applies:` in its pack.yaml).
EU_MEMBER_STATES: tuple[str, ...] = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip


class Jurisdictions:
    """The jurisdictions chokepoint knows, in code order: the Union's member states (each
    applies the EU regime through its competent authority, whether or not it has a pack of
    its own) and every jurisdiction a rule pack declares (`jurisdiction:` in its pack.yaml).

    The packs are the only source: the pack loader registers each pack's jurisdiction (the
    bundled packs' as soon as `screener.packs` is imported), so a new jurisdiction is a pack
    folder and its profile, never a Python edit. Validation and the JSON Schema (enums of
    jurisdiction codes, the control-code properties) read this registry when they run."""

    def __init__(self, codes: tuple[str, ...]) -> None:
        self._codes: set[str] = set(codes)

    def add(self, code: str) -> None:
        self._codes.add(code)

    def discard(self, code: str) -> None:
        """Forget a jurisdiction (a test that registered a scratch pack's cleans up)."""
        if code not in EU_MEMBER_STATES:
            self._codes.discard(code)

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._codes))

    def __len__(self) -> int:
        return len(self._codes)

    def __repr__(self) -> str:
        return repr(tuple(self))


JURISDICTIONS = Jurisdictions(EU_MEMBER_STATES)

# ISO 3166-1 alpha-2 codes, plus XK (Kosovo: user-assigned, but used by the EAR's country
# list and by every sanctions list).
COUNTRY_CODES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries) | {"XK"}

ECCN_PATTERN = re.compile(r"^[0-9][A-EY][0-9]{3}(\.[a-z0-9]+)*$")
# The CCL's paragraph grammar (Supp. No. 1 to Part 774 as of 2026-07-23, the eCFR extraction
# behind rules/us/tables/ccl.yaml): a paragraph is one letter or a number (1-99); the first is a
# letter; a letter never follows a letter (numbers may follow numbers: 1A607.f.2.1). The
# longest paragraph path captured is 17 characters (3A001.a.5.b.2.a.1, six levels); categories
# 0, 2 and 6-9 are not captured in depth, so up to 21 (eight one-character levels) is allowed.
ECCN_MAX_LENGTH = 21
ECCN_SCHEMA_PATTERN = (
    r"^(EAR99|[0-9][A-EY][0-9]{3}(\.[a-z]((\.[1-9][0-9]?)+\.[a-z])*(\.[1-9][0-9]?)*)?)$"
)
_PARAGRAPH = re.compile(r"^(?:[a-z]|[1-9][0-9]?)$")


def normalize_eccn(raw: str) -> str:
    """Normalise an ECCN as the CCL writes it: `3B001.f.1`, `EAR99`.

    The five-character entry is upper-case, paragraphs lower-case; whitespace is dropped.
    Raises ValueError naming the problem when the string cannot be an ECCN.
    """
    text = re.sub(r"\s+", "", raw)
    if text.upper() == "EAR99":
        return "EAR99"
    head, _, rest = text.partition(".")
    eccn = head.upper() + ("." + rest.lower() if rest else "")
    if not ECCN_PATTERN.match(eccn):
        raise ValueError(
            f"{raw!r} is not an ECCN: expected EAR99 or five characters such as 3B001 "
            "(digit, product group A-E, three digits) optionally followed by paragraphs "
            "such as .f.1"
        )
    problem = _paragraph_problem(eccn.split(".")[1:])
    if problem:
        raise ValueError(f"{raw!r} is not an ECCN the CCL can have: {problem}")
    return eccn


def _paragraph_problem(paragraphs: list[str]) -> str | None:
    if len(".".join(["12345", *paragraphs])) > ECCN_MAX_LENGTH:
        return f"longer than {ECCN_MAX_LENGTH} characters (the CCL's longest: 3A001.a.5.b.2.a.1)"
    for i, label in enumerate(paragraphs):
        if not _PARAGRAPH.match(label):
            return f"paragraph {label!r} (a paragraph is one letter or a number 1-99)"
        if label.isalpha() and (i == 0 or paragraphs[i - 1].isalpha()) and i > 0:
            return f"paragraph {label!r} follows the letter {paragraphs[i - 1]!r}"
    if paragraphs and not paragraphs[0].isalpha():
        return f"the first paragraph {paragraphs[0]!r} must be a letter (3B001.c, not 3B001.1)"
    return None


def eccn_chain(eccn: str) -> list[str]:
    """The ECCN and every ancestor: 3B001.f.1 -> [3B001, 3B001.f, 3B001.f.1]."""
    parts = eccn.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


# Part 740 licence exception symbols (eCFR 2026-07-23, rules/us/tables/license_exceptions.yaml).
LICENSE_EXCEPTIONS: frozenset[str] = frozenset(
    [
        "LVS",
        "GBS",
        "SPP",
        "TSR",
        "APP",
        "NAC",
        "ACA",
        "TMP",
        "RPL",
        "GOV",
        "GFT",
        "TSU",
        "BAG",
        "AVS",
        "APR",
        "ENC",
        "AGR",
        "CCD",
        "STA",
        "SCP",
        "ACE",
        "MED",
        "IEC",
        "HBM",
        "RFF",
        "AIA",
        "ACM",
        "LPP",
    ]
)


# General authorisations of the allies that an exporter claims like a licence exception
# (`license_exceptions`) and that exception clauses name (`license_exception`): the Union
# general export authorisations of Regulation (EU) 2021/821, Annex II Sections A-H.
GENERAL_AUTHORISATIONS: frozenset[str] = frozenset(f"EU00{n}" for n in range(1, 9))
AUTHORISATION_SYMBOLS: frozenset[str] = LICENSE_EXCEPTIONS | GENERAL_AUTHORISATIONS


class PartyRole(StrEnum):
    end_user = "end_user"
    ultimate_consignee = "ultimate_consignee"
    intermediate_consignee = "intermediate_consignee"
    purchaser = "purchaser"
    freight_forwarder = "freight_forwarder"
    other = "other"


class ServiceActivity(StrEnum):
    """What is done in a service line, in the words of 15 CFR 744.6 (US-person activities)."""

    shipping = "shipping"  # ship, transmit or transfer (in-country) an item: 744.6(b)(6)(i), (c)(2)
    facilitation = "facilitation"  # facilitate (or authorise) that movement: (b)(6)(ii), (c)(3)
    servicing = "servicing"  # install, maintain, repair, overhaul, refurbish: (c)(2), (c)(3)
    support = "support"  # perform any other contract, service or employment: (b)(6)(iii)


class EndUseCategory(StrEnum):
    """End uses the rule packs can test. Each maps to wording in the regulations."""

    advanced_node_ic_production = "advanced_node_ic_production"  # 15 CFR 744.23(a)(2)(i)
    ic_production_node_unknown = "ic_production_node_unknown"  # 15 CFR 744.23(a)(2)(ii)
    advanced_node_ic_design = "advanced_node_ic_design"  # 15 CFR 744.23(a)(2)(iii)
    supercomputer = "supercomputer"  # 15 CFR 744.23(a)(1)
    sme_production = "sme_production"  # 15 CFR 744.23(a)(4): SME development/production
    ai_model_training = "ai_model_training"
    data_center = "data_center"
    military = "military"  # 15 CFR 744.21
    military_intelligence = "military_intelligence"  # 15 CFR 744.22
    nuclear = "nuclear"  # 15 CFR 744.2
    missile = "missile"  # 15 CFR 744.3
    chemical_biological_weapons = "chemical_biological_weapons"  # 15 CFR 744.4
    civil_telecommunications = "civil_telecommunications"  # 3A001 NS1/RS1 MMIC carve-out
    civil = "civil"


@dataclass(frozen=True)
class ParameterSpec:
    """A technical parameter an item may carry, with its unit and physical bounds."""

    name: str
    unit: str
    description: str
    minimum: float = 0.0
    exclusive_minimum: bool = False
    maximum: float | None = None


PARAMETERS: dict[str, ParameterSpec] = {
    p.name: p
    for p in (
        ParameterSpec("tpp", "TPP", "Total processing performance (3A090 Technical Note)"),
        ParameterSpec(
            "performance_density", "TPP/mm²", "TPP divided by applicable die area (3A090)"
        ),
        ParameterSpec(
            "bandwidth_density_gbps_mm2",
            "GB/s/mm²",
            "Memory bandwidth density: bandwidth / package or stack area (3A090.c)",
        ),
        ParameterSpec("dram_bandwidth_gbps", "GB/s", "Total DRAM bandwidth of the package"),
        ParameterSpec("wavelength_nm", "nm", "Light source wavelength", exclusive_minimum=True),
        ParameterSpec(
            "overlay_nm", "nm", "Dedicated chuck overlay (single-machine)", exclusive_minimum=True
        ),
        ParameterSpec("mrf_nm", "nm", "Minimum resolvable feature size", exclusive_minimum=True),
        ParameterSpec(
            "numerical_aperture", "NA", "Projection lens numerical aperture", maximum=2.0
        ),
        ParameterSpec("technology_node_nm", "nm", "Logic production technology node"),
        ParameterSpec("nand_layers", "layers", "NAND layer count"),
        ParameterSpec("designed_for_data_center", "bool", "Designed or marketed for data centres"),
        # The allies' and the US measures' own terms (issue 13): DUV immersion lithography
        # (Dutch annex 2023/2024, 3B001.f.1.b / 3B993.f.1 classes), multi-beam e-beam
        # inspection (3B993.q.1), EUV resist coat/bake/develop tracks (3B001.n), and the
        # "applicable die area" of 3A090's performance density.
        ParameterSpec(
            "immersion", "bool", "Immersion lithography (a liquid between lens and wafer)"
        ),
        ParameterSpec(
            "multi_beam", "bool", "Inspection or writing with multiple electron beams (3B993.q.1)"
        ),
        ParameterSpec(
            "euv_resist_processing",
            "bool",
            "Designed for coating, baking or developing EUV resist (3B001.n)",
        ),
        ParameterSpec(
            "die_area_mm2",
            "mm²",
            "Applicable die area: logic dies on a non-planar process (3A090 Technical Note)",
            exclusive_minimum=True,
            maximum=100_000.0,
        ),
    )
}
BOOLEAN_PARAMETERS = frozenset(
    {"designed_for_data_center", "immersion", "multi_beam", "euv_resist_processing"}
)
