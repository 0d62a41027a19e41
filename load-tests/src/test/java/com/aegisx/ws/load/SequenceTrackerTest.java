package com.aegisx.ws.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SequenceTrackerTest {

    @Test
    void inOrderStreamLosesNothing() {
        SequenceTracker t = new SequenceTracker();
        for (long i = 0; i < 100; i++) {
            t.accept(i);
        }
        assertEquals(100, t.received());
        assertEquals(0, t.lost(99));
        assertEquals(0, t.duplicates());
    }

    @Test
    void gapsInTheMiddleCountAsLoss() {
        SequenceTracker t = new SequenceTracker();
        for (long seq : new long[] {0, 1, 4, 5, 9}) {
            t.accept(seq);
        }
        assertEquals(5, t.received());
        assertEquals(2 + 3, t.gaps());
        assertEquals(5, t.lost(9));
    }

    @Test
    void missingTailCountsAsLoss() {
        SequenceTracker t = new SequenceTracker();
        t.accept(0);
        t.accept(1);
        assertEquals(8, t.lost(9));
    }

    @Test
    void nothingReceivedLosesEverything() {
        assertEquals(10, new SequenceTracker(0).lost(9));
        assertEquals(10, new SequenceTracker(50).lost(59));
    }

    @Test
    void missingHeadOfAStepCountsFromItsFirstNumber() {
        SequenceTracker t = new SequenceTracker(100);
        t.accept(103);
        t.accept(104);
        assertEquals(3, t.lost(104));
    }

    @Test
    void duplicatesAndReorderingAreCountedNotLost() {
        SequenceTracker t = new SequenceTracker();
        t.accept(0);
        t.accept(1);
        t.accept(1);
        t.accept(0);
        t.accept(2);
        assertEquals(5, t.received());
        assertEquals(2, t.duplicates());
        assertEquals(0, t.lost(2));
    }
}
