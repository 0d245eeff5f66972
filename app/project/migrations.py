"""Numbered schema migrations; `PRAGMA user_version` holds the number applied last.

A migration is never edited once released: add a new one. Each runs in the same
transaction as the version bump, so a crash leaves the old schema or the new one.
"""

from __future__ import annotations

MIGRATIONS: dict[int, str] = {
    1: """
CREATE TABLE mission (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    commune TEXT NOT NULL DEFAULT '',
    producer TEXT NOT NULL DEFAULT '',
    transferring_agency TEXT NOT NULL DEFAULT '',
    archival_agency TEXT NOT NULL DEFAULT '',
    archivist TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE source (
    id INTEGER PRIMARY KEY,
    root TEXT NOT NULL,
    root_raw BLOB NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL
);

CREATE TABLE engine (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    signature TEXT NOT NULL,
    UNIQUE (name, version, signature)
);

CREATE TABLE scan_run (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL
        CHECK (status IN ('running', 'completed', 'cancelled', 'interrupted', 'failed')),
    engine_id INTEGER REFERENCES engine(id),
    algorithms TEXT NOT NULL DEFAULT 'sha512',
    roots TEXT NOT NULL DEFAULT '[]',
    files_seen INTEGER NOT NULL DEFAULT 0,
    files_read INTEGER NOT NULL DEFAULT 0,
    bytes_read INTEGER NOT NULL DEFAULT 0,
    added INTEGER NOT NULL DEFAULT 0,
    modified INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    host TEXT NOT NULL DEFAULT '',
    pid INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE directory (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES source(id),
    parent_id INTEGER REFERENCES directory(id),
    name BLOB NOT NULL,
    rel_path TEXT NOT NULL,
    depth INTEGER NOT NULL,
    mtime_ns INTEGER,
    flags INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'present' CHECK (state IN ('present', 'removed')),
    error TEXT,
    first_seen_run INTEGER NOT NULL,
    total_files INTEGER NOT NULL DEFAULT 0,
    total_bytes INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source_id, parent_id, name)
);
CREATE UNIQUE INDEX directory_root ON directory(source_id) WHERE parent_id IS NULL;
CREATE INDEX directory_parent ON directory(parent_id);
CREATE INDEX directory_depth ON directory(depth);

CREATE TABLE file (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES source(id),
    dir_id INTEGER NOT NULL REFERENCES directory(id),
    name BLOB NOT NULL,
    rel_path TEXT NOT NULL,
    extension TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'file' CHECK (kind IN ('file', 'symlink', 'special')),
    size INTEGER,
    mtime_ns INTEGER,
    created_ns INTEGER,
    sha512 BLOB,
    other_digests TEXT,
    puid TEXT,
    format_name TEXT,
    format_version TEXT,
    mime TEXT,
    basis TEXT,
    id_warning TEXT,
    engine_id INTEGER REFERENCES engine(id),
    flags INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'present' CHECK (state IN ('present', 'removed')),
    error TEXT,
    first_seen_run INTEGER NOT NULL,
    last_changed_run INTEGER NOT NULL,
    UNIQUE (dir_id, name)
);
CREATE INDEX file_sha512 ON file(sha512) WHERE sha512 IS NOT NULL;
CREATE INDEX file_puid ON file(puid);
CREATE INDEX file_source ON file(source_id, state);
CREATE INDEX file_dir ON file(dir_id, state);

CREATE TABLE file_event (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scan_run(id),
    file_id INTEGER REFERENCES file(id),
    dir_id INTEGER REFERENCES directory(id),
    kind TEXT NOT NULL CHECK (kind IN ('added', 'modified', 'removed', 'restored')),
    old_size INTEGER,
    new_size INTEGER,
    old_sha512 BLOB,
    new_sha512 BLOB
);
CREATE INDEX file_event_run ON file_event(run_id);

CREATE TABLE scan_issue (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scan_run(id),
    source_id INTEGER REFERENCES source(id),
    rel_path TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
    code TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX scan_issue_run ON scan_issue(run_id);
""",
    2: """
CREATE TABLE unit_metadata (
    id INTEGER PRIMARY KEY,
    directory_id INTEGER REFERENCES directory(id),
    file_id INTEGER REFERENCES file(id),
    content TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((directory_id IS NULL) != (file_id IS NULL))
);
CREATE UNIQUE INDEX unit_metadata_directory ON unit_metadata(directory_id)
    WHERE directory_id IS NOT NULL;
CREATE UNIQUE INDEX unit_metadata_file ON unit_metadata(file_id) WHERE file_id IS NOT NULL;
""",
    3: """
CREATE TABLE transfer (
    id INTEGER PRIMARY KEY,
    server TEXT NOT NULL,
    message_identifier TEXT NOT NULL UNIQUE,
    transferring_agency TEXT NOT NULL DEFAULT '',
    seda_version TEXT NOT NULL DEFAULT '',
    package_path TEXT NOT NULL,
    package_sha512 TEXT NOT NULL,
    package_size INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    replaces_id INTEGER REFERENCES transfer(id),
    state TEXT NOT NULL CHECK (state IN ('prepared', 'validated', 'sending', 'sent',
        'accepted', 'accepted_warnings', 'rejected', 'failed')),
    uncertain INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    polls INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL,
    last_error TEXT,
    operation_id TEXT,
    reply_code TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX transfer_due ON transfer(state, next_attempt_at);

CREATE TABLE transfer_reply (
    id INTEGER PRIMARY KEY,
    transfer_id INTEGER NOT NULL REFERENCES transfer(id),
    kind TEXT NOT NULL,
    http_status INTEGER,
    content_type TEXT NOT NULL DEFAULT '',
    content BLOB NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX transfer_reply_transfer ON transfer_reply(transfer_id);
""",
    4: """
CREATE TABLE retention_rule (
    rule_id TEXT PRIMARY KEY,
    rule_type TEXT NOT NULL,
    value TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    duration TEXT NOT NULL DEFAULT '',
    measurement TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL
);
CREATE TABLE agency (
    identifier TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL
);
""",
    5: """
-- Mission preferences (target SAE server, SEDA version and profile, agency identifiers…).
CREATE TABLE project_setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The tableau de gestion: one entry per kind of record, with its retention.
CREATE TABLE schedule_entry (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    dua_value INTEGER,
    dua_unit TEXT NOT NULL DEFAULT 'year' CHECK (dua_unit IN ('year', 'month', 'day')),
    dua_start TEXT NOT NULL DEFAULT 'latest_document'
        CHECK (dua_start IN ('latest_document', 'earliest_document', 'closure')),
    final_action TEXT NOT NULL DEFAULT 'keep' CHECK (final_action IN ('keep', 'destroy', 'sort')),
    sort_note TEXT NOT NULL DEFAULT '',
    access_value INTEGER,
    access_unit TEXT NOT NULL DEFAULT 'year' CHECK (access_unit IN ('year', 'month', 'day')),
    appraisal_rule_id TEXT NOT NULL DEFAULT '',
    access_rule_id TEXT NOT NULL DEFAULT '',
    legal_basis TEXT NOT NULL DEFAULT '',
    observations TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);

-- The plan de classement. Retention columns left NULL follow the schedule entry.
CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES series(id),
    position INTEGER NOT NULL DEFAULT 0,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    producer TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL DEFAULT 'Series',
    schedule_entry_id INTEGER REFERENCES schedule_entry(id),
    dua_value INTEGER,
    dua_unit TEXT CHECK (dua_unit IN ('year', 'month', 'day')),
    dua_start TEXT CHECK (dua_start IN ('latest_document', 'earliest_document', 'closure')),
    closure_date TEXT,
    final_action TEXT CHECK (final_action IN ('keep', 'destroy', 'sort')),
    access_value INTEGER,
    access_unit TEXT CHECK (access_unit IN ('year', 'month', 'day')),
    appraisal_rule_id TEXT,
    access_rule_id TEXT,
    legal_basis TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX series_parent ON series(parent_id);

-- Classification by hand: a folder (its whole subtree) or a file goes to a series, or is
-- excluded with a reason. A file's own assignment wins over its nearest folder's.
CREATE TABLE assignment (
    id INTEGER PRIMARY KEY,
    directory_id INTEGER REFERENCES directory(id),
    file_id INTEGER REFERENCES file(id),
    series_id INTEGER REFERENCES series(id),
    exclusion TEXT,
    comment TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    CHECK ((directory_id IS NULL) != (file_id IS NULL)),
    CHECK ((series_id IS NULL) != (exclusion IS NULL))
);
CREATE UNIQUE INDEX assignment_directory ON assignment(directory_id)
    WHERE directory_id IS NOT NULL;
CREATE UNIQUE INDEX assignment_file ON assignment(file_id) WHERE file_id IS NOT NULL;

-- Classification rules, applied in `position` order to files nothing assigned by hand.
CREATE TABLE classification_rule (
    id INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1,
    series_id INTEGER REFERENCES series(id),
    exclusion TEXT,
    criteria TEXT NOT NULL,
    CHECK ((series_id IS NULL) != (exclusion IS NULL))
);

-- Where every present file ended up, recomputed after edits and after each scan.
CREATE TABLE file_class (
    file_id INTEGER PRIMARY KEY REFERENCES file(id),
    series_id INTEGER REFERENCES series(id),
    exclusion TEXT,
    origin TEXT NOT NULL CHECK (origin IN ('file', 'folder', 'rule')),
    assignment_id INTEGER,
    rule_id INTEGER
) WITHOUT ROWID;
CREATE INDEX file_class_series ON file_class(series_id);

-- The production-audit grid of a series, as JSON keyed by the grid definition's criteria.
CREATE TABLE audit_grid (
    series_id INTEGER PRIMARY KEY REFERENCES series(id),
    answers TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);

-- Elimination proposals sent for the Archives départementales' visa: a frozen snapshot.
CREATE TABLE elimination_proposal (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'submitted', 'approved', 'refused')),
    as_of TEXT NOT NULL,
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decision_note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE elimination_item (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES elimination_proposal(id),
    series_id INTEGER REFERENCES series(id),
    series_code TEXT NOT NULL,
    series_title TEXT NOT NULL,
    files INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    earliest TEXT,
    latest TEXT,
    dua_value INTEGER,
    dua_unit TEXT NOT NULL DEFAULT 'year',
    legal_basis TEXT NOT NULL DEFAULT ''
);
CREATE TABLE elimination_file (
    proposal_id INTEGER NOT NULL REFERENCES elimination_proposal(id),
    file_id INTEGER NOT NULL REFERENCES file(id),
    PRIMARY KEY (proposal_id, file_id)
) WITHOUT ROWID;
""",
    6: """
-- Trees imported from elsewhere (a Resip CSV, an existing SIP), kept apart from the scanned
-- inventory. AUTOINCREMENT: an id is never reused, nor is its files folder.
CREATE TABLE imported_package (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('resip_csv', 'sip')),
    origin TEXT NOT NULL,
    origin_sha512 BLOB,
    seda_version TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '',
    -- Message identifier, date, comment, agencies, agreement, ManagementMetadata (JSON).
    header TEXT NOT NULL DEFAULT '{}',
    -- Where the package's files were extracted, relative to the project file's folder
    -- ("<project file>.files/imports/<id>"); NULL when the files stay where they are.
    files_dir TEXT,
    imported_at TEXT NOT NULL
);

-- Units in sibling order. Level and the first plain Title are columns; every other
-- descriptive element is in `content` (the element list of unit_metadata).
CREATE TABLE imported_unit (
    id INTEGER PRIMARY KEY,
    package_id INTEGER NOT NULL REFERENCES imported_package(id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES imported_unit(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    level TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '[]',
    management TEXT,
    series_id INTEGER REFERENCES series(id) ON DELETE SET NULL
);
CREATE INDEX imported_unit_tree ON imported_unit(package_id, parent_id, position);
CREATE INDEX imported_unit_parent ON imported_unit(parent_id);
CREATE INDEX imported_unit_key ON imported_unit(package_id, key);
CREATE INDEX imported_unit_series ON imported_unit(series_id) WHERE series_id IS NOT NULL;

-- The objects of a unit's group. A binary object's `path` is absolute, or relative to its
-- package's files_dir; `sha512` and `size` were read from the file itself at import.
CREATE TABLE imported_object (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES imported_unit(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('binary', 'physical')),
    usage_version TEXT NOT NULL,
    path TEXT,
    size INTEGER,
    sha512 BLOB,
    original_digest TEXT,
    original_algorithm TEXT,
    puid TEXT NOT NULL DEFAULT '',
    format_name TEXT NOT NULL DEFAULT '',
    mime TEXT NOT NULL DEFAULT '',
    filename TEXT NOT NULL DEFAULT '',
    last_modified TEXT,
    physical TEXT,
    CHECK ((kind = 'binary') = (path IS NOT NULL AND size IS NOT NULL AND sha512 IS NOT NULL)),
    CHECK ((kind = 'physical') = (physical IS NOT NULL))
);
CREATE INDEX imported_object_unit ON imported_object(unit_id, position);
CREATE INDEX imported_object_sha512 ON imported_object(sha512) WHERE sha512 IS NOT NULL;
""",
}

LATEST_VERSION = max(MIGRATIONS)
