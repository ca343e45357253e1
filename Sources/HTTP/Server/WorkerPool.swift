import Foundation

/// A fixed number of threads taking jobs in arrival order from a bounded queue: the server's slow lane.
///
/// A job is two closures: `run`, called on a pool thread, and `cancel`, called instead when the job
/// will never run (the pool is stopping). Exactly one of them is called for every accepted job.
final class WorkerPool: @unchecked Sendable {
    struct Job {
        let run: () -> Void
        let cancel: () -> Void
    }

    /// Jobs that may wait for a thread; ``submit(_:)`` refuses more.
    let queueLimit: Int
    /// Guards everything below; pool threads wait on it for work, ``stop()`` for them to finish.
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var head = 0
    private var isStopping = false
    private var threadsAlive = 0

    init(threads: Int, queueLimit: Int, name: String) {
        precondition(threads >= 1 && queueLimit >= 0, "WorkerPool needs a thread and a non-negative queue limit")
        self.queueLimit = queueLimit
        threadsAlive = threads
        for index in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "\(name) \(index + 1)"
            thread.start()
        }
    }

    /// Queues a job; false when the queue is full or the pool is stopping (nothing of the job is called).
    func submit(_ job: Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !isStopping, queue.count - head < queueLimit + idleThreads else { return false }
        queue.append(job)
        condition.signal()
        return true
    }

    /// Cancels the jobs still queued, lets running ones finish, and returns once every thread has ended.
    /// Later submissions are refused. Safe to call more than once.
    func stop() {
        condition.lock()
        isStopping = true
        let cancelled = queue[head...]
        queue = []
        head = 0
        condition.broadcast()
        condition.unlock()
        for job in cancelled { job.cancel() }
        condition.lock()
        while threadsAlive > 0 { condition.wait() }
        condition.unlock()
    }

    /// Threads waiting for work: a job submitted now starts at once on one of them.
    private var idleThreads: Int { max(0, threadsAlive - running) }
    private var running = 0

    private func work() {
        condition.lock()
        while true {
            while head == queue.count && !isStopping { condition.wait() }
            if head == queue.count { break }
            let job = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            running += 1
            condition.unlock()
            job.run()
            condition.lock()
            running -= 1
        }
        threadsAlive -= 1
        condition.broadcast()
        condition.unlock()
    }
}
