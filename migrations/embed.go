// Package migrations holds the numbered SQL migrations that define the
// database schema, one set per dialect, embedded so that the binary, the
// migrate command and the tests all apply exactly the same files.
package migrations

import "embed"

// SQLite holds the migrations for the embedded SQLite database.
//
//go:embed sqlite/*.sql
var SQLite embed.FS

// Postgres holds the migrations for PostgreSQL.
//
//go:embed postgres/*.sql
var Postgres embed.FS
