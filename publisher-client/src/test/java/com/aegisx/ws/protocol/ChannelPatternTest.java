package com.aegisx.ws.protocol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChannelPatternTest {

    @Test
    void wildcardsMatchOneSegmentOrTheRest() {
        ChannelPattern one = ChannelPattern.of("reports:*:live");
        assertTrue(one.matches("reports:42:live"));
        assertFalse(one.matches("reports:4:2:live"));
        assertTrue(ChannelPattern.of("reports:**").matches("reports:4:2:live"));
        assertTrue(ChannelPattern.of("reports:").matches("reports:x"));
        assertTrue(ChannelPattern.of("exact").matches("exact"));
        assertFalse(ChannelPattern.of("exact").matches("exact:more"));
    }

    @Test
    void onlyAFamilyInclusivePatternMatchesTheBareFamilyName() {
        assertFalse(ChannelPattern.of("admin:**").matches("admin"));
        assertFalse(ChannelPattern.of("admin:").matches("admin"));
        assertTrue(ChannelPattern.familyInclusive("admin:**").matches("admin"));
        assertTrue(ChannelPattern.familyInclusive("admin:").matches("admin"));
        assertTrue(ChannelPattern.familyInclusive("admin:**").matches("admin:x:y"));
        assertFalse(ChannelPattern.familyInclusive("admin:**").matches("administrator"));
        assertFalse(ChannelPattern.familyInclusive("a:*:**").matches("a"));
        assertNotEquals(ChannelPattern.of("admin:**"), ChannelPattern.familyInclusive("admin:**"));
    }

    @Test
    void badPatternsAreRefusedWithTheReason() {
        assertThrows(IllegalArgumentException.class, () -> ChannelPattern.of(" "));
        assertThrows(IllegalArgumentException.class, () -> ChannelPattern.familyInclusive("a{b}"));
        assertThrows(IllegalArgumentException.class, () -> ChannelPattern.of("a:***"));
    }
}
