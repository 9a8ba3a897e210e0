import Foundation
import Testing

/// The layering of docs/ARCHITECTURE.md, checked on the `import` lines of the sources (fleet's
/// arch_test): a rule broken here is a design change, not a quick fix.
struct ArchitectureTests {
    static let sourcesRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// Module → modules it must never import.
    static let forbidden: [String: Set<String>] = [
        "PierHTTP": ["PierCore", "PierStorage", "PierSQLite", "PierCrypto", "PierServer", "PierOkta", "PierSync"],
        "PierStorage": ["CSQLite", "CLibPQ", "COpenSSL", "CMicroHTTPD", "CCurl", "PierHTTP", "PierServer"],
        "PierSQLite": ["PierPostgres", "PierHTTP", "PierOkta", "PierServer"],
        "PierCrypto": ["PierCore", "PierStorage", "PierHTTP", "PierServer"],
        "PierSync": ["PierOkta", "PierSQLite", "PierPostgres", "PierHTTP", "CSQLite", "CLibPQ", "COpenSSL", "CMicroHTTPD", "CCurl"],
        "OktaSimulator": ["PierOkta", "PierCore", "PierServer"],
        "PierLogging": ["PierCore", "PierHTTP", "PierServer"],
        "PierOkta": ["PierStorage", "PierSQLite", "PierPostgres", "PierServer", "PierSync", "OktaSimulator"],
        "PierPostgres": ["PierSQLite", "PierHTTP", "PierOkta", "PierServer"],
        // The CLI reaches C libraries only through the modules that own their handles.
        "PierCLI": ["CMicroHTTPD", "CCurl", "CSQLite", "CLibPQ", "COpenSSL"],
    ]

    static func imports(ofModule module: String) throws -> Set<String> {
        let directory = sourcesRoot.appendingPathComponent(module)
        guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        let pattern = try Regex(#"^\s*(?:@\w+\s+)*(?:public |package |internal |private |fileprivate )?import\s+(?:(?:struct|class|enum|func|protocol|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)"#)
        var found: Set<String> = []
        for case let file as URL in files where file.pathExtension == "swift" {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                if let match = line.firstMatch(of: pattern), let name = match.output[1].substring {
                    found.insert(String(name))
                }
            }
        }
        return found
    }

    @Test func coreImportsOnlyFoundationAndSynchronization() throws {
        let imports = try Self.imports(ofModule: "PierCore")
        let allowed: Set<String> = ["Foundation", "FoundationEssentials", "Synchronization"]
        #expect(imports.subtracting(allowed).isEmpty, "PierCore imports \(imports.subtracting(allowed).sorted())")
    }

    @Test(arguments: forbidden.keys.sorted())
    func moduleRespectsItsDependencyRules(module: String) throws {
        let imports = try Self.imports(ofModule: module)
        let violations = imports.intersection(Self.forbidden[module]!)
        #expect(violations.isEmpty, "\(module) must not import \(violations.sorted())")
    }

    @Test func importScannerSeesImports() throws {
        // Guards the test itself: a scanner that found nothing would pass every rule.
        #expect(try Self.imports(ofModule: "PierServer").contains("PierLogging"))
    }
}
