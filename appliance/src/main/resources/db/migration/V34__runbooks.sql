-- DR runbooks (docs/runbooks.md): every version of each, as the user wrote it. A new version is
-- stored only when the YAML changed and was valid; versions count from 1 per name and are kept
-- until the runbook is deleted.
CREATE TABLE runbooks (
    name        VARCHAR(63)              NOT NULL,
    version     INT                      NOT NULL,
    yaml        VARCHAR(1048576)         NOT NULL,
    sha256      VARCHAR(64)              NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by  VARCHAR(128)             NOT NULL,
    PRIMARY KEY (name, version)
);
