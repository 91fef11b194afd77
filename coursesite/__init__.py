"""The course website: lessons and executed notebooks rendered by MkDocs with the Material theme."""
