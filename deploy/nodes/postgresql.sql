-- The school's database on the PostgreSQL server, made once by its administrator:
--   sudo -u postgres psql -v password="'SECRET'" -f deploy/nodes/postgresql.sql
-- Text sorts by code point (C.UTF-8), as in the embedded SQLite store: names are listed in the
-- same order whichever store a school runs on (classbook refuses another collation).
-- The nodes make the tables themselves at their first start (migrations, one node at a time).
CREATE ROLE classbook LOGIN PASSWORD :password;
CREATE DATABASE classbook OWNER classbook ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'
    TEMPLATE template0;
