public import Foundation

/// One JUnit XML file to merge, with where it came from.
public struct JUnitSource: Sendable {
    /// Names the file in problems and in the merged report's suites
    /// (`shard 2: reports/junit.xml`).
    public var label: String
    /// The file's bytes.
    public var data: Data

    /// A source.
    public init(label: String, data: Data) {
        self.label = label
        self.data = data
    }
}

/// Test counts of a JUnit report.
public struct JUnitTotals: Sendable, Equatable, Codable {
    /// Test cases.
    public var tests = 0
    /// Test cases that failed an assertion.
    public var failures = 0
    /// Test cases that ended in an error.
    public var errors = 0
    /// Test cases skipped.
    public var skipped = 0
    /// Seconds, the sum of the suites' `time` attributes.
    public var time: Double = 0

    /// Zero counts.
    public init() {}

    /// Counts.
    public init(tests: Int, failures: Int, errors: Int, skipped: Int, time: Double = 0) {
        self.tests = tests
        self.failures = failures
        self.errors = errors
        self.skipped = skipped
        self.time = time
    }

    /// "40 tests, 1 failure, 0 errors, 2 skipped".
    public var summary: String {
        "\(tests) test\(tests == 1 ? "" : "s"), \(failures) failure\(failures == 1 ? "" : "s"), \(errors) error\(errors == 1 ? "" : "s"), \(skipped) skipped"
    }

    static func + (lhs: JUnitTotals, rhs: JUnitTotals) -> JUnitTotals {
        JUnitTotals(
            tests: lhs.tests + rhs.tests, failures: lhs.failures + rhs.failures, errors: lhs.errors + rhs.errors,
            skipped: lhs.skipped + rhs.skipped, time: lhs.time + rhs.time)
    }
}

/// The merged report.
public struct JUnitMergeResult: Sendable {
    /// The merged document: one `<testsuites>` holding every suite read.
    public var xml: Data
    /// Counts over every suite read.
    public var totals: JUnitTotals
    /// How many suites were merged.
    public var suiteCount: Int
    /// Files that could not be read or are no JUnit reports, each with why
    /// (they are left out of the merge, and said).
    public var problems: [String]
}

/// Merges JUnit XML reports (from the shards of a sharded run) into one.
///
/// A file's root is either `<testsuites>` (its `<testsuite>` children are
/// taken) or a single `<testsuite>`. Counts come from the `<testcase>`
/// elements (a `<failure>`, `<error>` or `<skipped>` child marks one), not
/// from the suites' attributes, which tools fill in unevenly; a suite with
/// no test cases at all contributes its attributes' counts. Each merged
/// suite keeps its content; its `tests`/`failures`/`errors`/`skipped`
/// attributes are set to the counted values.
public enum JUnitMerger {
    /// Merges `sources`; `name` is the merged `<testsuites>`'s name.
    public static func merge(_ sources: [JUnitSource], name: String) -> JUnitMergeResult {
        var suites: [JUnitElement] = []
        var totals = JUnitTotals()
        var problems: [String] = []
        for source in sources {
            let root: JUnitElement
            switch JUnitDocumentReader.read(source.data) {
            case .success(let element): root = element
            case .failure(let error):
                problems.append("\(source.label): \(error)")
                continue
            }
            let found: [JUnitElement]
            switch root.name {
            case "testsuites": found = root.elements.filter { $0.name == "testsuite" }
            case "testsuite": found = [root]
            default:
                problems.append("\(source.label): the root element is <\(root.name)>, not <testsuites> or <testsuite>")
                continue
            }
            for var suite in found {
                let counted = counts(of: suite)
                for (key, value) in [("tests", counted.tests), ("failures", counted.failures), ("errors", counted.errors), ("skipped", counted.skipped)] {
                    suite.attributes[key] = String(value)
                }
                totals = totals + counted
                suites.append(suite)
            }
        }
        var root = JUnitElement(name: "testsuites", attributes: [:], children: suites.map { .element($0) })
        root.attributes = [
            "name": name, "tests": String(totals.tests), "failures": String(totals.failures), "errors": String(totals.errors),
            "skipped": String(totals.skipped), "time": String(format: "%.3f", totals.time),
        ]
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root.xml() + "\n"
        return JUnitMergeResult(xml: Data(text.utf8), totals: totals, suiteCount: suites.count, problems: problems)
    }

    /// The counts of one suite: from its test cases, or from its
    /// attributes when it has none.
    static func counts(of suite: JUnitElement) -> JUnitTotals {
        let time = Double(suite.attributes["time"] ?? "") ?? 0
        let cases = suite.testCases
        if cases.isEmpty {
            func number(_ key: String) -> Int { max(0, Int(suite.attributes[key] ?? "") ?? 0) }
            return JUnitTotals(tests: number("tests"), failures: number("failures"), errors: number("errors"), skipped: number("skipped"), time: time)
        }
        var totals = JUnitTotals()
        totals.time = time
        for testCase in cases {
            totals.tests += 1
            if testCase.hasChild("failure") {
                totals.failures += 1
            } else if testCase.hasChild("error") {
                totals.errors += 1
            } else if testCase.hasChild("skipped") {
                totals.skipped += 1
            }
        }
        return totals
    }
}
