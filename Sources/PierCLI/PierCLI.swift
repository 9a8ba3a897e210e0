// Module PierCLI.
