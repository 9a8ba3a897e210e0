// Module PierSync.
