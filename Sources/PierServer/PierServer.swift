// Module PierServer.
