#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves files from one folder (CSS, scripts, icons), with strong ETags and Cache-Control.
///
/// It refuses anything that could reach outside the folder or into hidden files, by checking both the
/// requested relative path and the real path the file system resolves it to (symlinks included).
public struct StaticFiles: Sendable {
    public let root: String
    public let maxAge: Int

    public init(root: String, maxAge: Int = 3600) {
        self.root = root
        self.maxAge = maxAge
    }

    /// The response for `relativePath` (e.g. "css/site.css"), or nil when there is no such regular file
    /// or the path is refused. GET and HEAD get the file (or 304 when If-None-Match matches its ETag);
    /// other methods get 405.
    public func response(for request: Request, relativePath: String) -> Response? {
        guard Self.isSafeRelativePath(relativePath),
              let realRoot = Self.realPath(root),
              let realFile = Self.realPath(root + "/" + relativePath) else { return nil }
        // Compared as bytes: String comparison would treat Unicode-equivalent spellings as equal.
        let rootPrefix = Array((realRoot.hasSuffix("/") ? realRoot : realRoot + "/").utf8)
        guard realFile.utf8.starts(with: rootPrefix),
              Self.isSafeRelativePath(String(decoding: realFile.utf8.dropFirst(rootPrefix.count), as: UTF8.self)),
              let file = OpenFile(path: realFile) else { return nil }
        defer { file.close() }

        guard request.method == "GET" || request.method == "HEAD" else {
            return Response(status: 405, headers: HTTPHeaders([("Allow", "GET, HEAD")]))
        }
        var headers = HTTPHeaders([("ETag", file.entityTag), ("Cache-Control", "public, max-age=\(maxAge)")])
        if let condition = request.headers["If-None-Match"],
           Self.ifNoneMatch(condition, matches: file.entityTag) {
            return Response(status: 304, headers: headers)
        }
        guard let body = file.readAll() else { return nil }
        headers.add("Content-Type", MediaTypes.forPath(relativePath))
        return Response(status: 200, headers: headers, body: body)
    }

    /// Refuses "..", ".", empty segments (which also covers a leading or doubled "/"), hidden names
    /// (segments starting with "."), backslashes and NUL bytes.
    static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.utf8.contains(UInt8(ascii: "\\")), !path.utf8.contains(0) else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && !segment.hasPrefix(".")
        }
    }

    /// The path with every symlink and ".." resolved, or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// RFC 9110 If-None-Match: a list of tags or "*", compared weakly (a W/ prefix is ignored).
    static func ifNoneMatch(_ header: String, matches entityTag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingASCIISpaces()
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            return tag == entityTag
        }
    }
}

/// A regular file opened for reading; identifying it through the descriptor (fstat) means the checks
/// and the read concern the same file even if the path is swapped in between.
struct OpenFile {
    private let descriptor: Int32
    let size: Int
    /// Strong validator from inode, size and modification time: any replacement or edit changes it.
    let entityTag: String

    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            closeDescriptor(descriptor)
            return nil
        }
        #if canImport(Glibc)
        let modified = Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec)
        #else
        let modified = Int64(info.st_mtimespec.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtimespec.tv_nsec)
        #endif
        self.descriptor = descriptor
        size = Int(info.st_size)
        entityTag = "\"" + [UInt64(info.st_ino), UInt64(size), UInt64(bitPattern: modified)]
            .map { String($0, radix: 16) }.joined(separator: "-") + "\""
    }

    /// The whole file, or nil on a read error.
    func readAll() -> [UInt8]? {
        var contents = [UInt8](repeating: 0, count: max(size, 0))
        var filled = 0
        while true {
            if filled == contents.count { contents.append(contentsOf: repeatElement(0, count: 4096)) }
            let count = contents.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            filled += count
        }
        contents.removeSubrange(filled...)
        return contents
    }

    func close() { closeDescriptor(descriptor) }
}

/// `close` is shadowed inside types that define their own `close()`; this names the C function once.
func closeDescriptor(_ descriptor: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(descriptor)
    #else
    _ = Darwin.close(descriptor)
    #endif
}
