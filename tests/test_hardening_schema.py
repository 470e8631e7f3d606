"""The OpenAPI document says exactly what is accepted (issue 19, item 6): each jurisdiction's
control-code pattern is the validator's own, and `as_of` is a date, not a number."""

from __future__ import annotations

import re

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hardening import Hard, svc  # noqa: F401  (the module's service fixture)

from schemas.control_codes import FORMS, control_code, json_schema
from schemas.transaction import Transaction
from schemas.vocabulary import JURISDICTIONS

# a member state without a form of its own, and every jurisdiction that has one
SAMPLED = sorted({*FORMS, "DE"})


def _accepted(jurisdiction: str, text: str) -> bool:
    try:
        control_code(jurisdiction, text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("jurisdiction", SAMPLED)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_document_and_the_validator_agree(jurisdiction: str, data: st.DataObject) -> None:
    schema = json_schema(jurisdiction)
    text = data.draw(
        st.one_of(
            st.from_regex(re.compile(str(schema["pattern"]))),
            st.text(max_size=12),
            st.sampled_from(["3b001.F.1", " listed ", "EAR99", "ML5.a", "gallium", "7の項(18)"]),
        )
    )
    valid = jsonschema.Draft202012Validator(schema).is_valid(text)
    assert _accepted(jurisdiction, text) == valid, text


def test_each_list_keeps_its_own_numbering() -> None:
    assert control_code("US", " 3b001.C.1 ") == "3B001.c.1"
    assert control_code("UK", "pl9013") == "PL9013"
    assert control_code("CN", "Gallium") == "gallium"
    assert control_code("JP", "7の項(18)") == "7の項(18)"
    for jurisdiction, text in [("EU", "ML5.a"), ("DE", "EAR99"), ("US", "gallium"), ("NL", "")]:
        assert not _accepted(jurisdiction, text)


def test_every_jurisdiction_has_its_pattern_in_the_document() -> None:
    codes = Transaction.model_json_schema()["$defs"]["Item"]["properties"]["control_codes"]
    assert sorted(codes["properties"]) == sorted(JURISDICTIONS)
    assert codes["additionalProperties"] is False
    assert codes["properties"]["JP"] == json_schema("JP")


@pytest.mark.parametrize("as_of", ["1.5", "0", "1e5", "2026-13-01"])
def test_gaps_as_of_is_a_date_not_a_number(svc: Hard, as_of: str) -> None:  # noqa: F811
    response = svc.get("/v1/gaps", key=svc.screen_key, params={"as_of": as_of})
    assert response.status_code == 422
    assert "as_of" in response.text
