import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML element of a JUnit report as read: its name, attributes, and
/// children (elements and text, in order). Enough to merge reports and
/// write them back; comments, processing instructions and DTDs are dropped.
struct JUnitElement: Sendable, Equatable {
    /// A child: an element or a run of text (CDATA is read as text).
    enum Child: Sendable, Equatable {
        case element(JUnitElement)
        case text(String)
    }

    var name: String
    var attributes: [String: String]
    var children: [Child]

    /// The child elements.
    var elements: [JUnitElement] {
        children.compactMap { if case .element(let element) = $0 { element } else { nil } }
    }

    /// Whether a child element is named `name`.
    func hasChild(_ name: String) -> Bool { elements.contains { $0.name == name } }

    /// Every `testcase` at any depth below (and including) this element.
    var testCases: [JUnitElement] {
        if name == "testcase" { return [self] }
        return elements.flatMap(\.testCases)
    }

    /// The element written as XML (attributes sorted by name, so the
    /// output is stable).
    func xml(indent: String = "") -> String {
        var out = indent + "<" + name
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
            out += " \(key)=\"\(Self.escape(value, attribute: true))\""
        }
        let meaningful = children.filter { if case .text(let text) = $0 { !text.allSatisfy(\.isWhitespace) } else { true } }
        if meaningful.isEmpty { return out + "/>" }
        out += ">"
        let hasText = meaningful.contains { if case .text = $0 { true } else { false } }
        if hasText {
            // Mixed or text content: written as read, no indentation added.
            for child in children {
                switch child {
                case .text(let text): out += Self.escape(text, attribute: false)
                case .element(let element): out += element.xml()
                }
            }
            return out + "</\(name)>"
        }
        for child in meaningful {
            if case .element(let element) = child { out += "\n" + element.xml(indent: indent + "  ") }
        }
        return out + "\n" + indent + "</\(name)>"
    }

    /// `text` with the characters XML reserves escaped (and, in attribute
    /// values, newlines and tabs as character references so they survive).
    static func escape(_ text: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\n" where attribute: out += "&#10;"
            case "\t" where attribute: out += "&#9;"
            case "\r": out += "&#13;"
            default:
                // Characters XML 1.0 cannot carry at all are dropped.
                let value = scalar.value
                if value < 0x20 && value != 0x09 && value != 0x0A { continue }
                if value == 0xFFFE || value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Reads one XML document into a ``JUnitElement`` tree with Foundation's
/// `XMLParser` (libxml2; external entities are not resolved).
final class JUnitDocumentReader: NSObject, XMLParserDelegate {
    /// The deepest nesting read; deeper documents are refused.
    static let maximumDepth = 256

    private var stack: [JUnitElement] = []
    private var root: JUnitElement?
    private var tooDeep = false

    /// The document's root element, or the parser's complaint.
    static func read(_ data: Data) -> Result<JUnitElement, JUnitReadError> {
        let reader = JUnitDocumentReader()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = reader
        let parsed = parser.parse()
        if reader.tooDeep { return .failure(JUnitReadError("nested deeper than \(maximumDepth) elements")) }
        guard parsed, let root = reader.root else {
            let message = parser.parserError.map { "\($0.localizedDescription) (line \(parser.lineNumber))" } ?? "no root element"
            return .failure(JUnitReadError("not well-formed XML: \(message)"))
        }
        return .success(root)
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        if stack.count >= Self.maximumDepth {
            tooDeep = true
            parser.abortParsing()
            return
        }
        stack.append(JUnitElement(name: elementName, attributes: attributes, children: []))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let element = stack.popLast() else { return }
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(.element(element))
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { appendText(string) }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { appendText(String(decoding: CDATABlock, as: UTF8.self)) }

    private func appendText(_ text: String) {
        guard !stack.isEmpty else { return }
        let last = stack.count - 1
        if case .text(let previous) = stack[last].children.last {
            stack[last].children[stack[last].children.count - 1] = .text(previous + text)
        } else {
            stack[last].children.append(.text(text))
        }
    }
}

/// Why a JUnit file could not be read.
struct JUnitReadError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
