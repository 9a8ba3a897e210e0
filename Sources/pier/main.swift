import Foundation
import PierCLI

// Everything lives in PierCLI so that tests can run the same entry point with captured output.
let status = await PierCommandLine.main(arguments: Array(CommandLine.arguments.dropFirst()), context: .process)
exit(status)
