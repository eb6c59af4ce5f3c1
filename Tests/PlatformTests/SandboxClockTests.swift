import Testing

@testable import PlatformSandbox

@Suite struct SandboxClockTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000Z"),
        (1_447_247_157_457_742, "2015-11-11T13:05:57.457742Z"),
        (951_868_799_999_999, "2000-02-29T23:59:59.999999Z"),
        (1_709_164_800_000_001, "2024-02-29T00:00:00.000001Z"),
        (4_102_444_799_123_456, "2099-12-31T23:59:59.123456Z"),
    ])
    func timestampsUseThePlatformsFormat(micros: Int64, expected: String) {
        #expect(MicrosecondClock.format(micros) == expected)
    }
}
