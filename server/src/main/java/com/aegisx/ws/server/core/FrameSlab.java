package com.aegisx.ws.server.core;

import java.nio.ByteBuffer;

/**
 * Direct memory for shared frames, carved from slabs: one {@code allocateDirect} per
 * {@value #SLAB_BYTES} bytes of frames instead of one per message.
 *
 * <p>Why direct at all: a frame written to many sockets from a heap buffer is copied by the JDK
 * into a temporary direct buffer on every socket write; built once in direct memory it is copied
 * once per node. Why slabs: each {@code allocateDirect} takes a global reservation, registers a
 * {@code Cleaner}, and its memory returns only when the GC finds the buffer unreachable; per
 * message that was a Cleaner and a GC-tracked native block per broadcast. A slab is a few hundred
 * KiB sliced into frames (each slice an independent read-only-used view); it is freed, by the GC,
 * once no frame of it is still queued anywhere. Not pooled for reuse: a frame's last reader is the
 * last socket flusher to write it, which the core does not see, and reusing memory a slow socket
 * may still read would send it garbage. The price is that a frame still queued at a slow socket
 * keeps its whole slab alive (bounded by WEBSOCKET_MAX_OUTBOUND_BYTES per socket).
 *
 * <p>One per dispatch worker thread: not thread-safe.
 */
final class FrameSlab {

    static final int SLAB_BYTES = 256 * 1024;
    /** Larger frames get a buffer of their own, so a slab is never mostly wasted. */
    static final int MAX_SLICED_BYTES = SLAB_BYTES / 8;

    private ByteBuffer slab;

    /** A direct buffer holding exactly {@code utf8}, positioned at 0. */
    ByteBuffer frame(byte[] utf8) {
        int length = utf8.length;
        if (length > MAX_SLICED_BYTES) {
            return ByteBuffer.allocateDirect(length).put(utf8).flip();
        }
        if (slab == null || slab.remaining() < length) {
            slab = ByteBuffer.allocateDirect(SLAB_BYTES);
        }
        int start = slab.position();
        slab.put(utf8);
        return slab.slice(start, length);
    }
}
