"""Engagement files: rows checked by the engagement rules, located by sheet row, with
stakeholders named and duplicate names caught in the file as well as among existing ones."""

from __future__ import annotations

from datetime import date

from nlf_planner.engagement import default_reference
from nlf_planner.imports import read_table, validate_events, validate_stakeholders

CODES = default_reference()


def test_stakeholders_codes_in_any_case_and_names_unique_in_the_file_too():
    table = read_table(
        b"Stakeholder,Stakeholder Group,region_code,interest,influence,last_contact\n"
        b"NHS Providers,Provider,e40000007,4,5,01/03/2026\n"
        b"nhs providers ,Provider,,3,3,\n"
        b"Old friend,Network,,2,2,\n",
        "s.csv",
    )
    result = validate_stakeholders(
        table, {7: ("Old Friend", False)}, CODES, today=date(2026, 11, 30)
    )
    assert [(i.row, i.column) for i in result.errors] == [(3, "name"), (4, "name")]
    (first,) = result.records
    assert (first.name, first.region_code, first.last_contact) == (
        "NHS Providers",
        "E40000007",
        date(2026, 3, 1),
    )
    assert not result.ok


def test_events_link_stakeholders_by_name_and_name_the_unknown_ones():
    table = read_table(
        b"date,title,type,priority_areas,stakeholders\n"
        b'14/06/2026,Reference group,Workshop,"p3, P4",nhs providers; NHS Employers\n'
        b"2026-06-21,Talent event,Event,,Nobody\n",
        "e.csv",
    )
    result = validate_events(table, {"NHS Providers": 1, "NHS Employers": 2}, CODES)
    assert [(i.row, i.column, i.value) for i in result.errors] == [(3, "stakeholders", "Nobody")]
    (event,) = result.records
    assert event.stakeholder_ids == [1, 2] and event.priority_areas == ["P3", "P4"]
    assert event.event_date == date(2026, 6, 14)


def test_dates_far_outside_any_plausible_range_are_refused_by_row():
    """Year 1, 1900, 2200 and 9999 were accepted as event dates and last contacts."""
    from datetime import date

    import numpy as np
    import pandas as pd

    from nlf_planner.imports.records import date_range_issues

    frame = pd.DataFrame(
        {"event_date": ["0001-01-01", "2026-06-14", "2200-06-01", "", "2036-12-31"]}
    )
    found = date_range_issues(frame, np.arange(2, 7), ["event_date"], today=date(2026, 12, 2))
    assert [(i.row, i.value) for i in found] == [(2, "0001-01-01"), (4, "2200-06-01")]
    assert "outside the range this file may hold (1 Jan 2000 to 31 Dec 2036)" in found[0].reason
