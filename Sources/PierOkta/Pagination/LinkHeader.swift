/// Parses HTTP `Link` headers (RFC 8288) as Okta sends them: one line per relation, or several
/// relations joined by commas in one value (what a client that merges repeated headers sees).
public enum LinkHeader {
    /// One link: its target and `rel` values.
    public struct Link: Sendable, Hashable {
        /// The URI between `<` and `>`.
        public var target: String
        /// The space-separated `rel` values, lower-cased.
        public var relations: [String]
    }

    /// Every link in every given header value, in order.
    ///
    /// Commas inside `<…>` or inside quoted parameter values do not split links.
    public static func parse(_ values: [String]) -> [Link] {
        var links: [Link] = []
        for value in values {
            var scalars = Substring(value).unicodeScalars[...]
            while true {
                // Skip separators and whitespace up to `<`.
                while let first = scalars.first, first != "<" { scalars.removeFirst() }
                guard !scalars.isEmpty else { break }
                scalars.removeFirst()
                guard let close = scalars.firstIndex(of: ">") else { break }
                let target = String(String.UnicodeScalarView(scalars[..<close]))
                scalars = scalars[scalars.index(after: close)...]
                // Parameters until a comma outside quotes.
                var parameters = ""
                var inQuotes = false
                while let scalar = scalars.first {
                    if scalar == "\"" { inQuotes.toggle() }
                    if scalar == "," && !inQuotes { break }
                    parameters.unicodeScalars.append(scalar)
                    scalars.removeFirst()
                }
                var relations: [String] = []
                for parameter in parameters.split(separator: ";") {
                    let pair = parameter.split(separator: "=", maxSplits: 1)
                    guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "rel" else { continue }
                    var rel = pair[1].trimmingCharacters(in: .whitespaces)
                    if rel.hasPrefix("\""), rel.hasSuffix("\""), rel.count >= 2 { rel = String(rel.dropFirst().dropLast()) }
                    relations += rel.lowercased().split(separator: " ").map(String.init)
                }
                links.append(Link(target: target, relations: relations))
            }
        }
        return links
    }

    /// The target of the first `rel="next"` link, if any.
    public static func next(in values: [String]) -> String? {
        parse(values).first { $0.relations.contains("next") }?.target
    }
}

import Foundation
