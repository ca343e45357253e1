import CSQLite
func _sqliteVersion() -> String { String(cString: sqlite3_libversion()) }
