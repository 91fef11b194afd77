-- 007 (PostgreSQL): project members (tenancy), as in SQLite's 007.
CREATE TABLE project_members (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX ix_project_members_user ON project_members (user_id, project_id);

INSERT INTO project_members (project_id, user_id)
SELECT id, owner_id FROM projects WHERE owner_id IS NOT NULL;
