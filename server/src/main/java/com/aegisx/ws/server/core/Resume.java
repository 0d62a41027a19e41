package com.aegisx.ws.server.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * Port: resume on any node ({@code history/ResumeService}). {@code welcome} carries the token
 * {@link #issue} gave the connection ({@link LocalConnection#issueResumeToken}); {@code resume}
 * brings an old connection's channels back.
 */
public interface Resume {

    /** Gives the connection its token, before {@code welcome}. */
    void issue(LocalConnection connection);

    /** The socket closed (or its node drains): keep what a resume needs. */
    CompletableFuture<Void> closed(LocalConnection connection);

    /** Handles a client's {@code resume} message. */
    void resume(LocalConnection connection, ObjectNode message, JsonNode id);
}
