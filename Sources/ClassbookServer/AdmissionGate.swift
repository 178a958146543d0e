import NIOConcurrencyHelpers
import NIOCore

/// How many connections may be between their TCP accept and the end of their registration at
/// once (the TLS handshake, a WebSocket upgrade, SASL): over the limit the listeners stop
/// accepting until one of them is through, and the rest wait in the kernel's accept queue.
///
/// A storm of reconnections (a server restart, a school's Wi-Fi coming back: every remembered
/// phone at once) is handshakes and registrations on the same event loops as the connected
/// people's commands; admitted all together they queued ahead of those commands (the p99 of
/// people working during 1,000 token logins went to 60–90 ms). A few dozen at a time keep the
/// loops' queues short; the storm takes a little longer and the others do not notice it.
///
/// A place is held at most `longestHold` (1 s by default): a connection that is slow to register — one that
/// sends nothing, a login waiting out the guard's delay or a queue of hashes — goes on but stops
/// counting, so a handful of idle connections cannot keep the listeners paused for everyone.
final class AdmissionGate: Sendable {
    private struct State {
        var pending = 0
        /// Listeners told to stop accepting, resumed when a place frees.
        var paused: [ObjectIdentifier: any Channel] = [:]
    }

    let limit: Int
    let longestHold: TimeAmount
    private let state = NIOLockedValueBox(State())

    init(limit: Int, longestHold: TimeAmount = .seconds(1)) {
        self.limit = limit
        self.longestHold = longestHold
    }

    /// A connection accepted: counts until its registration, its close, or `longestHold`,
    /// whichever comes first.
    func enter(_ channel: any Channel) -> Ticket {
        let ticket = enter(from: channel.parent)
        channel.closeFuture.whenComplete { _ in ticket.release() }
        channel.eventLoop.scheduleTask(in: longestHold) { ticket.release() }
        return ticket
    }

    /// A connection accepted by `listener`; returns the ticket its registration or its close
    /// hands back.
    func enter(from listener: (any Channel)?) -> Ticket {
        let pause = state.withLockedValue { state -> Bool in
            state.pending += 1
            guard state.pending >= limit, let listener else { return false }
            state.paused[ObjectIdentifier(listener)] = listener
            return true
        }
        if pause, let listener { sync(listener) }
        return Ticket(gate: self)
    }

    fileprivate func leave() {
        let resume = state.withLockedValue { state -> [any Channel] in
            state.pending -= 1
            return state.pending < limit ? Array(state.paused.values) : []
        }
        for listener in resume { sync(listener) }
    }

    /// Sets the listener's accepting to what the count says when the task runs, on its loop: a
    /// pause and a resume decided on two loops at once may be submitted in either order, and
    /// whichever runs last still applies the count in force, so the listener is never left
    /// paused with places free.
    private func sync(_ listener: any Channel) {
        listener.eventLoop.execute {
            let accepting = self.state.withLockedValue { state -> Bool in
                let accepting = state.pending < self.limit
                if accepting { state.paused[ObjectIdentifier(listener)] = nil }
                return accepting
            }
            guard listener.isActive else { return }
            listener.setOption(ChannelOptions.autoRead, value: accepting).whenFailure { _ in }
        }
    }

    /// One connection's place: given back once, at its registration or its close.
    final class Ticket: Sendable {
        private let gate: AdmissionGate
        private let used = NIOLockedValueBox(false)

        fileprivate init(gate: AdmissionGate) {
            self.gate = gate
        }

        func release() {
            let first = used.withLockedValue { used -> Bool in
                defer { used = true }
                return !used
            }
            if first { gate.leave() }
        }
    }
}
