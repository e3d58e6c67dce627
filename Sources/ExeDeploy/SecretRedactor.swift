public import ExeSystem
import Foundation

/// Every secret a deploy handles (the registry token, the values of the env
/// file, a health-check token), so that any text leaving the deploy — an
/// error, a progress line, a remote log — can be cleaned of them first.
public struct SecretRedactor: Sendable {
    /// The secrets to remove.
    public private(set) var secrets: [Secret]

    /// Creates a redactor for `secrets`.
    public init(_ secrets: [Secret] = []) {
        self.secrets = secrets.filter { !$0.isEmpty }
    }

    /// Adds `secret` (empty ones are ignored).
    public mutating func add(_ secret: Secret) {
        if !secret.isEmpty, !secrets.contains(secret) { secrets.append(secret) }
    }

    /// Adds the values of a `KEY=VALUE` env file: an app that prints its
    /// environment must not get them into a deploy's output. Every value
    /// counts as secret except those of a few well-known settings that are
    /// not (``plainSettings``, such as `PORT` or `NODE_ENV`) and booleans:
    /// redacting `production` would garble `/data/.env.production` in every
    /// message, and `8080` every URL.
    public mutating func addValues(ofEnvironmentFile text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            var trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("export ") { trimmed = String(trimmed.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).uppercased()
            var value = String(trimmed[trimmed.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" {
                value = String(value.dropFirst().dropLast())
            }
            if Self.plainSettings.contains(key) || Self.booleanWords.contains(value.lowercased()) { continue }
            add(Secret(value))
        }
    }

    /// Env-file settings whose values are configuration, not secrets.
    public static let plainSettings: Set<String> = [
        "PORT", "HOST", "NODE_ENV", "RAILS_ENV", "RACK_ENV", "APP_ENV", "FLASK_ENV", "DJANGO_DEBUG", "ENV", "ENVIRONMENT",
        "LOG_LEVEL", "TZ", "LANG", "LC_ALL",
    ]

    private static let booleanWords: Set<String> = ["true", "false", "yes", "no", "on", "off"]

    /// `text` with every secret (at least four characters long) replaced by `[REDACTED]`.
    public func redact(_ text: String) -> String {
        Secret.redact(text, secrets.sorted { $0.reveal().count > $1.reveal().count })
    }

    /// A ``DeployError`` whose message is redacted.
    public func error(
        _ kind: DeployError.Kind, _ message: String, report: DeployReport? = nil, underlying: (any Error & Sendable)? = nil
    ) -> DeployError {
        DeployError(kind, redact(message), report: report, underlying: underlying)
    }

    /// `error` described in one redacted line.
    public func describe(_ error: any Error) -> String {
        let text: String
        switch error {
        case let error as DeployError: text = error.message
        default: text = "\(error)"
        }
        return redact(text)
    }
}
