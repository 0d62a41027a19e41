package com.aegisx.ws.server.core;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.auth.AuthSettings;
import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.auth.JwtAuthenticator;
import com.aegisx.ws.server.security.SecuritySettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Token-expiry timers exist only for tokens whose warning is due within the horizon. */
class ExpiryTimersTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AuthSettings auth = AuthSettings.defaults();
    private final ConnectionGuard guard = new ConnectionGuard(SecuritySettings.defaults(),
            new JwtAuthenticator(auth), auth.channelPolicy(), scheduler, null);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private static LocalConnection socket(Instant expiresAt) {
        return new LocalConnection("ws_t", "main", new FakeOutbound(), new Identity("u1", Set.of(), expiresAt),
                "127.0.0.1", "");
    }

    @Test
    void aLongLivedTokenHasNoTimerUntilItsWarningComesWithinTheHorizon() {
        LocalConnection later = socket(Instant.now().plus(Duration.ofHours(2)));
        guard.opened(later);
        assertNull(later.expiryTimer(), "no scheduled task per socket for a token that ends in hours");
        guard.armDueTimers(List.of(later));
        assertNull(later.expiryTimer());

        LocalConnection soon = socket(Instant.now().plus(ConnectionGuard.TIMER_HORIZON.dividedBy(2)));
        guard.armDueTimers(List.of(soon));
        assertNotNull(soon.expiryTimer(), "the periodic pass arms it once it is due within the horizon");
        long delay = soon.expiryTimer().getDelay(TimeUnit.MILLISECONDS);
        long expected = ConnectionGuard.TIMER_HORIZON.dividedBy(2).toMillis()
                - SecuritySettings.defaults().expiryWarning().toMillis();
        assertTrue(Math.abs(delay - expected) < 5_000, "fires at the warning time: " + delay + " vs " + expected);
    }

    @Test
    void aTokenEndingSoonGetsItsTimerAtOnceAndClosingCancelsIt() {
        LocalConnection soon = socket(Instant.now().plus(Duration.ofMinutes(3)));
        guard.opened(soon);
        assertNotNull(soon.expiryTimer());
        guard.closed(soon);
        assertNull(soon.expiryTimer());
    }

    @Test
    void noExpiryNoTimer() {
        LocalConnection forever = socket(null);
        guard.opened(forever);
        guard.armDueTimers(List.of(forever));
        assertNull(forever.expiryTimer());
    }
}
