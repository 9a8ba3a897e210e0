import PierCLI

