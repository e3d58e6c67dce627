import Foundation

/// A URL loading failure in words a user acts on, instead of Foundation's
/// "The operation could not be completed. (NSURLErrorDomain error -1004.)".
enum URLErrorText {
    static func describe(_ error: URLError) -> String {
        switch error.code {
        case .cannotConnectToHost: "cannot connect (connection refused)"
        case .cannotFindHost, .dnsLookupFailed: "cannot resolve the host name"
        case .timedOut: "timed out"
        case .networkConnectionLost: "the connection was lost"
        case .notConnectedToInternet: "no network connection"
        case .cancelled: "cancelled"
        case .secureConnectionFailed: "the TLS handshake failed"
        case .serverCertificateUntrusted, .serverCertificateHasUnknownRoot:
            "the server's TLS certificate is not trusted"
        case .serverCertificateHasBadDate, .serverCertificateNotYetValid: "the server's TLS certificate is expired or not yet valid"
        case .clientCertificateRejected: "the server rejected the client certificate"
        case .badURL, .unsupportedURL: "not a valid https URL"
        case .badServerResponse: "the server's answer is not HTTP"
        default: "the request failed (URL error \(error.code.rawValue))"
        }
    }
}
