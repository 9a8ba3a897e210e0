public import Foundation

extension Request {
    /// Decodes the JSON body as `T`.
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - decoder: The decoder to use.
    /// - Returns: The decoded value.
    /// - Throws: ``HTTPError`` 415 `unsupported_media_type` unless Content-Type is `application/json` (or `+json`);
    ///   400 `invalid_request` with a message naming the problem when the body is not valid JSON for `T`.
    public func decodeJSON<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        let contentType = headers["Content-Type"] ?? ""
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
            throw HTTPError(
                .unsupportedMediaType,
                code: "unsupported_media_type",
                message: contentType.isEmpty
                    ? "Content-Type must be application/json; the request has none."
                    : "Content-Type must be application/json, not \(contentType)."
            )
        }
        do {
            return try decoder.decode(T.self, from: body)
        } catch let error as DecodingError {
            throw HTTPError(.badRequest, code: "invalid_request", message: Self.describe(error))
        } catch {
            throw HTTPError(.badRequest, code: "invalid_request", message: "The request body is not valid JSON.")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let parts = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return parts.isEmpty ? "(root)" : parts.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "Missing field '\(path(context.codingPath + [key]))' in the request body."
        case .typeMismatch(let expected, let context):
            return "Field '\(path(context.codingPath))' has the wrong type; expected \(expected)."
        case .valueNotFound(let expected, let context):
            return "Field '\(path(context.codingPath))' is null; expected \(expected)."
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "The request body is not valid JSON." }
            return "Field '\(path(context.codingPath))' has an invalid value."
        @unknown default:
            return "The request body is not valid JSON."
        }
    }
}
