#!/bin/sh
# Runs once, when the MariaDB volume is first initialised (docker-entrypoint-initdb.d).
# Two database users: ${MARIADB_USER} owns the schema (migrations, loads; may grant), and
# ${DB_API_USER} is the API's, created here without rights: `credit-scoring db grant-api`
# (compose's init job, after the migrations) gives it SELECT everywhere and only INSERT on
# the audit tables, so the API cannot change or remove an audit record.
# Passwords: URL-safe random values (no quotes), see .env.example.
set -eu
mariadb --protocol=socket -uroot -p"${MARIADB_ROOT_PASSWORD}" <<SQL
GRANT ALL PRIVILEGES ON \`${MARIADB_DATABASE}\`.* TO '${MARIADB_USER}'@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS '${DB_API_USER}'@'%' IDENTIFIED BY '${DB_API_PASSWORD}';
FLUSH PRIVILEGES;
SQL
