-- 007: tenancy. A project has members, and everyone but an admin sees and changes only the
-- projects they belong to. Whoever created a project stays a member of it.
CREATE TABLE project_members (
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, user_id)
);

-- "Which projects may this user see?" is asked by every request of a non-admin.
CREATE INDEX ix_project_members_user ON project_members (user_id, project_id);

INSERT INTO project_members (project_id, user_id)
SELECT id, owner_id FROM projects WHERE owner_id IS NOT NULL;
