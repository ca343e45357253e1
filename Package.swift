// swift-tools-version:6.0
import PackageDescription

/// ClientOne Console. The layout follows ../shared/ARCHITECTURE.md: dependencies point down only.
/// Release builds specialise generics and inline small functions across the modules (HTTP, Store,
/// Crypto, Templates are libraries used by Portal): without it every call into them from another
/// module goes through unspecialised generic code, which was a third of a page's instructions.
/// Every target builds with `MemberImportVisibility` (SE-0444): a file sees the members of a module only
/// if it imports that module itself, so its imports say what it really uses.
let strict: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]
let optimized: [SwiftSetting] = strict + [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "ClientOneConsole",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "clientone", targets: ["clientone"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, linked through pkg-config; each shim.h wraps what Swift cannot import.
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // Libraries that know nothing of the portal.
        // Small pieces several rooms share: `Locked` and the connection-thread mark; calendar arithmetic.
        .target(name: "Threads", swiftSettings: optimized),
        .target(name: "Dates", swiftSettings: optimized),
        .target(name: "HTTP", dependencies: ["CMicroHTTPD", "Threads"], swiftSettings: optimized),
        .target(name: "Store", dependencies: ["CSQLite"], swiftSettings: optimized),
        .target(name: "Crypto", dependencies: ["COpenSSL"], swiftSettings: optimized),
        .target(name: "QRCode", swiftSettings: optimized),
        .target(name: "OTP", dependencies: ["Crypto"], swiftSettings: optimized),
        .target(name: "WebAuthn", dependencies: ["Crypto"], swiftSettings: optimized),
        .target(name: "Mail", dependencies: ["Crypto", "COpenSSL", "Dates"], swiftSettings: optimized),
        // The OpenID Connect relying party: discovery, keys, the authorization request, ID-token checks.
        .target(name: "OIDC", dependencies: ["Crypto", "Threads"], swiftSettings: optimized),
        // Outbound HTTPS (identity providers) through libcurl on OpenSSL.
        .target(name: "HTTPClient", dependencies: ["CCurl"], swiftSettings: optimized),
        .target(name: "Templates", path: "Templates", swiftSettings: optimized),

        // The application and its command line.
        .target(name: "Portal", dependencies: ["Threads", "Dates", "HTTP", "Store", "Crypto", "QRCode", "OTP", "WebAuthn", "Mail", "Templates", "OIDC", "HTTPClient"],
                resources: [.copy("Resources/common-passwords.txt")], swiftSettings: optimized),
        .executableTarget(name: "clientone", dependencies: [
            "Portal", "HTTP", "QRCode",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        // Speed: encodes per second of the QR encoder (scripts/bench-qr compares it with libqrencode).
        .executableTarget(name: "QRBenchmark", dependencies: ["QRCode"], path: "Benchmarks/QRBenchmark", swiftSettings: strict),
        // Speed: microseconds per Profile tab render (scripts/bench-render).
        .executableTarget(name: "RenderBench", dependencies: ["Templates"], path: "Benchmarks/RenderBench", swiftSettings: strict),
        // Speed: microseconds for the application to answer the Profile and Security tabs in process (scripts/bench-page).
        .executableTarget(name: "PageBench", dependencies: ["Portal", "HTTP"], path: "Benchmarks/PageBench", swiftSettings: strict),

        // Test helpers shared by the test targets (a raw HTTP/1.1 client, temporary folders, the one way to run other programs).
        .target(name: "TestSupport", dependencies: ["Threads"], path: "Tests/TestSupport", exclude: ["smtp_sink.py", "oidc", "https_server.py"], swiftSettings: strict),

        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Threads", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "QRCodeTests", dependencies: ["QRCode", "TestSupport"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "OTPTests", dependencies: ["OTP", "Crypto", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "WebAuthnTests", dependencies: ["WebAuthn", "Crypto", "TestSupport"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "OIDCTests", dependencies: ["OIDC", "Crypto", "Threads", "TestSupport"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "MailTests", dependencies: ["Mail", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "TemplatesTests", dependencies: ["Templates"], swiftSettings: strict),
        .testTarget(name: "PortalTests", dependencies: ["Portal", "TestSupport", "Threads", "Crypto", "Store", "Mail", "COpenSSL"], swiftSettings: strict),
    ]
)
