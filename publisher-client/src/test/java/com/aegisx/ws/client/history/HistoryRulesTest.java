package com.aegisx.ws.client.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HistoryRulesTest {

    @Test
    void theFirstMatchingRuleDecidesAndOffTurnsHistoryOff() {
        HistoryRules rules = HistoryRules.parse("prices:**=off; chat:*=500/24h ;news=10;**=5/90s");
        assertFalse(rules.hasHistory("prices:eur"));
        assertEquals(500, rules.forChannel("chat:lobby").orElseThrow().size());
        assertEquals(Duration.ofHours(24), rules.forChannel("chat:lobby").orElseThrow().ttl());
        assertEquals(Duration.ZERO, rules.forChannel("news").orElseThrow().ttl());
        assertEquals(5, rules.forChannel("chat:a:b").orElseThrow().size(), "* stays within one segment");
        assertEquals(Duration.ofSeconds(90), rules.forChannel("other").orElseThrow().ttl());
        assertEquals("prices:**=off;chat:*=500/1d;news=10;**=5/90s", rules.toString());
        assertEquals(rules.toString(), HistoryRules.parse(rules.toString()).toString());
    }

    @Test
    void reportAndNotificationChannelsHaveHistoryByDefault() {
        HistoryRules rules = HistoryRules.defaults();
        assertTrue(rules.hasHistory("reports:progress:r-1"));
        assertTrue(rules.hasHistory("reports:alerts"));
        assertTrue(rules.hasHistory("user:u-1:reports"));
        assertFalse(rules.hasHistory("reports:data:t-1"), "report data has its own stream");
        assertFalse(rules.hasHistory("news"));
        assertFalse(HistoryRules.parse("").hasHistory("news"));
    }

    @Test
    void badRulesAreRefusedWithEveryProblemNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HistoryRules.parse("a=0;b=x;c=5/3;d=5/0s;e{x}=5;f;g=" + (HistoryRules.MAX_SIZE + 1)));
        for (String name : new String[] {"'a=0'", "'b=x'", "'c=5/3'", "'d=5/0s'", "'e{x}=5'", "'f'", "'g="}) {
            assertTrue(e.getMessage().contains(name), name + " in " + e.getMessage());
        }
    }
}
