import ExeSSH
import ExeSystem
import Foundation
import Testing

@testable import ExeLease

/// The pure parts of sharded runs (issue 14): JUnit merging, the JUnit
/// glob, and the shard placeholders.
@Suite struct ShardedRunUnitTests {
    func merge(_ files: [(String, String)]) -> JUnitMergeResult {
        JUnitMerger.merge(files.map { JUnitSource(label: $0.0, data: Data($0.1.utf8)) }, name: "merged")
    }

    /// Reads the merged document back with the same reader.
    func reread(_ result: JUnitMergeResult) throws -> JUnitElement {
        try JUnitDocumentReader.read(result.xml).get()
    }

    @Test("counts come from the test cases, not from the suites' attributes; <testsuites> and <testsuite> roots both merge")
    func countsFromTestCases() throws {
        let result = merge([
            ("a", """
                <?xml version="1.0"?>
                <testsuites tests="99"><testsuite name="one" tests="50" failures="0" time="1.5">
                  <testcase name="ok"/><testcase name="bad"><failure message="m">trace</failure></testcase>
                  <testcase name="later"><skipped/></testcase>
                </testsuite><testsuite name="two" time="0.5"><testcase name="crash"><error type="E"/></testcase></testsuite></testsuites>
                """),
            ("b", "<testsuite name=\"three\" time=\"2\"><testcase name=\"fine\"/></testsuite>"),
        ])
        #expect(result.problems.isEmpty)
        #expect(result.totals == JUnitTotals(tests: 5, failures: 1, errors: 1, skipped: 1, time: 4))
        #expect(result.suiteCount == 3)
        let root = try reread(result)
        #expect(root.name == "testsuites")
        #expect(root.attributes["tests"] == "5" && root.attributes["failures"] == "1" && root.attributes["errors"] == "1")
        #expect(root.attributes["skipped"] == "1" && root.attributes["time"] == "4.000" && root.attributes["name"] == "merged")
        let suites = root.elements
        #expect(suites.map { $0.attributes["name"] } == ["one", "two", "three"])
        #expect(suites[0].attributes["tests"] == "3", "the suite's count is corrected from 50")
        #expect(suites[0].testCases.map { $0.attributes["name"] } == ["ok", "bad", "later"])
    }

    @Test("a suite without test cases contributes its attributes' counts")
    func suiteWithoutCases() {
        let result = merge([("a", "<testsuite name=\"summary\" tests=\"7\" failures=\"2\" errors=\"1\" skipped=\"3\" time=\"1\"/>")])
        #expect(result.totals == JUnitTotals(tests: 7, failures: 2, errors: 1, skipped: 3, time: 1))
    }

    @Test("text, CDATA and attribute values with XML's reserved characters survive the merge")
    func escaping() throws {
        let result = merge([
            ("a", """
                <testsuite name="q&quot;uote &amp; &lt;tag&gt;"><testcase name="t"><failure message="line1&#10;line2">a &lt; b &amp;&amp; c</failure>\
                <system-out><![CDATA[<raw> & stuff]]></system-out></testcase></testsuite>
                """),
        ])
        #expect(result.problems.isEmpty)
        let suite = try #require(try reread(result).elements.first)
        #expect(suite.attributes["name"] == "q\"uote & <tag>")
        let testCase = try #require(suite.elements.first)
        let failure = try #require(testCase.elements.first { $0.name == "failure" })
        #expect(failure.attributes["message"] == "line1\nline2")
        #expect(failure.children == [.text("a < b && c")])
        let output = try #require(testCase.elements.first { $0.name == "system-out" })
        #expect(output.children == [.text("<raw> & stuff")])
    }

    @Test("unreadable files and other roots are named as problems and left out; the rest still merges")
    func problems() {
        let deep = String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300)
        let result = merge([
            ("broken", "<testsuite><testcase></testsuite>"), ("html", "<html><body/></html>"), ("deep", deep), ("empty", ""),
            ("good", "<testsuite name=\"g\"><testcase name=\"x\"/></testsuite>"),
        ])
        #expect(result.totals.tests == 1 && result.suiteCount == 1)
        #expect(result.problems.count == 4, "\(result.problems)")
        #expect(result.problems.contains { $0.hasPrefix("broken: not well-formed XML") })
        #expect(result.problems.contains { $0.hasPrefix("html: the root element is <html>") })
        #expect(result.problems.contains { $0.hasPrefix("deep: nested deeper than") })
        #expect(result.problems.contains { $0.hasPrefix("empty: ") })
    }

    @Test("no files make an empty, valid report")
    func nothing() throws {
        let result = merge([])
        #expect(result.totals == JUnitTotals())
        let root = try reread(result)
        #expect(root.name == "testsuites" && root.elements.isEmpty && root.attributes["tests"] == "0")
    }

    @Test("the JUnit glob: relative, inside the work directory; find starts at its literal directories")
    func pattern() throws {
        #expect(try JUnitPattern("./reports/*.xml").text == "reports/*.xml")
        #expect(try JUnitPattern("reports/unit/junit-*.xml").startDirectory == "./reports/unit")
        #expect(try JUnitPattern("*/junit.xml").startDirectory == ".")
        #expect(try JUnitPattern("junit.xml").startDirectory == ".")
        #expect(try JUnitPattern("out/**/x[0-9].xml").startDirectory == "./out")
        for bad in ["", "./", "/abs/*.xml", "../up.xml", "a/../../b.xml", "a\nb"] {
            #expect(throws: LeaseError.self, "\(bad)") { try JUnitPattern(bad) }
        }
        let command = try JUnitPattern("it's/*.xml").listCommand(workDirectory: "/tmp/exe/w d").commandLine
        #expect(command.contains("cd '/tmp/exe/w d'") && command.contains("-path './it'\\''s/*.xml'"), "every word quoted: \(command)")
        let listing = JUnitPattern.parseListing(Data("12 ./a/b.xml\u{0}7 ./sp ace.xml\u{0}garbage\u{0}".utf8))
        #expect(listing.map(\.path) == ["a/b.xml", "sp ace.xml"] && listing.map(\.size) == [12, 7])
    }

    @Test("{index} and {total} are replaced in every word; the environment names the shard")
    func placeholders() {
        let shard = ShardPlaceholder(index: 3, total: 8)
        #expect(shard.substitute(["npx", "playwright", "test", "--shard={index}/{total}", "{other}", "{index}{index}"])
            == ["npx", "playwright", "test", "--shard=3/8", "{other}", "33"])
        #expect(shard.environment == ["EXE_SHARD_INDEX": "3", "EXE_SHARD_TOTAL": "8"])
    }

    @Test("the exit code is the lowest-numbered failing shard's; 130 when interrupted")
    func exitCode() {
        func result(_ statuses: [ShardStatus], interrupted: Bool = false) -> ShardedRunResult {
            ShardedRunResult(
                runID: "run_000000000000", artifactsDirectory: nil, shards: statuses.enumerated().map { ShardOutcome(index: $0.offset + 1, status: $0.element) }.reversed(), baseLeaseID: "b",
                interrupted: interrupted, junit: nil, removed: [], kept: [], cleanupFailure: nil, totalMilliseconds: 0)
        }
        #expect(result([.passed, .passed]).exitCode == 0)
        #expect(result([.passed, .failed(.exited(4)), .failed(.exited(2))]).exitCode == 4)
        #expect(result([.passed, .error("no lease"), .failed(.exited(2))]).exitCode == 1)
        #expect(result([.failed(.signaled("KILL", coreDumped: false)), .passed]).exitCode == 137)
        #expect(result([.passed, .passed], interrupted: true).exitCode == 130)
    }
}
