import Foundation
import Yams

/// YAML from files exe does not control (`exe.deploy.yaml`, `.exe.yaml`,
/// compose files) read into plain Swift values (`[String: Any]`, `[Any]`,
/// `String`, `Int`, `Double`, `Bool`, `NSNull`) with limits, so that no
/// document can crash the process or run it out of time or memory.
///
/// `Yams.load` is not used: it force-unwraps mapping keys that are not
/// plain strings (`? [a]\n: b\n` crashes it), traps on sexagesimal integers
/// that overflow (`1:2:3:4:5:6:7:8:9:10:11:12`), and expands aliases
/// without bound ("billion laughs"). Instead the document is composed with
/// `Yams.compose` (the node graph, where an alias shares its anchor's node)
/// and converted here, where:
/// - the document is at most ``Limits/documentBytes`` long;
/// - the conversion visits at most ``Limits/nodes`` nodes, counting every
///   alias expansion, so an alias bomb is an error after a bounded amount of
///   work;
/// - nesting deeper than ``Limits/depth`` is an error; a scan before parsing
///   refuses deep flow nesting (`[[[[...`: libyaml's scanner takes time
///   quadratic in it) and compact nested sequences (`- - - - x`), and
///   composing runs on a thread whose stack holds the deepest document left;
/// - a mapping key must be a scalar and appear once in its mapping (as in
///   the YAML spec and Go's yaml.v3, which Compose reads files with: a
///   repeated key is almost always an edit that silently lost a value);
///   `<<` merge keys are applied;
/// - integers are decimal, octal or hexadecimal and within `Int`; anything
///   else (sexagesimal, overflowing, timestamps, binary) is kept as text.
public enum BoundedYAML {
    /// How much a document may cost.
    public struct Limits: Sendable {
        /// The longest document, in UTF-8 bytes.
        public var documentBytes: Int
        /// The most nodes the conversion visits (aliases count each time).
        public var nodes: Int
        /// The deepest nesting of mappings and sequences.
        public var depth: Int

        /// Limits for configuration files: 1 MiB, 50,000 nodes, depth 64.
        public static let configuration = Limits(documentBytes: 1 << 20, nodes: 50_000, depth: 64)

        /// Custom limits.
        public init(documentBytes: Int, nodes: Int, depth: Int) {
            self.documentBytes = documentBytes
            self.nodes = nodes
            self.depth = depth
        }
    }

    /// Why a document was not read.
    public struct Failure: Error, CustomStringConvertible, Sendable, Equatable {
        /// What is wrong, and where when known (`line N`).
        public let description: String

        init(_ description: String) { self.description = description }
    }

    /// The value of the single document in `text`: `nil` for an empty
    /// document, otherwise `[String: Any]`, `[Any]`, `String`, `Int`,
    /// `Double`, `Bool` or `NSNull`.
    ///
    /// - Throws: ``Failure`` for invalid YAML or a document over `limits`.
    public static func load(_ text: String, limits: Limits = .configuration) throws(Failure) -> Any? {
        guard text.utf8.count <= limits.documentBytes else {
            throw Failure("the document is larger than \(limits.documentBytes) bytes")
        }
        try NestingScan.check(text, limit: limits.depth)
        // Composing (and freeing) the node graph recurses once per level of
        // nesting inside Yams. After the scan, flow nesting is at most
        // NestingScan.flowOpenerLimit and block nesting is bounded by the
        // indentation a document of this size can hold; 64 MiB of stack
        // (reserved, touched only as deep as a document goes) holds both.
        let result = OnLargeStack.run(stackBytes: 64 << 20) { () -> UncheckedResult in
            do {
                guard let node = try Yams.compose(yaml: text) else { return UncheckedResult(.success(nil)) }
                var converter = Converter(limits: limits)
                return UncheckedResult(.success(try converter.value(node, depth: 0)))
            } catch let failure as Failure {
                return UncheckedResult(.failure(failure))
            } catch {
                return UncheckedResult(.failure(Failure("\(error)")))
            }
        }
        return try result.value.get()
    }

    /// The outcome of a load, handed from the composing thread to the caller.
    private struct UncheckedResult: @unchecked Sendable {
        let value: Result<Any?, Failure>
        init(_ value: Result<Any?, Failure>) { self.value = value }
    }

    /// Converts nodes to values within the limits.
    private struct Converter {
        let limits: Limits
        var visited = 0

        mutating func value(_ node: Node, depth: Int) throws -> Any {
            visited += 1
            guard visited <= limits.nodes else {
                throw Failure("the document expands to more than \(limits.nodes) nodes (aliases count each time they are used)")
            }
            guard depth <= limits.depth else {
                throw Failure("the document nests deeper than \(limits.depth) levels\(where_(node))")
            }
            switch node {
            case .scalar(let scalar):
                return Self.scalar(scalar, tag: Tag.Name(rawValue: node.tag.description))
            case .sequence(let sequence):
                var items: [Any] = []
                for item in sequence { items.append(try value(item, depth: depth + 1)) }
                return items
            case .mapping(let mapping):
                var result: [String: Any] = [:]
                var lines: [String: Int] = [:]
                var merged: [Node] = []
                for (key, item) in mapping {
                    guard case .scalar(let keyScalar) = key else {
                        throw Failure("a mapping key must be a plain value, not a list or mapping\(where_(key))")
                    }
                    if Tag.Name(rawValue: key.tag.description) == .merge {
                        merged.append(item)
                        continue
                    }
                    let name = keyScalar.string
                    if result[name] != nil {
                        let first = lines[name].map { " (first at line \($0))" } ?? ""
                        throw Failure("the key \"\(name)\" appears twice in one mapping\(where_(key))\(first)")
                    }
                    lines[name] = key.mark?.line
                    result[name] = try value(item, depth: depth + 1)
                }
                for source in merged {
                    let mappings: [Node]
                    switch source {
                    case .mapping: mappings = [source]
                    case .sequence(let sequence): mappings = Array(sequence)
                    case .scalar: mappings = []
                    }
                    guard !mappings.isEmpty, mappings.allSatisfy({ $0.mapping != nil }) else {
                        throw Failure("a merge key (<<) needs a mapping or a list of mappings\(where_(source))")
                    }
                    // Explicit keys win, then earlier merged mappings.
                    for mapping in mappings {
                        let converted = try value(mapping, depth: depth + 1) as? [String: Any] ?? [:]
                        for (name, item) in converted where result[name] == nil { result[name] = item }
                    }
                }
                return result
            }
        }

        /// ` (line N)` for `node`, when it has a position.
        private func where_(_ node: Node) -> String {
            node.mark.map { " (line \($0.line))" } ?? ""
        }

        /// A scalar as `Yams.load` would give it, except that only the core
        /// schema's null, booleans, and decimal/octal/hexadecimal numbers
        /// are typed; everything else is its text.
        static func scalar(_ scalar: Node.Scalar, tag: Tag.Name) -> Any {
            let text = scalar.string
            switch tag {
            case .null:
                return NSNull()
            case .bool:
                return Bool.construct(from: scalar) ?? text
            case .int where !text.contains(":"):
                return Int.construct(from: scalar) ?? text
            case .float where !text.contains(":"):
                return Double.construct(from: scalar) ?? text
            default:
                return text
            }
        }
    }
}
