import Foundation

/// The integration checks of `execore/ssh_integrations_command.go`,
/// `execore/ssh_integrations_reflection.go` and
/// `execore/integration_validate.go` beyond names and targets: attachment
/// specs, injected headers, reflection fields and GitHub repositories, with
/// the server's wording.
extension IntegrationRules {
    /// `parseAttachmentSpec`: the error, or `nil` for `vm:<name>`,
    /// `tag:<name>` or `auto:all`.
    static func attachmentSpecProblem(_ spec: String) -> String? {
        if spec == "auto:all" || (spec.hasPrefix("vm:") && spec.utf8.count > 3) || (spec.hasPrefix("tag:") && spec.utf8.count > 4) { return nil }
        return "invalid attachment spec \(GoFlagParser.goQuote(spec)): must be vm:<name>, tag:<name>, or auto:all"
    }

    /// `validateAttachmentSpec`: the VM of `vm:` must exist, the tag of
    /// `tag:` must be valid (`validateTagName`'s wording, anchors included).
    static func attachmentTargetProblem(_ spec: String, in state: SimState) -> String? {
        if spec.hasPrefix("vm:") {
            let name = String(spec.dropFirst(3))
            return state.vm(named: name) == nil ? "vm \(GoFlagParser.goQuote(name)) not found" : nil
        }
        if spec.hasPrefix("tag:") {
            let tag = String(spec.dropFirst(4))
            return TagRules.isValid(tag) ? nil : TagRules.anchoredInvalidMessage(tag)
        }
        return nil
    }

    /// `validateHTTPHeader`: the error, or `nil` for a valid `Key:Value`.
    static func headerProblem(_ header: String) -> String? {
        guard let colon = header.firstIndex(of: ":") else { return "header must be in Key:Value format" }
        let key = String(header[..<colon])
        if key.isEmpty { return "header key is empty" }
        for scalar in key.unicodeScalars where !isTokenCharacter(scalar) {
            return "header key \(GoFlagParser.goQuote(key)) contains invalid character \(goRuneQuote(scalar))"
        }
        let value = String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespacesAndNewlines)
        if value.isEmpty { return "header value is empty" }
        if value.contains("\r") || value.contains("\n") { return "header value must not contain CR or LF characters" }
        if reservedHeaders.contains(canonicalHeaderKey(key)) { return "header key \(GoFlagParser.goQuote(key)) is reserved" }
        return nil
    }

    /// `redactInjectedHeader`: `Key:***`.
    static func redactedHeader(_ header: String) -> String {
        if header.isEmpty { return "" }
        guard let colon = header.firstIndex(of: ":") else { return "***" }
        let key = header[..<colon].trimmingCharacters(in: .whitespaces)
        return key.isEmpty ? "***" : key + ":***"
    }

    /// `redactURLPassword`: a password in the URL's user info becomes `***`.
    static func redactingPassword(_ raw: String) -> String {
        guard var components = URLComponents(string: raw), components.password != nil else { return raw }
        components.password = "***"
        return components.string ?? raw
    }

    /// The fields of `parseReflectionFields`: `["all"]`, a sorted list of
    /// known fields, or `[]` for `none` (or nothing).
    static func reflectionFields(_ raw: String) throws(CommandFailure) -> [String] {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed == "none" { return [] }
        var fields: [String] = []
        var sawAll = false
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let field = part.trimmingCharacters(in: .whitespacesAndNewlines)
            if field.isEmpty { continue }
            if field == "all" {
                sawAll = true
                continue
            }
            guard knownReflectionFields.contains(field) else {
                throw CommandFailure(
                    "unknown reflection field \(GoFlagParser.goQuote(field)) (valid: \(knownReflectionFields.joined(separator: ",")), all, none)")
            }
            if !fields.contains(field) { fields.append(field) }
        }
        return sawAll ? ["all"] : fields.sorted()
    }

    /// `handleAddGitHub`'s checks of `--repository`, in its order.
    static func checkRepositories(_ raw: String) throws(CommandFailure) {
        if raw.isEmpty { throw CommandFailure("--repository is required (e.g. owner/repo or owner/repo1,owner/repo2)") }
        var owners: Set<String> = []
        for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let repository = part.trimmingCharacters(in: .whitespacesAndNewlines)
            if repository.isEmpty { continue }
            guard let slash = repository.firstIndex(of: "/"), slash != repository.startIndex,
                repository.index(after: slash) != repository.endIndex
            else {
                throw CommandFailure("--repository \(GoFlagParser.goQuote(repository)) must be in owner/repo format")
            }
            owners.insert(String(repository[..<slash]))
        }
        if owners.isEmpty { throw CommandFailure("--repository is required (e.g. owner/repo)") }
        if owners.count > 1 { throw CommandFailure("all repositories must belong to the same owner") }
    }

    /// `fieldsDisplay` of handleAddReflection and `summarizeConfig`: the
    /// fields comma-joined, `(none)` when there are none.
    static func reflectionFieldsDisplay(_ fields: [String]) -> String {
        fields.isEmpty ? "(none)" : fields.joined(separator: ",")
    }

    /// `reflectionFieldsAll`, in the server's order.
    static let knownReflectionFields = ["email", "integrations", "tags", "comment"]

    /// `reservedHeaders`: exe-internal and hop-by-hop headers.
    private static let reservedHeaders: Set<String> = [
        "Host", "X-Exedev-Box", "X-Exedev-Integration", "Transfer-Encoding", "Content-Length", "Connection", "Upgrade", "Te", "Trailer",
        "Proxy-Authorization", "Proxy-Connection",
    ]

    /// RFC 7230 `tchar`.
    private static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "!", "#", "$", "%", "&", "'", "*", "+", "-", ".", "^", "_", "`", "|", "~": return true
        default: return false
        }
    }

    /// `textproto.CanonicalMIMEHeaderKey` for a valid token: upper case
    /// after the start and each hyphen, lower case elsewhere.
    private static func canonicalHeaderKey(_ key: String) -> String {
        var upper = true
        var result = ""
        for character in key {
            result += upper ? character.uppercased() : character.lowercased()
            upper = character == "-"
        }
        return result
    }
}
