"""The engagement programme as the June 2016 draft describes it, ready to seed a new database.

Stakeholders are the organisations the draft names (intelligence gathering, workshops,
front-line visits, roundtables, patient engagement); events are its dated workshops, its
undated activities and its phases. Every record is marked ``seeded``.

What is the source and what is a judgement:
- names, groups, dated events (14 June, 21 June, 7 July 2016) and the July–October engagement
  phase are from the draft; the December 2016 publication is from domain-facts.md;
- undated activities are drawn across the window the draft places them in (before the June
  draft: April–June 2016; "over the summer": July–September 2016) and say so in ``outcome``;
- interest and influence scores, regions of named trusts and the priority areas tagged on each
  event are starting judgements for the team to revise, not figures from the source;
- "continually review and refresh" ends at the five-year horizon of the 1, 3 and 5 year plan.

Pure: the records are built here and never written; the seeding service
(``services/seeding.py``) writes them once through ``store.engagement.write_seed``.
"""

from __future__ import annotations

from datetime import date

from nlf_planner.engagement import EngagementEvent, Stakeholder

LONDON, MIDLANDS, NEY = "E40000003", "E40000011", "E40000012"
NORTH_WEST, SOUTH_EAST = "E40000010", "E40000005"
ALL_AREAS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9")

SHARE_PROPOSALS = "Check and challenge emerging proposals (July–October 2016)"

# name, group, region, interest, influence, next step
_STAKEHOLDERS: tuple[tuple[str, str, str | None, int, int, str], ...] = (
    # Devolved nations: "Visits to colleagues in Scotland, Wales, Northern Ireland".
    ("NHS Scotland", "devolved_nation", None, 3, 2, "Share learning on national improvement"),
    ("NHS Wales", "devolved_nation", None, 3, 2, "Share learning on national improvement"),
    (
        "Health and Social Care Northern Ireland",
        "devolved_nation",
        None,
        3,
        2,
        "Share learning on national improvement",
    ),
    # Analysts, thought leaders and international expertise.
    (
        "The King's Fund",
        "academic",
        None,
        5,
        4,
        "Expert advice on leadership development (Michael West)",
    ),
    ("The Health Foundation", "academic", None, 5, 4, SHARE_PROPOSALS),
    (
        "Institute for Healthcare Improvement (IHI)",
        "academic",
        None,
        4,
        3,
        "Advice on international best practice in improvement",
    ),
    # Networks and representatives.
    ("Academic Health Science Networks (AHSNs)", "network", None, 4, 3, SHARE_PROPOSALS),
    ("Leadership local delivery partners (LDPs)", "network", None, 4, 3, SHARE_PROPOSALS),
    ("Clinical senates", "network", None, 3, 2, SHARE_PROPOSALS),
    ("Advancing Quality Alliance (AQuA)", "network", NORTH_WEST, 4, 2, SHARE_PROPOSALS),
    ("North West Learning Collaborative", "network", NORTH_WEST, 4, 2, SHARE_PROPOSALS),
    ("UK Improvement Alliance (UKIA)", "network", None, 4, 2, SHARE_PROPOSALS),
    ("The Q Initiative", "network", None, 5, 3, "Stands and conversations at Q Spaces"),
    ("Patient safety collaboratives", "network", None, 4, 3, SHARE_PROPOSALS),
    ("Smith review reference group", "network", None, 5, 4, "Test emerging themes"),
    (
        "Quality Working Group (commissioners and primary care)",
        "network",
        None,
        3,
        3,
        "Engage commissioners and primary care providers",
    ),
    # Trusts that have embraced continuous improvement, and summer scoping visits.
    (
        "Salford Royal NHS Foundation Trust",
        "provider",
        NORTH_WEST,
        4,
        3,
        "Share continuous improvement learning",
    ),
    (
        "East London NHS Foundation Trust (ELFT)",
        "provider",
        LONDON,
        4,
        3,
        "Share continuous improvement learning",
    ),
    (
        "Western Sussex Hospitals NHS Foundation Trust",
        "provider",
        SOUTH_EAST,
        4,
        3,
        "Share continuous improvement learning",
    ),
    (
        "Northumbria Healthcare NHS Foundation Trust",
        "provider",
        NEY,
        4,
        3,
        "Share continuous improvement learning",
    ),
    (
        "Sheffield Teaching Hospitals NHS Foundation Trust",
        "provider",
        NEY,
        4,
        3,
        "Share continuous improvement learning",
    ),
    (
        "Ashford and St Peter's Hospitals NHS Foundation Trust",
        "provider",
        SOUTH_EAST,
        3,
        2,
        "Scoping visit over the summer",
    ),
    (
        "Great Ormond Street Hospital for Children NHS Foundation Trust",
        "provider",
        LONDON,
        3,
        2,
        "Scoping visit over the summer",
    ),
    (
        "Lincolnshire Partnership NHS Foundation Trust",
        "provider",
        MIDLANDS,
        3,
        2,
        "Scoping visit over the summer",
    ),
    # Systems: the framework focuses on local leadership to deliver the STP ambitions.
    (
        "Sustainability and transformation plan (STP) leaders",
        "system",
        None,
        4,
        4,
        "Support STPs (existing work)",
    ),
    # Royal colleges.
    (
        "Royal colleges (heads of most colleges)",
        "royal_college",
        None,
        3,
        4,
        "Embed improvement and leadership in curricula and revalidation",
    ),
    # Arm's-length bodies, membership bodies and national boards.
    (
        "ALB working group (all arm's-length bodies)",
        "national_body",
        None,
        5,
        5,
        "Regular working group meetings",
    ),
    ("Department of Health", "national_body", None, 4, 5, "ALB working group"),
    ("NHS England", "national_body", None, 5, 5, "Working-level meetings"),
    ("Health Education England (HEE)", "national_body", None, 5, 5, "Working-level meetings"),
    ("Local Government Association (LGA)", "national_body", None, 3, 3, "ALB working group"),
    ("NHS Providers", "national_body", None, 5, 4, "Scoping roundtable"),
    ("NHS Clinical Commissioners", "national_body", None, 4, 4, "Scoping roundtable"),
    ("National Quality Board (NQB)", "national_body", None, 4, 4, "Align with national boards"),
    ("National Information Board (NIB)", "national_body", None, 2, 3, "Align with national boards"),
    # Patients.
    (
        "National Association for Patient Participation (NAPP)",
        "patient_org",
        None,
        4,
        2,
        "Agree patient engagement routes",
    ),
    ("National Voices", "patient_org", None, 5, 3, "Agree patient engagement routes"),
    ("Centre for Patient Leadership", "patient_org", None, 5, 2, "Agree patient engagement routes"),
)

BEFORE_DRAFT = (date(2016, 4, 1), date(2016, 6, 30))
SUMMER = (date(2016, 7, 1), date(2016, 9, 30))
JUNE_TO_OCTOBER = (date(2016, 6, 1), date(2016, 10, 31))
NOTE_BEFORE = (
    "The June 2016 draft lists this as done, without a date; drawn across April–June 2016."
)
NOTE_SUMMER = "The draft plans this 'over the summer'; drawn across July–September 2016."
NOTE_ONGOING = "In discussion when the draft was written; drawn across June–October 2016."

_IMPROVEMENT_TRUSTS = (
    ("Salford Royal NHS Foundation Trust", "Salford", NORTH_WEST),
    ("East London NHS Foundation Trust (ELFT)", "ELFT", LONDON),
    ("Western Sussex Hospitals NHS Foundation Trust", "Western Sussex", SOUTH_EAST),
    ("Northumbria Healthcare NHS Foundation Trust", "Northumbria", NEY),
    ("Sheffield Teaching Hospitals NHS Foundation Trust", "Sheffield", NEY),
)
_SCOPING_VISITS = (
    ("Ashford and St Peter's Hospitals NHS Foundation Trust", "Ashford and St Peter's", SOUTH_EAST),
    (
        "Great Ormond Street Hospital for Children NHS Foundation Trust",
        "Great Ormond Street",
        LONDON,
    ),
    ("Lincolnshire Partnership NHS Foundation Trust", "Lincolnshire Partnership", MIDLANDS),
)


def seed_stakeholders() -> list[Stakeholder]:
    """The stakeholders the draft names, each marked seeded."""
    return [
        Stakeholder(
            name=n, group=g, region_code=r, interest=i, influence=f, next_step=step, seeded=True
        )
        for n, g, r, i, f, step in _STAKEHOLDERS
    ]


def _ev(
    title: str,
    event_type: str,
    when: date | tuple[date, date],
    areas: tuple[str, ...],
    *,
    audience: str | None = None,
    region: str | None = None,
    outcome: str | None = None,
    actions: str | None = None,
) -> EngagementEvent:
    start, end = when if isinstance(when, tuple) else (when, None)
    return EngagementEvent(
        event_date=start,
        end_date=end,
        title=title,
        event_type=event_type,
        audience=audience,
        region_code=region,
        outcome=outcome,
        actions=actions,
        priority_areas=list(areas),
        seeded=True,
    )


def _intelligence_gathering() -> list[tuple[EngagementEvent, list[str]]]:
    events = [
        (
            _ev(
                "Visits to Scotland, Wales and Northern Ireland",
                "visit",
                BEFORE_DRAFT,
                ("P1", "P6", "P8"),
                audience="Colleagues in the devolved nations",
                outcome=NOTE_BEFORE,
            ),
            ["NHS Scotland", "NHS Wales", "Health and Social Care Northern Ireland"],
        ),
        (
            _ev(
                "Meetings with analysts and thought leaders",
                "meeting",
                BEFORE_DRAFT,
                ("P2", "P3", "P6"),
                audience="Analysts and thought leaders",
                outcome=NOTE_BEFORE,
            ),
            ["The King's Fund", "The Health Foundation"],
        ),
        (
            _ev(
                "Expert advice on international best practice",
                "meeting",
                BEFORE_DRAFT,
                ("P3", "P6"),
                audience="King's Fund (leadership development, Michael West); IHI",
                outcome=NOTE_BEFORE,
            ),
            ["The King's Fund", "Institute for Healthcare Improvement (IHI)"],
        ),
        (
            _ev(
                "Meetings with improvement networks and representatives",
                "meeting",
                BEFORE_DRAFT,
                ("P6", "P8"),
                audience="AHSNs, LDPs, clinical senates, AQuA, North West Learning "
                "Collaborative, UKIA, Q Initiative, patient safety collaboratives",
                outcome=NOTE_BEFORE,
            ),
            [
                "Academic Health Science Networks (AHSNs)",
                "Leadership local delivery partners (LDPs)",
                "Clinical senates",
                "Advancing Quality Alliance (AQuA)",
                "North West Learning Collaborative",
                "UK Improvement Alliance (UKIA)",
                "The Q Initiative",
                "Patient safety collaboratives",
            ],
        ),
    ]
    for name, short, region in _IMPROVEMENT_TRUSTS:
        events.append(
            (
                _ev(
                    f"Visit: {short} (continuous improvement)",
                    "visit",
                    BEFORE_DRAFT,
                    ("P3", "P6", "P8"),
                    audience="Trust leaders and improvement teams",
                    region=region,
                    outcome=NOTE_BEFORE,
                    actions="More visits to trusts that have embraced continuous improvement",
                ),
                [name],
            )
        )
    events += [
        (
            _ev(
                "Meetings with heads of royal colleges",
                "meeting",
                BEFORE_DRAFT,
                ("P7",),
                audience="Heads of most royal colleges",
                outcome=NOTE_BEFORE,
            ),
            ["Royal colleges (heads of most colleges)"],
        ),
        (
            _ev(
                "ALB working group and national boards",
                "meeting",
                BEFORE_DRAFT,
                ("P1", "P2", "P9"),
                audience="All ALBs, DH, LGA, NHS Providers; working-level NHSE and HEE; NIB, NQB",
                outcome=NOTE_BEFORE,
            ),
            [
                "ALB working group (all arm's-length bodies)",
                "Department of Health",
                "Local Government Association (LGA)",
                "NHS Providers",
                "NHS England",
                "Health Education England (HEE)",
                "National Information Board (NIB)",
                "National Quality Board (NQB)",
            ],
        ),
    ]
    return events


def _raising_awareness() -> list[tuple[EngagementEvent, list[str]]]:
    community = "Wider leadership development and improvement community"
    events = [
        (
            _ev(
                "Smith reference group",
                "workshop",
                date(2016, 6, 14),
                ALL_AREAS,
                audience=community,
                outcome="Raising awareness and testing emerging themes",
            ),
            ["Smith review reference group"],
        ),
        (
            _ev(
                "Workshop with a range of NHS staff",
                "workshop",
                date(2016, 6, 21),
                ALL_AREAS,
                audience="A range of NHS staff",
                outcome="Raising awareness and testing emerging themes",
            ),
            [],
        ),
        (
            _ev(
                "Let's talk talent",
                "event",
                date(2016, 7, 7),
                ("P2", "P4", "P5"),
                audience=community,
                outcome="Raising awareness and testing emerging themes",
            ),
            [],
        ),
    ]
    for name, short, region in _SCOPING_VISITS:
        events.append(
            (
                _ev(
                    f"Scoping visit: {short}",
                    "visit",
                    SUMMER,
                    ("P3", "P6", "P8"),
                    audience="Front-line staff",
                    region=region,
                    outcome=NOTE_SUMMER,
                ),
                [name],
            )
        )
    events += [
        (
            _ev(
                "Scoping roundtables with NHS Providers and NHS Clinical Commissioners",
                "roundtable",
                SUMMER,
                ("P1", "P4", "P5"),
                audience="Provider and commissioner leaders",
                outcome=NOTE_SUMMER,
            ),
            ["NHS Providers", "NHS Clinical Commissioners"],
        ),
        (
            _ev(
                "Commissioners and primary care via the Quality Working Group",
                "meeting",
                JUNE_TO_OCTOBER,
                ("P1", "P6"),
                audience="Commissioners and primary care providers",
                outcome=NOTE_ONGOING,
            ),
            ["Quality Working Group (commissioners and primary care)"],
        ),
    ]
    return events


def _patients_and_phases() -> list[tuple[EngagementEvent, list[str]]]:
    return [
        (
            _ev(
                "Patient engagement routes and approaches",
                "meeting",
                JUNE_TO_OCTOBER,
                ("P3", "P8"),
                audience="Patient organisations",
                outcome=NOTE_ONGOING,
            ),
            [
                "National Association for Patient Participation (NAPP)",
                "National Voices",
                "Centre for Patient Leadership",
                "The King's Fund",
            ],
        ),
        (
            _ev(
                "Stands and conversations at events (Q Spaces, Health and Social Care Show)",
                "event",
                JUNE_TO_OCTOBER,
                ("P6", "P8"),
                audience="Event visitors",
                outcome=NOTE_ONGOING,
            ),
            ["The Q Initiative"],
        ),
        (
            _ev(
                "Engagement to check and challenge emerging proposals",
                "event",
                (date(2016, 7, 1), date(2016, 10, 31)),
                ("P4", "P6", "P7"),
                audience="Stakeholders across the system",
                outcome="Check and challenge proposals, language and reach, e.g. consistent "
                "talent management, measurement for improvement, refreshing training",
                actions="Keep getting on with existing work: supporting STPs, Aspiring CEOs, "
                "board support events, well-led review",
            ),
            [],
        ),
        (
            _ev(
                "Framework published: Developing People – Improving Care",
                "event",
                date(2016, 12, 1),
                ALL_AREAS,
                audience="Everyone in NHS-funded roles",
                outcome="Published December 2016 (day not recorded here) as the first version "
                "of the national framework; the draft planned the launch after October.",
            ),
            [],
        ),
        (
            _ev(
                "Continually review and refresh",
                "event",
                (date(2017, 1, 1), date(2021, 12, 31)),
                ALL_AREAS,
                audience="Stakeholders across the system",
                outcome="After launch the draft commits to continual review and refresh; the end "
                "date is the five-year horizon of the 1, 3 and 5 year plan (derived).",
            ),
            [],
        ),
    ]


def seed_events() -> list[tuple[EngagementEvent, list[str]]]:
    """Events in date order, each with the names of the seeded stakeholders involved."""
    events = _intelligence_gathering() + _raising_awareness() + _patients_and_phases()
    return sorted(events, key=lambda pair: (pair[0].event_date, pair[0].title))
