package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerimeterPoliciesTest {

    @Test
    void originDefaultIsSameHost() {
        OriginPolicy policy = OriginPolicy.parse(List.of(), p -> { throw new AssertionError(p); });
        assertTrue(policy.allows(null, "ws.example:443"));
        assertTrue(policy.allows("https://ws.example", "ws.example"));
        assertTrue(policy.allows("http://ws.example:8080", "ws.example:8080"));
        assertFalse(policy.allows("https://evil.example", "ws.example"));
        assertFalse(policy.allows("null", "ws.example"));
        assertFalse(policy.allows("https://ws.example", null));
    }

    @Test
    void originListWithWildcards() {
        List<String> problems = new ArrayList<>();
        OriginPolicy policy = OriginPolicy.parse(List.of("https://app.example", "https://*.erp.example", "nonsense"),
                problems::add);
        assertEquals(1, problems.size());
        assertTrue(policy.allows("https://app.example:443", "other"));
        assertTrue(policy.allows("https://a.b.erp.example", "other"));
        assertFalse(policy.allows("https://erp.example", "other"));
        assertFalse(policy.allows("https://xerp.example", "other"));
        assertFalse(policy.allows("http://app.example", "app.example:443"), "a list replaces same-host");
    }

    @Test
    void forwardedForIsOnlyBelievedFromTrustedProxies() {
        TrustedProxies none = TrustedProxies.none();
        assertEquals("10.0.0.5", none.clientAddress("10.0.0.5", List.of("1.2.3.4")));
        TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8", "::1"), p -> { throw new AssertionError(p); });
        assertEquals("1.2.3.4", proxies.clientAddress("10.0.0.5", List.of("1.2.3.4")));
        assertEquals("1.2.3.4", proxies.clientAddress("10.0.0.5", List.of("6.6.6.6, 1.2.3.4, 10.9.9.9")));
        assertEquals("1.2.3.4", proxies.clientAddress("::1", List.of("6.6.6.6", "1.2.3.4")));
        assertEquals("10.0.0.5", proxies.clientAddress("10.0.0.5", List.of("garbage")));
        assertEquals("8.8.8.8", proxies.clientAddress("8.8.8.8", List.of("1.2.3.4")), "untrusted peer");
        List<String> problems = new ArrayList<>();
        TrustedProxies.parse(List.of("10.0.0.0/33", "example.com"), problems::add);
        assertEquals(2, problems.size(), "no DNS names, no bad masks");
    }

    @Test
    void tokenBucketAllowsTheBurstThenTheRate() {
        TokenBucket bucket = new TokenBucket(10, 3, 0);
        assertTrue(bucket.tryTake(0));
        assertTrue(bucket.tryTake(0));
        assertTrue(bucket.tryTake(0));
        assertFalse(bucket.tryTake(0));
        assertFalse(bucket.tryTake(50_000_000));
        assertEquals(2, bucket.refusedInRow());
        assertTrue(bucket.tryTake(100_000_000), "one token after 100 ms at 10/s");
        assertEquals(0, bucket.refusedInRow());
    }

    @Test
    void refusalsAreCountedOverASlidingWindowNotInARow() {
        long second = 1_000_000_000L;
        TokenBucket bucket = new TokenBucket(1, 1, 0);
        long now = 0;
        assertTrue(bucket.tryTake(now));
        // Paced: one refusal, then an admitted message, again and again. Tolerance 3 in 10 s.
        for (int i = 0; i < 3; i++) {
            assertFalse(bucket.tryTake(now));
            assertFalse(bucket.refusalsExceed(3, 10 * second, now), "refusal " + (i + 1));
            now += second;
            assertTrue(bucket.tryTake(now));
        }
        assertFalse(bucket.tryTake(now));
        assertTrue(bucket.refusalsExceed(3, 10 * second, now), "the 4th refusal within 10 s exceeds 3");
        // Spread wider than the window, the same number is tolerated.
        TokenBucket slow = new TokenBucket(1, 1, 0);
        for (int i = 0; i < 10; i++) {
            long t = i * 4 * second;
            assertTrue(slow.tryTake(t));
            assertFalse(slow.tryTake(t));
            assertFalse(slow.refusalsExceed(3, 10 * second, t), "refusal " + i + " at " + 4 * i + " s");
        }
    }
}
