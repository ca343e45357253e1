/// A parsed route pattern such as `/admin/users/{id}/impersonate`.
///
/// Segments are split on "/" keeping empty ones, so a trailing slash is a segment of its own and
/// `/users/` does not match `/users`.
struct RoutePattern: Sendable {
    /// One path segment of a pattern.
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    let segments: [Segment]

    /// Patterns are written by programmers, so a bad one is a programming error and stops the program.
    init(_ pattern: String) {
        precondition(pattern.hasPrefix("/"), "Route pattern must start with '/': \(pattern)")
        var names = Set<String>()
        segments = Self.split(pattern).map { segment in
            guard segment.hasPrefix("{"), segment.hasSuffix("}") else {
                precondition(!segment.contains("{") && !segment.contains("}"),
                             "Route segment mixes braces and text: \(pattern)")
                return .literal(String(segment))
            }
            let name = String(segment.dropFirst().dropLast())
            precondition(!name.isEmpty, "Route parameter needs a name: \(pattern)")
            precondition(names.insert(name).inserted, "Route parameter {\(name)} repeats: \(pattern)")
            return .parameter(name)
        }
    }

    /// The pattern with parameter names erased: two routes with the same shape and method could never
    /// both be reached, so they count as duplicates.
    var shape: [String?] {
        segments.map { if case .literal(let text) = $0 { text } else { nil } }
    }

    /// The parameters when `path` (already split) matches, nil otherwise. A parameter matches exactly one
    /// non-empty segment.
    func match(_ path: [Substring]) -> [String: String]? {
        guard path.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, path) {
            switch segment {
            case .literal(let text):
                guard part == text else { return nil }
            case .parameter(let name):
                guard !part.isEmpty else { return nil }
                parameters[name] = String(part)
            }
        }
        return parameters
    }

    /// Whether this pattern should win over `other` when both match the same path: at the first segment
    /// where they differ, a literal beats a parameter (so `/users/new` beats `/users/{id}`).
    func isMoreSpecific(than other: RoutePattern) -> Bool {
        for (mine, theirs) in zip(segments, other.segments) {
            switch (mine, theirs) {
            case (.literal, .parameter): return true
            case (.parameter, .literal): return false
            default: continue
            }
        }
        return false
    }

    /// The segments after the leading "/": "/" is one empty segment, "/a/" is "a" and "".
    static func split(_ path: String) -> [Substring] {
        path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
    }
}
