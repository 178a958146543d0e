import ClassbookDomain
import ClassbookStore
import ClassbookTestSupport
import Foundation
import Testing

extension CrashTests {
    @Test(
        """
        nodes killed while teachers write: the node left serving the store dispatches what they left, and \
        every saved remark is told to each guardian once
        """
    )
    func killOneOfTwoNodes() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let teacher = try school.credential { $0.roles.contains(.classTeacher) }
        let (className, pupil) = try await Self.classAndPupil(of: teacher, in: school)
        // The survivor runs its jobs every second (undispatched events among them); the other none.
        let (survivor, _, _) = try await Self.start(school, settings: "", jobInterval: 1)
        defer { Self.kill(survivor) }
        // Three nodes that will be killed, three devices of the teacher writing on each: the kills
        // find writes between their commit and their notifications' dispatch.
        var victims: [ChildProcess.Spawned] = []
        var clients: [IRCTestClient] = []
        for node in 0..<3 {
            let (victim, port, _) = try await Self.start(
                school, settings: "flood-burst: 100000\nflood-rate: 100000\nmax-sessions-per-account: 20\n")
            victims.append(victim)
            clients += try await Self.devices(3, of: teacher, port: port, nick: "v\(node)x")
        }
        let progress = WriteProgress()
        let killer = Task {
            try await progress.wait(forAll: clients.count, then: .milliseconds(300))
            for victim in victims { victim.kill() }
            for victim in victims { Self.kill(victim) }
        }
        let written = await Self.writeRemarks(
            clients, className: className, pupil: pupil, prefix: "crash-n", progress: progress
        ).flatMap { $0 }.count
        _ = try? await killer.value
        for client in clients { await client.close() }
        #expect(written > 0)
        let left = try await Self.undispatched(school)
        #expect(try await Self.dispatched(school), "the survivor did not dispatch the \(left) events the kill left")
        let texts = Set(
            try await school.withStore { try await $0.strings("SELECT text FROM remarks WHERE text LIKE 'crash-n-%'") })
        #expect(texts.count >= written)
        let told = try await Self.told(texts, about: pupil, in: school)
        #expect(told.values.first?.isEmpty == false, "the pupil has guardians to tell")
        let wrong = told.filter { $0.value.values.contains { $0 != 1 } }
        #expect(wrong.isEmpty, "remarks not told once to each guardian: \(wrong.sorted { $0.key < $1.key })")
    }
}
