package com.aegisx.ws.server.manager;

import com.aegisx.ws.client.AsyncWsPublisher;
import com.aegisx.ws.client.ConnectionInfo;
import com.aegisx.ws.client.Futures;
import com.aegisx.ws.client.WebSocketOperations;
import com.aegisx.ws.server.core.ConnectionHub;
import java.time.Duration;
import java.util.List;

/**
 * Test code: the spec's {@code websocketManager} as seen from one node, cluster-wide, with the
 * blocking signatures of {@link WebSocketOperations}. A node does not offer it (a blocking call on a
 * node thread would stall it); its routes use the asynchronous publisher. Writes go through Redis exactly as
 * the publisher client's do (the same code), so a broadcast made here reaches sockets on every node,
 * in the same order as one made by another service.
 */
public final class WebSocketManager implements WebSocketOperations {

    private final AsyncWsPublisher publisher;
    private final ConnectionHub hub;
    private final Duration timeout;

    public WebSocketManager(AsyncWsPublisher publisher, ConnectionHub hub, Duration timeout) {
        this.publisher = publisher;
        this.hub = hub;
        this.timeout = timeout;
    }

    /** The non-blocking forms of the same operations. */
    public AsyncWsPublisher async() {
        return publisher;
    }

    @Override
    public long broadcast(String channel, Object message) {
        return Futures.await(publisher.broadcast(channel, message), timeout);
    }

    @Override
    public long broadcast(String channel, Object message, String excludeConnection) {
        return Futures.await(publisher.broadcast(channel, message, excludeConnection), timeout);
    }

    @Override
    public long sendToUser(String userId, Object message) {
        return Futures.await(publisher.sendToUser(userId, message), timeout);
    }

    @Override
    public boolean sendToConnection(String connectionId, Object message) {
        return Futures.await(publisher.sendToConnection(connectionId, message), timeout);
    }

    @Override
    public boolean subscribeToChannel(String connectionId, String channel) {
        return Futures.await(publisher.subscribeToChannel(connectionId, channel), timeout);
    }

    @Override
    public boolean unsubscribeFromChannel(String connectionId, String channel) {
        return Futures.await(publisher.unsubscribeFromChannel(connectionId, channel), timeout);
    }

    @Override
    public List<ConnectionInfo> getConnectionsByChannel(String channel) {
        return Futures.await(publisher.getConnectionsByChannel(channel), timeout);
    }

    @Override
    public List<ConnectionInfo> getConnectionsByUser(String userId) {
        return Futures.await(publisher.getConnectionsByUser(userId), timeout);
    }

    @Override
    public long getActiveConnections() {
        return Futures.await(publisher.getActiveConnections(), timeout);
    }

    @Override
    public boolean disconnectConnection(String connectionId, int code, String reason) {
        return Futures.await(publisher.disconnectConnection(connectionId, code, reason), timeout);
    }

    @Override
    public int disconnectUser(String userId, int code, String reason) {
        return Futures.await(publisher.disconnectUser(userId, code, reason), timeout);
    }

    @Override
    public boolean isUserOnline(String userId) {
        return Futures.await(publisher.isUserOnline(userId), timeout);
    }

    @Override
    public long getOnlineUserCount() {
        return Futures.await(publisher.getOnlineUserCount(), timeout);
    }

    /** Sockets open on this node only. */
    public int getLocalConnections() {
        return hub.size();
    }

    /** Sweeps this node at once, then asks every other node to sweep and removes dead nodes' state. */
    @Override
    public void cleanupInactiveConnections() {
        hub.closeInactive(null);
        Futures.await(publisher.cleanupInactiveConnections(), timeout);
    }
}
