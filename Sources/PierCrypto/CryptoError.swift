/// The one error type of PierCrypto.
///
/// Classify failures by ``code`` (a stable identifier), never by ``message``. Messages carry the
/// operation and, for library failures, OpenSSL's reason string; they never contain key material,
/// plaintext, passwords or tokens.
///
/// ```swift
/// do { let plaintext = try AESGCM.open(blob, using: key, associatedData: aad) }
/// catch CryptoError.Code.authenticationFailed { … }
/// ```
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    /// A stable, closed set of failure kinds.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case authenticationFailed = "crypto.authentication_failed"
            case invalidKey = "crypto.invalid_key"
            case invalidFormat = "crypto.invalid_format"
            case unsupportedVersion = "crypto.unsupported_version"
            case invalidParameters = "crypto.invalid_parameters"
            case randomUnavailable = "crypto.random_unavailable"
            case libraryFailure = "crypto.library_failure"
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A ciphertext did not authenticate: wrong key, wrong associated data, or tampering.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// Key material has the wrong size or shape, or OpenSSL rejected it.
        public static let invalidKey = Code(.invalidKey)
        /// An encoded input (blob, base64, hex, password-hash string) is malformed.
        public static let invalidFormat = Code(.invalidFormat)
        /// A versioned blob or hash string uses a version or scheme this build does not know.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// Algorithm parameters (for example scrypt cost) are out of the accepted range.
        public static let invalidParameters = Code(.invalidParameters)
        /// The random generator failed; nothing secret can be produced.
        public static let randomUnavailable = Code(.randomUnavailable)
        /// OpenSSL failed for another reason; ``CryptoError/message`` has its reason string.
        public static let libraryFailure = Code(.libraryFailure)

        /// The stable identifier, for example `crypto.authentication_failed`.
        public var description: String { value.rawValue }

        /// Matches a thrown error against a code, so `catch CryptoError.Code.invalidKey` works.
        public static func ~= (code: Code, error: any Error) -> Bool {
            (error as? CryptoError)?.code == code
        }
    }

    /// What went wrong, as a stable code.
    public let code: Code
    /// Human-readable context; never contains secrets.
    public let message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The stable failure kind.
    ///   - message: Context for humans; must not contain secret material.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "CryptoError(\(code)): \(message)" }
}
