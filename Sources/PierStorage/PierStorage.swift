// Module PierStorage.
