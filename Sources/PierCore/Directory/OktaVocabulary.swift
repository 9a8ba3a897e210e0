/// One of Okta's closed vocabularies (user statuses, group types) that still keeps values Okta may add
/// later (`.other`), so an unknown value is skipped with a reason instead of failing a whole page.
///
/// Coded as Okta's own string; conformers provide only the mapping.
public protocol OktaVocabulary: Codable, CustomStringConvertible {
    /// The case for Okta's spelling; unknown spellings map to `.other`.
    init(oktaValue: String)
    /// Okta's spelling.
    var oktaValue: String { get }
}

extension OktaVocabulary {
    public var description: String { oktaValue }

    public init(from decoder: any Decoder) throws {
        self.init(oktaValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(oktaValue)
    }
}
