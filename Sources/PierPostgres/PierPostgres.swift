// Module PierPostgres.
