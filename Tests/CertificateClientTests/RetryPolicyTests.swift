import Foundation
import Testing

@testable import CertificateClient

@Suite struct RetryPolicyTests {
    @Test func fullJitterStaysUnderTheExponentialCeiling() {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: 0.1, maxDelay: 2)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, random: 1) == 0.1)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, random: 1) == 0.4)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, random: 0.5) == 0.2)
        #expect(policy.delay(afterAttempt: 10, retryAfter: nil, random: 1) == 2)
        #expect(policy.delay(afterAttempt: 2, retryAfter: nil, random: 0) == 0)
    }

    @Test func retryAfterIsHonouredUpToTheCap() {
        let policy = RetryPolicy(baseDelay: 0.1, maxDelay: 5)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 3, random: 0) == 3)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 60, random: 0) == 5)
    }

    @Test func retryAfterParsing() {
        #expect(RetryPolicy.retryAfter("2") == 2)
        #expect(RetryPolicy.retryAfter(" 0 ") == 0)
        #expect(RetryPolicy.retryAfter(nil) == nil)
        #expect(RetryPolicy.retryAfter("soon") == nil)
        #expect(RetryPolicy.retryAfter("-1") == nil)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RetryPolicy.retryAfter("Tue, 14 Nov 2023 22:13:30 GMT", now: now) == 10)
    }

    @Test(arguments: [(429, true), (502, true), (503, true), (504, true), (500, false), (400, false), (409, false)])
    func retryableStatuses(status: Int, retryable: Bool) {
        #expect(RetryPolicy.isRetryable(status: status) == retryable)
    }
}
