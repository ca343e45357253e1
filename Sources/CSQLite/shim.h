#ifndef CLIENTONE_CSQLITE_SHIM_H
#define CLIENTONE_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import: binding
/// with it makes SQLite copy the bytes before the call returns.
static inline int clientone_sqlite3_bind_text_transient(sqlite3_stmt *stmt, int index, const char *text, int bytes) {
    return sqlite3_bind_text(stmt, index, text, bytes, SQLITE_TRANSIENT);
}

/// The blob twin of clientone_sqlite3_bind_text_transient.
static inline int clientone_sqlite3_bind_blob_transient(sqlite3_stmt *stmt, int index, const void *data, int bytes) {
    return sqlite3_bind_blob(stmt, index, data, bytes, SQLITE_TRANSIENT);
}

/// sqlite3_db_config is variadic; this turns on defensive mode (no writes to the schema by SQL).
static inline int clientone_sqlite3_set_defensive(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0);
}

/// sqlite3_config is variadic. Turns off SQLite's memory statistics, which take one process-wide mutex
/// on every allocation: with connections on several threads that mutex is the busiest lock of a page.
/// Must run before SQLite initializes (the first connection); returns SQLITE_MISUSE after that.
static inline int clientone_sqlite3_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
