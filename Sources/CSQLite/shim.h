#ifndef PIER_CSQLITE_SHIM_H
#define PIER_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a function pointer and does not import into Swift.
// "If the fifth argument has the value SQLITE_TRANSIENT, then SQLite makes its own private copy of the
// data immediately, before the sqlite3_bind_*() routine returns." — https://sqlite.org/c3ref/bind_blob.html
static inline int pier_sqlite3_bind_text_transient(sqlite3_stmt *stmt, int index, const char *text, int bytes) {
    return sqlite3_bind_text(stmt, index, text, bytes, SQLITE_TRANSIENT);
}

static inline int pier_sqlite3_bind_blob_transient(sqlite3_stmt *stmt, int index, const void *data, int bytes) {
    return sqlite3_bind_blob(stmt, index, data, bytes, SQLITE_TRANSIENT);
}

// Extended result codes are macros built with `|` and `<<`, which Swift does not import.
static const int PIER_SQLITE_CONSTRAINT_UNIQUE = SQLITE_CONSTRAINT_UNIQUE;
static const int PIER_SQLITE_CONSTRAINT_PRIMARYKEY = SQLITE_CONSTRAINT_PRIMARYKEY;
static const int PIER_SQLITE_CONSTRAINT_ROWID = SQLITE_CONSTRAINT_ROWID;
#endif
