-- 003: categories become a table of their own (first normal form: one fact, one place).
-- Expand, backfill, switch: the old free-text tasks.category column stays for now so code
-- that still reads it keeps working; a later migration can drop it once nothing does.
CREATE TABLE categories (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

ALTER TABLE tasks ADD COLUMN category_id INTEGER REFERENCES categories (id) ON DELETE SET NULL;

-- Backfill 1: one category per distinct label, ignoring case and surrounding spaces.
-- Labels are visited in task order, so the first spelling seen names the category; the
-- UNIQUE NOCASE constraint makes OR IGNORE skip later spellings of the same word.
INSERT OR IGNORE INTO categories (name)
SELECT trim(category)
FROM tasks
WHERE trim(coalesce(category, '')) <> ''
ORDER BY id;

-- Backfill 2: point every labelled task at its category (the comparison uses the
-- column's NOCASE collation). Unlabelled tasks keep a NULL category.
UPDATE tasks
SET category_id = (
    SELECT c.id FROM categories AS c WHERE c.name = trim(tasks.category)
)
WHERE trim(coalesce(category, '')) <> '';
