import CClassbookCrypto
import Foundation
import NIOSSL

/// Loads the server's certificate and makes a self-signed one on first run.
public enum TLSCertificate {
    public enum Failure: Error, CustomStringConvertible {
        case generationFailed(String)

        public var description: String {
            switch self {
            case .generationFailed(let path): "could not write a self-signed certificate to \(path)"
            }
        }
    }

    /// Writes a self-signed ECDSA P-256 certificate for `commonName` (also valid for
    /// localhost, 127.0.0.1 and ::1), with its private key readable by the owner only.
    public static func writeSelfSigned(
        commonName: String, certificatePath: String, privateKeyPath: String, days: Int = 825
    ) throws {
        guard cb_write_self_signed_certificate(commonName, Int32(days), certificatePath, privateKeyPath) == 1 else {
            throw Failure.generationFailed(certificatePath)
        }
    }

    /// Whether the certificate at `path` is self-signed; nil when it cannot be read.
    static func isSelfSigned(path: String) -> Bool? {
        switch cb_certificate_is_self_signed(path) {
        case 1: true
        case 0: false
        default: nil
        }
    }

    /// A TLS 1.2+ server context from PEM files.
    static func serverContext(certificatePath: String, privateKeyPath: String) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        // When the server closes a connection (QUIT, ERROR, a stop) it sends close_notify and
        // waits for the client's; NIOSSL's default wait is 5 s, for which a client that does not
        // read (an idle phone) held the connection, and a stop, open. A live client answers in
        // milliseconds.
        configuration.shutdownTimeout = .milliseconds(500)
        return try NIOSSLContext(configuration: configuration)
    }
}
