"""Versioned schema migrations, applied at start-up, each inside one transaction.

A migration is a numbered list of statements. Versions already recorded in
``schema_migrations`` are skipped; a failing migration rolls back and leaves the file as it was.
Later features add a new numbered entry here; they never edit an applied one. The SQL is
the subset DuckDB and PostgreSQL both accept (``DOUBLE PRECISION``, which DuckDB reads as
``DOUBLE``, so files migrated before PostgreSQL support have exactly the same schema;
sequences with ``nextval`` defaults, never ``GENERATED … AS IDENTITY``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nlf_planner.store import dialect

if TYPE_CHECKING:
    from nlf_planner.store.db import Database


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


V1_CORE = Migration(
    1,
    "core schema",
    (
        # Framework content (editable data, never hard-coded in pages).
        """CREATE TABLE conditions (
            code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, seed_wording VARCHAR,
            sort_order INTEGER NOT NULL DEFAULT 0)""",
        """CREATE TABLE priority_areas (
            code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL,
            condition_code VARCHAR NOT NULL, actions VARCHAR,
            sort_order INTEGER NOT NULL DEFAULT 0)""",
        """CREATE TABLE measures (
            code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL,
            area_code VARCHAR NOT NULL,
            unit VARCHAR NOT NULL CHECK (unit IN
                ('percent','score_0_10','rate_per_1000','years','count')),
            polarity VARCHAR NOT NULL CHECK (polarity IN
                ('higher_is_better','lower_is_better','neutral')),
            frequency VARCHAR NOT NULL CHECK (frequency IN ('monthly','quarterly','annual')),
            baseline DOUBLE PRECISION, definition VARCHAR, source VARCHAR,
            headline BOOLEAN NOT NULL DEFAULT FALSE)""",
        # Geography (real reference data).
        """CREATE TABLE regions (
            code VARCHAR PRIMARY KEY, ods_code VARCHAR, name VARCHAR NOT NULL,
            short_name VARCHAR NOT NULL)""",
        """CREATE TABLE icbs (
            code VARCHAR PRIMARY KEY, ods_code VARCHAR, name VARCHAR NOT NULL,
            region_code VARCHAR NOT NULL)""",
        # Measurements are held at ICB level (geo_code = ICB code); region and England values
        # are aggregated from numerators and denominators. A row imported at region level
        # (geo_code = region code) stands for that region where it exists.
        """CREATE TABLE measurements (
            measure_code VARCHAR NOT NULL, geo_code VARCHAR NOT NULL, period DATE NOT NULL,
            numerator DOUBLE PRECISION, denominator DOUBLE PRECISION,
            value DOUBLE PRECISION NOT NULL,
            ci_low DOUBLE PRECISION, ci_high DOUBLE PRECISION,
            illustrative BOOLEAN NOT NULL DEFAULT TRUE,
            loaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (measure_code, geo_code, period))""",
        # The plan: versions are immutable; a save writes a whole new version.
        "CREATE SEQUENCE plan_version_seq START 1",
        """CREATE TABLE plan_versions (
            version_id INTEGER PRIMARY KEY DEFAULT nextval('plan_version_seq'),
            plan_name VARCHAR NOT NULL DEFAULT 'National plan',
            parent_version_id INTEGER,
            base_year INTEGER NOT NULL,
            trajectory VARCHAR NOT NULL DEFAULT 'linear'
                CHECK (trajectory IN ('linear','stepwise')),
            author VARCHAR NOT NULL, note VARCHAR,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
        """CREATE TABLE plan_targets (
            version_id INTEGER NOT NULL, measure_code VARCHAR NOT NULL,
            geo_code VARCHAR NOT NULL, horizon INTEGER NOT NULL CHECK (horizon IN (1,3,5)),
            target DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (version_id, measure_code, geo_code, horizon))""",
        """CREATE TABLE plan_milestones (
            version_id INTEGER NOT NULL, item_id VARCHAR NOT NULL,
            priority_area VARCHAR NOT NULL, title VARCHAR NOT NULL, description VARCHAR,
            horizon INTEGER NOT NULL CHECK (horizon IN (1,3,5)), due_date DATE,
            owner VARCHAR, status VARCHAR NOT NULL, last_updated DATE,
            measure_code VARCHAR, seeded BOOLEAN NOT NULL DEFAULT FALSE,
            PRIMARY KEY (version_id, item_id))""",
        # Scenarios: (scenario_id, version) immutable; delete is soft.
        """CREATE TABLE scenarios (
            scenario_id VARCHAR NOT NULL, version INTEGER NOT NULL,
            name VARCHAR NOT NULL, description VARCHAR, params_json VARCHAR NOT NULL,
            seed BIGINT NOT NULL, draws INTEGER NOT NULL DEFAULT 1000,
            is_baseline BOOLEAN NOT NULL DEFAULT FALSE,
            author VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            deleted BOOLEAN NOT NULL DEFAULT FALSE, deleted_at TIMESTAMP, deleted_by VARCHAR,
            PRIMARY KEY (scenario_id, version))""",
        # SPC annotations and rebases, entered by people, with reasons.
        "CREATE SEQUENCE annotation_seq START 1",
        """CREATE TABLE annotations (
            annotation_id INTEGER PRIMARY KEY DEFAULT nextval('annotation_seq'),
            measure_code VARCHAR, geo_code VARCHAR, period DATE NOT NULL,
            text VARCHAR NOT NULL, author VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            deleted BOOLEAN NOT NULL DEFAULT FALSE)""",
        "CREATE SEQUENCE rebase_seq START 1",
        """CREATE TABLE spc_rebases (
            rebase_id INTEGER PRIMARY KEY DEFAULT nextval('rebase_seq'),
            measure_code VARCHAR NOT NULL, geo_code VARCHAR NOT NULL, period DATE NOT NULL,
            reason VARCHAR NOT NULL, author VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            deleted BOOLEAN NOT NULL DEFAULT FALSE)""",
        # Engagement programme.
        "CREATE SEQUENCE stakeholder_seq START 1",
        """CREATE TABLE stakeholders (
            stakeholder_id INTEGER PRIMARY KEY DEFAULT nextval('stakeholder_seq'),
            name VARCHAR NOT NULL, stakeholder_group VARCHAR NOT NULL,
            region_code VARCHAR, interest INTEGER NOT NULL CHECK (interest BETWEEN 1 AND 5),
            influence INTEGER NOT NULL CHECK (influence BETWEEN 1 AND 5),
            owner VARCHAR, last_contact DATE, next_step VARCHAR,
            seeded BOOLEAN NOT NULL DEFAULT FALSE, retired BOOLEAN NOT NULL DEFAULT FALSE,
            updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp, updated_by VARCHAR)""",
        "CREATE SEQUENCE event_seq START 1",
        """CREATE TABLE engagement_events (
            event_id INTEGER PRIMARY KEY DEFAULT nextval('event_seq'),
            event_date DATE NOT NULL, end_date DATE, title VARCHAR NOT NULL,
            event_type VARCHAR NOT NULL, audience VARCHAR, region_code VARCHAR,
            outcome VARCHAR, actions VARCHAR, seeded BOOLEAN NOT NULL DEFAULT FALSE,
            updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp, updated_by VARCHAR)""",
        """CREATE TABLE event_stakeholders (
            event_id INTEGER NOT NULL, stakeholder_id INTEGER NOT NULL,
            PRIMARY KEY (event_id, stakeholder_id))""",
        """CREATE TABLE event_priority_areas (
            event_id INTEGER NOT NULL, priority_area VARCHAR NOT NULL,
            PRIMARY KEY (event_id, priority_area))""",
        # Append-only audit trail of every change.
        "CREATE SEQUENCE audit_seq START 1",
        """CREATE TABLE audit_log (
            audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
            changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp, actor VARCHAR NOT NULL,
            action VARCHAR NOT NULL, entity VARCHAR NOT NULL, entity_id VARCHAR,
            reason VARCHAR, before_json VARCHAR, after_json VARCHAR)""",
        # Small key/value facts about the data (as-of month, generator seed, …).
        "CREATE TABLE app_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        "CREATE INDEX measurements_period_idx ON measurements (measure_code, period)",
    ),
)

V2_PLAN_HEADS = Migration(
    2,
    "plan heads for optimistic concurrency",
    (
        # One row per plan: the version a save must have started from. A save updates this
        # row in its transaction, so two concurrent saves from the same version conflict and
        # the second is refused instead of silently overwriting the first.
        """CREATE TABLE plan_heads (
            plan_name VARCHAR PRIMARY KEY, version_id INTEGER NOT NULL,
            updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
        """INSERT INTO plan_heads (plan_name, version_id)
            SELECT plan_name, max(version_id) FROM plan_versions GROUP BY plan_name""",
    ),
)

V3_APP_USERS = Migration(
    3,
    "people who have signed in",
    (
        # One row per signed-in person (the identity provider's subject): what the admin
        # view lists, and the sign-out time that ends their other open tabs. Portable SQL.
        """CREATE TABLE app_users (
            subject VARCHAR PRIMARY KEY, email VARCHAR, name VARCHAR, roles VARCHAR,
            role_source VARCHAR, region_code VARCHAR, first_seen TIMESTAMP NOT NULL,
            last_seen TIMESTAMP NOT NULL, signed_out_at TIMESTAMP)""",
    ),
)

V4_AUDIT_IDENTITY = Migration(
    4,
    "audit rows name the signed-in identity",
    (
        # The audit trail must prove who made a change: beside the name it shows, each row
        # keeps the identity provider's subject (or local:/system: id) and the email.
        "ALTER TABLE audit_log ADD COLUMN actor_id VARCHAR",
        "ALTER TABLE audit_log ADD COLUMN actor_email VARCHAR",
    ),
)

V5_SPC_BASELINES = Migration(
    5,
    "fixed SPC baselines",
    (
        # A data manager freezes a segment's limits on its first points (after N points or up
        # to a period), with a reason, beside the rebases. geo_code NULL = every series of the
        # measure (a series' own row wins); segment_start NULL = the series' first segment,
        # else the rebase period that starts the segment. Exactly one of n_points and
        # until_period. Rows are soft-deleted with a reason, like rebases.
        "CREATE SEQUENCE baseline_seq START 1",
        """CREATE TABLE spc_baselines (
            baseline_id INTEGER PRIMARY KEY DEFAULT nextval('baseline_seq'),
            measure_code VARCHAR NOT NULL, geo_code VARCHAR, segment_start DATE,
            n_points INTEGER, until_period DATE,
            reason VARCHAR NOT NULL, author VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            deleted BOOLEAN NOT NULL DEFAULT FALSE, removed_reason VARCHAR,
            CHECK ((n_points IS NULL) <> (until_period IS NULL)),
            CHECK (n_points IS NULL OR n_points >= 2))""",
    ),
)

V6_PEER_GROUPS = Migration(
    6,
    "peer groups",
    (
        # Saved groups of areas to compare an area with ("ICSs like ours"). Versioned like
        # plans: each save is a new (peer_group_id, version) with its members; the newest
        # version not deleted is the group. level is 'icb' or 'region'; method 'hand' or
        # 'nearest' (nearest neighbours on basis_measure).
        "CREATE SEQUENCE peer_group_seq START 1",
        """CREATE TABLE peer_groups (
            peer_group_id INTEGER NOT NULL, version INTEGER NOT NULL,
            name VARCHAR NOT NULL, home_geo VARCHAR NOT NULL, level VARCHAR NOT NULL,
            method VARCHAR NOT NULL, basis_measure VARCHAR, description VARCHAR,
            author VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            deleted BOOLEAN NOT NULL DEFAULT FALSE,
            PRIMARY KEY (peer_group_id, version))""",
        """CREATE TABLE peer_group_members (
            peer_group_id INTEGER NOT NULL, version INTEGER NOT NULL,
            geo_code VARCHAR NOT NULL,
            PRIMARY KEY (peer_group_id, version, geo_code))""",
    ),
)

V7_SPC_CHART_TYPES = Migration(
    7,
    "SPC chart type per measure",
    (
        # Which control chart a measure's limits come from: 'xmr' (the default, no row),
        # 'p' or 'pp' (Laney p-prime) for proportions whose denominators vary a lot.
        """CREATE TABLE spc_chart_types (
            measure_code VARCHAR PRIMARY KEY, chart_type VARCHAR NOT NULL,
            reason VARCHAR NOT NULL, author VARCHAR NOT NULL,
            changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            CHECK (chart_type IN ('xmr', 'p', 'pp')))""",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (
    V1_CORE,
    V2_PLAN_HEADS,
    V3_APP_USERS,
    V4_AUDIT_IDENTITY,
    V5_SPC_BASELINES,
    V6_PEER_GROUPS,
    V7_SPC_CHART_TYPES,
)


def _ensure_table(db: Database) -> None:
    with db.transaction() as cur:
        dialect.lock_migrations(cur)
        cur.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,
                applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
                duckdb_version VARCHAR)"""
        )


def applied_versions(db: Database) -> set[int]:
    with db.cursor() as cur:
        return _applied(cur)


def _applied(cur) -> set[int]:
    if not dialect.table_exists(cur, "schema_migrations"):
        return set()
    return {r[0] for r in cur.execute("SELECT version FROM schema_migrations").fetchall()}


def pending_migrations(db: Database, migrations=MIGRATIONS) -> list[Migration]:
    done = applied_versions(db)
    return [m for m in sorted(migrations, key=lambda m: m.version) if m.version not in done]


def apply_migrations(db: Database, migrations=MIGRATIONS) -> list[int]:
    """Apply pending migrations in order; each one commits whole or not at all.

    On PostgreSQL several replicas may start at once: each migration's transaction first
    takes the migrations' advisory lock and re-reads what is applied, so exactly one
    process applies a migration and the others find it done. (The column ``duckdb_version``
    records the engine's version on either engine.)
    """
    if not pending_migrations(db, migrations):
        return []
    _ensure_table(db)
    applied: list[int] = []
    for m in pending_migrations(db, migrations):
        with db.transaction() as cur:
            dialect.lock_migrations(cur)
            if m.version in _applied(cur):
                continue  # another replica applied it while this one waited for the lock
            for statement in m.statements:
                cur.execute(statement)
            cur.execute(
                "INSERT INTO schema_migrations (version, name, duckdb_version) VALUES (?, ?, ?)",
                [m.version, m.name, dialect.engine_version(cur)],
            )
        applied.append(m.version)
    return applied


def schema_version(db: Database) -> int:
    return max(applied_versions(db), default=0)
