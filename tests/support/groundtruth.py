"""Comparing dataset rows with the demo generator's ground truth."""

from __future__ import annotations


def ground_truth_mismatches(site, base: str, rows_by_url: dict[str, dict]) -> list[str]:
    """One line per document missing from the rows or with a field unlike the generator's value.

    Attachments are compared as sets: the row keeps page order, the generator its own.
    """
    mismatches = []
    for doc in site.documents:
        expected = doc.expected(base)
        row = rows_by_url.get(expected["url"])
        if row is None:
            mismatches.append(f"missing {doc.path}")
            continue
        for name, value in expected.items():
            got = row.get(name)
            if name == "attachments" and value is not None and got is not None:
                value, got = sorted(value), sorted(got)
            if got != value:
                mismatches.append(f"{doc.path} {name}: expected {value!r}, got {got!r}")
    return mismatches
