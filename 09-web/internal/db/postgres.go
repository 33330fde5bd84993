package db

import _ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL through pgx's database/sql driver

const postgresDriver = "pgx"
