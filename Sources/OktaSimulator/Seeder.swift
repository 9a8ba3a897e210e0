import Foundation

/// A small deterministic generator (SplitMix64): the same seed gives the same org on every platform.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Okta-style ids: a 3-character prefix, 13 random alphanumerics and a fixed 4-character org suffix.
struct IDFactory: Sendable {
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    var generator: SeededGenerator
    let orgSuffix: String

    init(seed: UInt64) {
        var generator = SeededGenerator(seed: seed ^ 0xA5A5_5A5A_1234_4321)
        var suffix = ""
        for _ in 0..<4 { suffix.append(Character(Unicode.Scalar(Self.alphabet[generator.below(Self.alphabet.count)]))) }
        self.generator = generator
        orgSuffix = suffix
    }

    mutating func make(_ prefix: String) -> String {
        var bytes = Array(prefix.utf8)
        for _ in 0..<13 { bytes.append(Self.alphabet[generator.below(Self.alphabet.count)]) }
        bytes.append(contentsOf: orgSuffix.utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func token(_ length: Int) -> String {
        var bytes: [UInt8] = []
        for _ in 0..<length { bytes.append(Self.alphabet[generator.below(Self.alphabet.count)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Name and attribute pools for realistic seeded users and groups.
enum SeedData {
    static let firstNames = [
        "Ada", "Alan", "Amara", "Anna", "Ben", "Bruno", "Carla", "Chen", "Chloe", "Daniel", "Deepa", "Diego", "Elena", "Emil",
        "Fatima", "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jamal", "Jana", "Jonas", "Julia", "Kai", "Keiko", "Lars",
        "Lea", "Liam", "Lina", "Luca", "Maya", "Mei", "Mila", "Nadia", "Noah", "Nora", "Omar", "Oscar", "Paula", "Priya",
        "Rae", "Rafael", "Sara", "Sofia", "Tariq", "Theo", "Uma", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
    ]
    static let lastNames = [
        "Adams", "Baker", "Becker", "Bianchi", "Costa", "Cruz", "da Silva", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen",
        "Ito", "Jensen", "Kaur", "Khan", "Kim", "Kowalski", "Larsen", "Lee", "Lopez", "Meyer", "Moreau", "Müller", "Nakamura",
        "Nguyen", "Novak", "O'Brien", "Okafor", "Patel", "Petrov", "Rossi", "Sato", "Schmidt", "Silva", "Smith", "Suzuki",
        "Tanaka", "Taylor", "Wagner", "Wang", "Weber", "Williams", "Wójcik", "Yilmaz", "Zhang",
    ]
    static let departments = [
        "Engineering", "Sales", "Marketing", "Finance", "Human Resources", "Legal", "Operations", "Support", "Product",
        "Design", "IT", "Research",
    ]
    static let titles = [
        "Engineer", "Senior Engineer", "Manager", "Director", "Analyst", "Specialist", "Coordinator", "Consultant",
        "Designer", "Account Executive", "Administrator", "Associate",
    ]
    static let groupWords = [
        "Engineering", "Sales", "Marketing", "Finance", "HR", "Legal", "Operations", "Support", "Product", "Design", "IT",
        "Research", "Berlin", "London", "New York", "Tokyo", "Remote", "Contractors", "Interns", "Managers", "Mobile",
        "Laptops", "VPN", "Wi-Fi", "Admins", "Security", "Platform", "Data", "Mac Users", "iOS Pilot",
    ]
    static let domain = "acme.example"

    /// Realistic status proportions (mostly ACTIVE); every status appears once among the first users.
    static let statusWeights: [(UserStatus, Double)] = [
        (.active, 0.84), (.staged, 0.03), (.provisioned, 0.03), (.recovery, 0.01), (.passwordExpired, 0.02),
        (.lockedOut, 0.01), (.suspended, 0.02), (.deprovisioned, 0.04),
    ]
}

extension SeedData {
    /// The largest group's share of the users (DESIGN.md §10: ≥ 20 %).
    static let largestShare = 0.3
    /// Memberships outside Everyone per user (DESIGN.md §10: ≥ 2).
    static let membershipsPerUser = 2.5

    /// Group sizes by rank (rank 1 first) for `groups` groups besides Everyone: a Zipf-like law
    /// `largest / r^s` whose exponent `s` is solved so that the sizes add up to `membershipsPerUser × users`
    /// (a few huge groups, many small ones). Pure arithmetic, hence deterministic.
    static func groupSizes(users n: Int, groups: Int) -> [Int] {
        guard groups > 0 else { return [] }
        let largest = Double(n) * largestShare
        let target = Double(n) * membershipsPerUser
        func sizes(_ s: Double) -> [Int] {
            (1...groups).map { r in min(n, max(1, Int((largest / pow(Double(r), s)).rounded()))) }
        }
        func total(_ s: Double) -> Double { Double(sizes(s).reduce(0, +)) }
        // total(s) falls as s grows; s = 0 makes every group the largest (few groups cannot reach the target).
        var low = 0.0, high = 4.0
        if total(low) <= target { return sizes(low) }
        for _ in 0..<50 {
            let mid = (low + high) / 2
            if total(mid) > target { low = mid } else { high = mid }
        }
        return sizes(low)
    }
}
