/// Why the server could not start.
public struct HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable classification.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The address is taken by another socket.
        public static let addressInUse = Code("address_in_use")
        /// The host is not an IP address this machine can bind.
        public static let invalidAddress = Code("invalid_address")
        /// Binding needs privileges the process lacks.
        public static let permissionDenied = Code("permission_denied")
        /// libmicrohttpd refused to start for another reason (see the log).
        public static let startFailed = Code("start_failed")
    }

    /// The classification.
    public let code: Code
    /// A message such as "cannot listen on 127.0.0.1:8080: address already in use".
    public let message: String

    public var description: String { message }
}
