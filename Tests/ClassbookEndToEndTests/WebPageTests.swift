import AsyncHTTPClient
import ClassbookServer
import ClassbookTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

/// The web listener's plain HTTP: the page's files from inside the binary, exactly as in Web/,
/// with the strict headers; HSTS only with a certificate that is not self-signed.
@Suite("The web page over HTTPS", .timeLimit(.minutes(2)))
struct WebPageTests {
    static let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Sources/ClassbookServer/Web")

    static func client() -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
    }

    static func get(
        _ client: HTTPClient, _ port: Int, _ path: String, method: HTTPMethod = .GET,
        headers: [(String, String)] = []
    ) async throws -> (HTTPClientResponse, [UInt8]) {
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response, Array(body.readableBytesView))
    }

    @Test("every file of Web/ is served as it is, with its type, the strict headers and an ETag; 304, 404, 405 and 403")
    func files() async throws {
        try await withServer({ $0.webListen = .init(host: "127.0.0.1", port: 0) }) { server in
            let port = try #require(server.ports.web)
            let client = Self.client()
            do {
                try await Self.check(client, port)
            } catch {
                Issue.record(error)
            }
            try await client.shutdown()
        }
    }

    static func check(_ client: HTTPClient, _ port: Int) async throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.web.path).sorted()
        #expect(names.contains("index.html") && names.contains("app.js"))
        for name in names {
            let source = try [UInt8](Data(contentsOf: Self.web.appendingPathComponent(name)))
            let (response, body) = try await Self.get(client, port, "/" + name)
            #expect(response.status == .ok, "\(name)")
            let same = body == source
            #expect(
                same,
                Comment(
                    rawValue:
                        "\(name) is not served as in Web/ (\(body.count) bytes served, \(source.count) in the file); "
                        + "a new file is listed in Package.swift and WebPage")
            )
            let type = response.headers.first(name: "Content-Type") ?? ""
            let expected =
                name.hasSuffix(".js")
                ? "text/javascript"
                : name.hasSuffix(".css")
                    ? "text/css"
                    : name.hasSuffix(".html") ? "text/html" : "image/svg+xml"
            #expect(type.hasPrefix(expected), "\(name): \(type)")
            let policy = response.headers.first(name: "Content-Security-Policy") ?? ""
            for part in ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"] {
                #expect(policy.contains(part), "\(name): \(policy)")
            }
            #expect(!policy.contains("unsafe-inline"))
            #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(
                response.headers.first(name: "Strict-Transport-Security") == nil,
                "no HSTS with a self-signed certificate")
            // Revalidation by ETag.
            let etag = try #require(response.headers.first(name: "ETag"))
            let (again, empty) = try await Self.get(client, port, "/" + name, headers: [("If-None-Match", etag)])
            #expect(again.status == .notModified && empty.isEmpty)
        }
        // The page is at /, with no inline script (the policy forbids it, so it would not run).
        let (page, body) = try await Self.get(client, port, "/")
        let index = try [UInt8](Data(contentsOf: Self.web.appendingPathComponent("index.html")))
        #expect(page.status == .ok && body == index)
        let html = String(decoding: body, as: UTF8.self)
        #expect(html.contains("<script type=\"module\" src=\"/app.js\"></script>") && !html.contains("<script>"))
        #expect(try await Self.get(client, port, "/nothing.js").0.status == .notFound)
        #expect(try await Self.get(client, port, "/", method: .POST).0.status == .methodNotAllowed)
        #expect(try await Self.get(client, port, "/socket").0.status == .forbidden)
        let (head, headBody) = try await Self.get(client, port, "/app.js", method: .HEAD)
        #expect(head.status == .ok && headBody.isEmpty)
    }

    @Test("with a certificate from a certification authority the page carries HSTS")
    func hsts() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        // A CA and a server certificate it signed, made with the openssl tool.
        let directory = school.directory
        let steps = [
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj",
                "/CN=Test CA",
                "-keyout", "\(directory)/ca.key", "-out", "\(directory)/ca.pem"
            ],
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
                "-keyout", "\(directory)/signed.key", "-out", "\(directory)/signed.csr"
            ],
            [
                "x509", "-req", "-in", "\(directory)/signed.csr", "-CA", "\(directory)/ca.pem", "-CAkey",
                "\(directory)/ca.key",
                "-CAcreateserial", "-days", "2", "-out", "\(directory)/signed.pem"
            ]
        ]
        for arguments in steps {
            let result = try await ChildProcess.run("/usr/bin/openssl", arguments, in: directory)
            #expect(result.succeeded, "openssl \(arguments[0]): \(result.output)")
        }
        let server = try await RunningServer.start(school) { configuration in
            configuration.webListen = .init(host: "127.0.0.1", port: 0)
            configuration.certificatePath = "\(directory)/signed.pem"
            configuration.privateKeyPath = "\(directory)/signed.key"
        }
        let client = Self.client()
        do {
            let (response, _) = try await Self.get(client, try #require(server.ports.web), "/")
            #expect(response.headers.first(name: "Strict-Transport-Security") == "max-age=31536000")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        try await server.stop()
    }
}
