import Foundation
import Testing
@testable import HTTP
import TestSupport

/// The batched line writer behind `serve`'s access log, on a pipe.
@Suite struct LineWriterTests {
    /// A pipe whose read end gathers everything written, on a thread of its own.
    final class Sink: @unchecked Sendable {
        let pipe = Pipe()
        private let received = Recorder()
        init() {
            pipe.fileHandleForReading.readabilityHandler = { [received] handle in
                let chunk = handle.availableData
                if !chunk.isEmpty { received.append(String(decoding: chunk, as: UTF8.self)) }
            }
        }
        var descriptor: Int32 { pipe.fileHandleForWriting.fileDescriptor }
        var text: String { received.all.joined() }
        var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    }

    @Test("a line is out within the delay, without waiting for more")
    func writesWithinDelay() {
        let sink = Sink()
        let writer = LineWriter(descriptor: sink.descriptor, delay: 0.05)
        defer { writer.flush() }
        writer.append("127.0.0.1 \"GET /\" 200 2 0.1ms")
        #expect(eventually(within: 1) { sink.lines == ["127.0.0.1 \"GET /\" 200 2 0.1ms"] })
    }

    @Test("flush writes what has gathered at once, in order, however long the delay; nothing after is lost")
    func flushWritesEverything() {
        let sink = Sink()
        let writer = LineWriter(descriptor: sink.descriptor, delay: 30)
        for number in 1...500 { writer.append("line \(number)") }
        // Within the delay nothing is written yet (the batch is still gathering).
        usleep(100_000)
        #expect(sink.text.isEmpty)
        writer.flush()
        #expect(eventually { sink.lines.count == 500 })
        #expect(sink.lines == (1...500).map { "line \($0)" })
        writer.append("after the flush")
        #expect(eventually { sink.lines.last == "after the flush" })
    }

    @Test("a line written at once comes after the lines gathered before it")
    func writeNowKeepsOrder() {
        let sink = Sink()
        let writer = LineWriter(descriptor: sink.descriptor, delay: 30)
        defer { writer.flush() }
        writer.append("request 1")
        writer.append("request 2")
        writer.writeNow("error reference 3")
        #expect(eventually { sink.lines == ["request 1", "request 2", "error reference 3"] })
    }

    @Test("lines from eight threads at once arrive whole, none lost, each thread's in its order")
    func concurrentLines() {
        let sink = Sink()
        let writer = LineWriter(descriptor: sink.descriptor, delay: 0.01)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for number in 0..<2_000 { writer.append("thread \(thread) line \(number) " + String(repeating: "x", count: number % 50)) }
        }
        writer.flush()
        #expect(eventually { sink.lines.count == 16_000 })
        let lines = sink.lines
        for thread in 0..<8 {
            let own = lines.filter { $0.hasPrefix("thread \(thread) ") }
            #expect(own == (0..<2_000).map { "thread \(thread) line \($0) " + String(repeating: "x", count: $0 % 50) })
        }
    }
}
