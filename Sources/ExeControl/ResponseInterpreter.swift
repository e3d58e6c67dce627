import Foundation

/// Applies the reference's error algorithm (§5) to a transport's response:
/// split the output into JSON values, fail on a non-zero status or HTTP
/// error using the first `error` value (or the text), treat an `{"error":…}`
/// result as a failure even with exit 0, accept plain text only where the
/// command prints text, and keep `rm`'s per-VM error objects.
package enum ResponseInterpreter {
    package static func interpret(_ response: ControlResponse, for request: ControlRequest, appendedJSONFlag: Bool) throws(ControlError) -> ControlOutput {
        let command = request.redactedCommandLine(appendingJSONFlag: appendedJSONFlag)
        let redact: @Sendable (String) -> String = { [request] in request.redact($0) }
        let text = String(decoding: response.output, as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let values = JSONValueStream.split(response.output)
        let errorMessages = (values ?? []).compactMap(errorMessage(in:))

        var exitStatus: Int32?
        var httpStatus: Int?
        var retryAfter: Duration?
        switch response.completion {
        case .exitStatus(let status): exitStatus = status
        case .http(let status, let delay):
            httpStatus = status
            retryAfter = delay
        }

        func failure(_ kind: ControlError.Kind, _ message: String) -> ControlError {
            ControlError(
                kind, redact(message), command: command, exitStatus: exitStatus, httpStatus: httpStatus,
                retryAfter: retryAfter, rawOutput: kind == .unexpectedResponse || values == nil ? redact(trimmed) : nil)
        }

        guard response.reportsSuccess else {
            let message: String
            if let first = errorMessages.first {
                message = first
            } else if !trimmed.isEmpty, values == nil {
                message = trimmed
            } else if let httpStatus {
                message = "the server answered HTTP \(httpStatus)" + (trimmed.isEmpty ? "" : ": \(trimmed.prefix(500))")
            } else {
                message = "the command failed with exit status \(exitStatus ?? -1) and printed no message"
            }
            let kind = httpStatus.map { kindForHTTPStatus($0, message: message) }
                ?? ServerMessageClassifier.kind(for: message) ?? .commandFailed
            throw failure(kind, message)
        }

        let output = ControlOutput(
            values: values ?? [], text: text, errorMessages: errorMessages.map(redact), command: command, redact: redact)
        switch request.expectedOutput {
        case .json:
            guard let values else {
                // Text where JSON was asked for: a flag or dispatch error printed
                // as text (reported with exit 0 when the status went missing),
                // or output this client does not understand.
                throw failure(ServerMessageClassifier.kind(for: trimmed) ?? .unexpectedResponse, trimmed)
            }
            if let last = values.last, let lastMessage = errorMessage(in: last) {
                let message = errorMessages.first ?? lastMessage
                throw failure(ServerMessageClassifier.kind(for: message) ?? .commandFailed, message)
            }
            return output
        case .nothing:
            if let first = errorMessages.first {
                throw failure(ServerMessageClassifier.kind(for: first) ?? .commandFailed, first)
            }
            if !trimmed.isEmpty { throw failure(ServerMessageClassifier.kind(for: trimmed) ?? .commandFailed, trimmed) }
            return output
        case .confirmation(let prefixes):
            if let first = errorMessages.first {
                throw failure(ServerMessageClassifier.kind(for: first) ?? .commandFailed, first)
            }
            if values == nil, ServerMessageClassifier.isPlainTextError(trimmed) {
                throw failure(ServerMessageClassifier.kind(for: trimmed) ?? .commandFailed, trimmed)
            }
            // Over SSH the status proves nothing (a failure may come with none,
            // read as 0): success is the handler's confirmation line. Over
            // HTTPS the status is reliable and these commands print nothing.
            if exitStatus != nil {
                let lines = trimmed.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                let confirmed = lines.contains { line in prefixes.contains { line.hasPrefix($0) } }
                if trimmed.isEmpty {
                    throw failure(.unexpectedResponse, "the command printed nothing, not the confirmation exe.dev prints on success")
                }
                if !confirmed { throw failure(ServerMessageClassifier.kind(for: trimmed) ?? .commandFailed, trimmed) }
            }
            return output
        }
    }

    /// The `error` text of an `{"error": "..."}` object.
    static func errorMessage(in value: Data) -> String? {
        guard let decoded = try? JSONDecoder().decode(JSONValue.self, from: value) else { return nil }
        return decoded["error"]?.stringValue
    }

    /// The kind for an HTTP error status of `/exec` (reference §1.2).
    static func kindForHTTPStatus(_ status: Int, message: String) -> ControlError.Kind {
        switch status {
        case 400: return .invalidArgument
        case 401: return .authenticationFailed
        case 403: return .permissionDenied
        case 404: return .unknownCommand
        case 413: return .requestTooLarge
        case 422: return ServerMessageClassifier.kind(for: message) ?? .commandFailed
        case 429: return .rateLimited
        case 504: return .timeout
        case 500..<600: return .serverError
        default: return .unexpectedResponse
        }
    }
}
