public import PierLogging

/// A key into ``RequestContext`` storage; the key type fixes the value type.
///
/// ```swift
/// enum AdminIdentityKey: RequestContextKey { typealias Value = AdminIdentity }
/// context[AdminIdentityKey.self] = identity            // an auth middleware
/// let identity = try context.require(AdminIdentityKey.self)   // a handler
/// ```
public protocol RequestContextKey {
    /// The type stored under this key.
    associatedtype Value: Sendable
}

/// Per-request facts that are not part of the HTTP message: request id, logger, routing results, and
/// typed storage that middleware (e.g. authentication) fills for handlers.
///
/// Design: one concrete, non-generic context keeps the router, middleware and server simple. It is
/// extended through ``RequestContextKey`` storage: each fact has its own key type, so reads are typed
/// (`context[Key.self]` is `Key.Value?`) and two modules can't clash on a string name. A middleware that
/// proves a fact (an authenticated identity) stores it; handlers read it with ``require(_:)``, which
/// throws 500 if a route forgot its middleware rather than trapping.
public struct RequestContext: Sendable {
    /// The request id; the server assigns one, ``RequestIDMiddleware`` may adopt the client's.
    public var requestID: String
    /// The request-scoped logger; its metadata includes `request.id` once ``RequestIDMiddleware`` ran.
    ///
    /// The id is added when the logger is read, not stored: most requests log nothing, and putting the
    /// id into a metadata dictionary on every request allocated that dictionary every time.
    public var logger: Logger {
        get {
            guard logsRequestID else { return baseLogger }
            var logger = baseLogger
            logger.metadata["request.id"] = requestID
            return logger
        }
        set { baseLogger = newValue }
    }

    /// The level of ``logger``, read without building its metadata (for hot-path checks).
    public var logLevel: Logger.Level { baseLogger.logLevel }

    /// Whether ``logger`` carries `request.id` (set by ``RequestIDMiddleware``).
    var logsRequestID = false
    private var baseLogger: Logger
    /// Values of the matched route's `{name}` segments.
    public var parameters: RouteParameters
    /// The matched route template, or nil when nothing matched; metrics and logs use this, never the raw path.
    public var routeTemplate: String?

    private var storage: [ObjectIdentifier: any Sendable] = [:]

    /// Creates a context.
    public init(requestID: String, logger: Logger, parameters: RouteParameters = RouteParameters(), routeTemplate: String? = nil) {
        self.requestID = requestID
        self.baseLogger = logger
        self.parameters = parameters
        self.routeTemplate = routeTemplate
    }

    /// The value stored under `key`, or nil; assigning nil removes it.
    public subscript<Key: RequestContextKey>(key: Key.Type) -> Key.Value? {
        get { storage[ObjectIdentifier(key)] as? Key.Value }
        set { storage[ObjectIdentifier(key)] = newValue }
    }

    /// The value stored under `key`.
    ///
    /// - Throws: An internal error (500) when the value is absent, i.e. the route lacks the middleware that sets it.
    public func require<Key: RequestContextKey>(_ key: Key.Type) throws -> Key.Value {
        guard let value = self[key] else { throw MissingContextValue(key: String(describing: key)) }
        return value
    }
}

/// A handler asked for a context value no middleware set: a wiring bug, reported as a 500.
struct MissingContextValue: Error, CustomStringConvertible {
    let key: String
    var description: String { "request context has no value for \(key)" }
}
