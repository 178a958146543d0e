import ClassbookDomain
import NIOCore
import NIOHTTP1

/// The web client's files, served from inside the binary: `Web/` of this target, which SwiftPM
/// compiles in as byte arrays (`PackageResources`, `.embedInCode` in Package.swift). `GET /` is
/// the page, `GET /<file>` its scripts and styles. No CDN and nothing read from disk at run
/// time, so what a browser runs is what was tested; no build step of our own and no Node: the
/// files are plain ES modules and CSS, served as written.
///
/// Every answer carries the strict headers (`WebSocketTransport.securityHeaders`); HSTS is added
/// when the listener's certificate is not self-signed (a browser that once saw HSTS for a name
/// with a self-signed certificate would refuse it for good). Files are revalidated by their ETag
/// (a hash of their bytes), so a new release reaches every browser at its next load.
struct WebPage: Sendable {
    struct File: Sendable {
        var contentType: String
        var body: [UInt8]
        var etag: String
    }

    /// Every file of `Web/` (Package.swift lists the same names), with its type.
    static let assets: [(name: String, contentType: String, body: [UInt8])] = [
        ("index.html", "text/html; charset=utf-8", PackageResources.index_html),
        ("app.js", "text/javascript; charset=utf-8", PackageResources.app_js),
        ("irc.js", "text/javascript; charset=utf-8", PackageResources.irc_js),
        ("i18n.js", "text/javascript; charset=utf-8", PackageResources.i18n_js),
        ("style.css", "text/css; charset=utf-8", PackageResources.style_css),
        ("icon.svg", "image/svg+xml", PackageResources.icon_svg)
    ]

    let files: [String: File]
    let headers: [(String, String)]

    init(hsts: Bool) {
        var files: [String: File] = [:]
        for (name, contentType, body) in Self.assets {
            files["/" + name] = File(
                contentType: contentType, body: body,
                etag: "\"" + String(Digest.sha256Hex(String(decoding: body, as: UTF8.self)).prefix(20)) + "\"")
        }
        files["/"] = files["/index.html"]
        self.files = files
        var headers = WebSocketTransport.securityHeaders + [("Cache-Control", "no-cache")]
        if hsts { headers.append(("Strict-Transport-Security", "max-age=31536000")) }
        self.headers = headers
    }

    /// Answers a plain request of the web listener: the page's files; 403 for `/socket` without
    /// an upgrade from an allowed origin; 405 for a method other than GET or HEAD; else 404.
    func answer(_ context: ChannelHandlerContext, _ request: HTTPRequestHead) {
        let path = String(request.uri.prefix { $0 != "?" && $0 != "#" })
        if path == WebSocketTransport.path {
            return HTTPAnswer.send(
                context, .forbidden, body: Array("This origin may not open the diary's socket.\n".utf8),
                headers: headers)
        }
        guard request.method == .GET || request.method == .HEAD else {
            return HTTPAnswer.send(
                context, .methodNotAllowed, body: Array("GET or HEAD\n".utf8),
                headers: headers + [("Allow", "GET, HEAD")])
        }
        guard let file = files[path] else {
            return HTTPAnswer.send(context, .notFound, body: Array("Not found.\n".utf8), headers: headers)
        }
        let tagged = headers + [("ETag", file.etag)]
        if request.headers[canonicalForm: "If-None-Match"].contains(where: { $0 == file.etag || $0 == "*" }) {
            return HTTPAnswer.send(
                context, .notModified, body: [], length: 0, contentType: file.contentType, headers: tagged)
        }
        HTTPAnswer.send(
            context, .ok, body: request.method == .HEAD ? [] : file.body, length: file.body.count,
            contentType: file.contentType,
            headers: tagged)
    }
}
