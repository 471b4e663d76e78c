"""The committed data dictionary is the one the code generates, and covers every field."""

from __future__ import annotations

from pathlib import Path

from pipelines.annual import ANNUAL_REPORT_FIELDS
from pipelines.dictionary import render
from pipelines.fields import DOCUMENT_FIELDS

DOC = Path(__file__).resolve().parents[1] / "docs" / "data-dictionary.md"


def test_committed_dictionary_is_current():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "run: python -m pipelines.dictionary > docs/data-dictionary.md"
    )


def test_every_field_has_a_label_type_and_example():
    for field in [*DOCUMENT_FIELDS, *ANNUAL_REPORT_FIELDS]:
        assert field.label_zh and field.type and field.description, field.name
    names = [f.name for f in ANNUAL_REPORT_FIELDS]
    assert len(names) == len(set(names))
