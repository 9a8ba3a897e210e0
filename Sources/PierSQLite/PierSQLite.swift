// Module PierSQLite.
