/// The JSON of commands whose server output has no payload
/// (`integrations add`, ...): `{"status":"ok"}` plus what was done.
struct Acknowledgement: Encodable, Sendable {
    let status = "ok"
    let command: String
    let name: String?
}
