package com.aegisx.ws.server.jetty;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.ee10.websocket.jakarta.common.encoders.AvailableEncoders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empties the list of built-in encoders Jetty's jakarta session makes for every socket: 19
 * {@code RegisteredEncoder}s in a {@code LinkedList}, about 1 KiB of heap per idle socket (a class
 * histogram at 5,000 sockets: 95,000 encoders and 95,000 list nodes). They serve only
 * {@code sendObject}; this node writes text frames through {@link OutboundWriter} and never calls it
 * on a client socket.
 *
 * <p>{@code AvailableEncoders} has no public way to drop them (its decoder twin is iterable, see
 * {@code WsEndpoint.dropUnusedDecoders}), so its private list is reached once through a
 * {@link VarHandle}; {@code JettyInternalsIT} pins the field. On a Jetty without it the socket works
 * the same and only keeps the list (logged once).
 */
final class BuiltInEncoders {

    private static final Logger log = LoggerFactory.getLogger(BuiltInEncoders.class);
    private static final VarHandle LIST = find();

    private BuiltInEncoders() {
    }

    private static VarHandle find() {
        try {
            return MethodHandles.privateLookupIn(AvailableEncoders.class, MethodHandles.lookup())
                    .findVarHandle(AvailableEncoders.class, "registeredEncoders", java.util.LinkedList.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.info("Jetty's built-in jakarta encoders stay with each socket (~1 KiB): {}", e.toString());
            return null;
        }
    }

    /** True when this Jetty's encoder list can be emptied (tests pin it). */
    static boolean supported() {
        return LIST != null;
    }

    /** Empties the session's encoder list; the socket must never {@code sendObject}. */
    static void drop(JakartaWebSocketSession session) {
        if (LIST != null) {
            ((List<?>) LIST.get(session.getEncoders())).clear();
        }
    }

    /** How many encoders the session still holds (tests); -1 when this Jetty's list cannot be read. */
    static int count(JakartaWebSocketSession session) {
        return LIST == null ? -1 : ((List<?>) LIST.get(session.getEncoders())).size();
    }
}
