"""The one control-character rule for free text (issue 15)."""

from __future__ import annotations

import pydantic
import pytest

from nlf_planner.textcheck import ControlCharacterError, check_fields, check_text, problems


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\n", "\r"])
def test_single_line_fields_refuse_control_characters_naming_the_field(char):
    with pytest.raises(ControlCharacterError) as err:
        check_text(f"Acme{char}Trust", "Stakeholder name")
    assert str(err.value).startswith("Stakeholder name contains a hidden control character")
    assert f"U+{ord(char):04X}" in str(err.value)
    assert "character 5" in str(err.value)
    assert err.value.field == "Stakeholder name"


def test_multi_line_fields_allow_line_breaks_and_tabs_but_not_escape():
    assert check_text("line 1\r\nline 2\tend", "Notes", multiline=True) == "line 1\r\nline 2\tend"
    with pytest.raises(ControlCharacterError):
        check_text("line 1\n\x1b[31mred", "Notes", multiline=True)


def test_printable_unicode_and_non_strings_pass():
    text = "Café – “quoted” ✓ 東京 \u200d emoji 🙂 tab\there"
    assert check_text(text, "Name") == text
    assert check_text(12.5, "Value") == 12.5
    assert check_text(None, "Value") is None


def test_problems_lists_every_field_and_check_fields_raises_on_first():
    found = problems({"Name": "a\x00", "Notes": "ok\nfine", "Owner": "b\x1b"}, multiline={"Notes"})
    assert len(found) == 2 and found[0].startswith("Name") and found[1].startswith("Owner")
    with pytest.raises(ControlCharacterError, match="^Owner"):
        check_fields({"Notes": "x\ny", "Owner": "b\x1b"}, multiline={"Notes"})


def test_it_is_a_value_error_so_pydantic_validators_report_it():
    class Thing(pydantic.BaseModel):
        name: str

        @pydantic.field_validator("name")
        @classmethod
        def _clean(cls, v: str) -> str:
            return check_text(v, "Name")

    with pytest.raises(pydantic.ValidationError, match="hidden control character"):
        Thing(name="Acme\x1bTrust")
