import Foundation
import PierCore

/// Reads a group-members page (`GET /api/v1/groups/{id}/users`, a JSON array of user objects) into ids
/// and statuses without decoding whole users: member pages are the hottest path of a full sync.
enum MemberPageReader {
    /// Extracts the top-level `id` and `status` of every element.
    ///
    /// - Throws: ``OktaError/Code/decoding`` for malformed JSON, a non-array body, an element that is not
    ///   an object, or one without a string `id` and `status`.
    static func read(_ data: Data) throws -> [DirectoryMember] {
        do {
            return try data.withUnsafeBytes { raw in
                try read(raw.bindMemory(to: UInt8.self))
            }
        } catch let failure as JSONByteReader.Failure {
            throw OktaError(.decoding, detail: "member page: \(failure)")
        }
    }

    private static func read(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [DirectoryMember] {
        var reader = JSONByteReader(bytes)
        var members: [DirectoryMember] = []
        try reader.expect(0x5B)
        if !(try reader.consume(0x5D)) {
            repeat {
                guard try reader.peek() == 0x7B else { throw reader.fail("member is not an object") }
                try reader.expect(0x7B)
                var id: String?
                var status: String?
                if !(try reader.consume(0x7D)) {
                    repeat {
                        let key = try reader.readKey(matching: ["id", "status"])
                        try reader.expect(0x3A)
                        if let key {
                            guard try reader.peek() == 0x22 else { throw reader.fail("\(key == 0 ? "id" : "status") is not a string") }
                            let value = try reader.readString()
                            if key == 0 { id = value } else { status = value }
                        } else {
                            try reader.skipValue(depth: 1)
                        }
                    } while try reader.consume(0x2C)
                    try reader.expect(0x7D)
                }
                guard let id, let status else { throw reader.fail("member without id or status") }
                members.append(DirectoryMember(userID: OktaUserID(rawValue: id), status: DirectoryUserStatus(oktaValue: status)))
            } while try reader.consume(0x2C)
            try reader.expect(0x5D)
        }
        reader.skipWhitespace()
        guard reader.isAtEnd else { throw reader.fail("trailing characters") }
        return members
    }
}
