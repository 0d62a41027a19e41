package com.aegisx.ws.load;

/**
 * Loss detection for one receiver from the sequence numbers of one ordered stream (a channel's
 * messages keep their order on a socket, so any jump is a loss). Updated by the one thread that
 * delivers this socket's frames; read after the stream has drained.
 */
public final class SequenceTracker {

    private long next;
    private volatile long received;
    private long gaps;
    private long duplicates;

    public SequenceTracker() {
        this(0);
    }

    /** {@code firstSeq}: the first sequence number this receiver is meant to see. */
    public SequenceTracker(long firstSeq) {
        this.next = firstSeq;
    }

    public void accept(long seq) {
        received++;
        if (seq == next) {
            next = seq + 1;
        } else if (seq > next) {
            gaps += seq - next;
            next = seq + 1;
        } else {
            duplicates++;
        }
    }

    /** Messages received (including duplicates). */
    public long received() {
        return received;
    }

    /** Sequence numbers skipped over so far (lost in the middle of the stream). */
    public long gaps() {
        return gaps;
    }

    /** Messages at or below a number already seen (duplicated or reordered). */
    public long duplicates() {
        return duplicates;
    }

    /** The next sequence number expected. */
    public long next() {
        return next;
    }

    /** Lost given that {@code lastPublished} was the last number sent: gaps plus the missing tail. */
    public long lost(long lastPublished) {
        return gaps + Math.max(0, lastPublished + 1 - next);
    }
}
