package com.aegisx.ws.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TestClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The publisher client's errors are not answers: a command Redis refuses must reach the caller,
 * never pass for "nobody to send to". Before, {@code disconnectUser} counted every connection whose
 * disconnect failed as not asked, so a service whose Redis user may not command the nodes (an ACL
 * without their inboxes, as the README's {@code publisher} user) was told the user had 0 connections.
 */
class PublisherErrorsIT {

    private static final String PASSWORD = "reader-password-0123456789abcdef";

    @Test
    void disconnectUserFailsWhenRedisRefusesTheCommandInsteadOfCountingNobody() throws Exception {
        try (RedisFixture redis = RedisFixture.dedicated();
             TestCluster cluster = TestCluster.start(redis, 1, Map.of(), List.of())) {
            KeySchema keys = cluster.keys();
            TestClient alice = cluster.connectAs(0, "alice");
            // A malformed entry in the user index is no connection: it is skipped, not an error.
            cluster.redis().hset(keys.userConnections("alice"), "not-a-connection-id", cluster.node(0).nodeId());
            assertEquals(1, cluster.publisher().disconnectUser("alice", 4002, "first"), "alice's one socket");
            alice.awaitClose(java.time.Duration.ofSeconds(10));

            TestClient again = cluster.connectAs(0, "alice");
            // A service user that reads the indexes and publishes to channels, but may not reach the node inboxes.
            redis.sync().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8)
                    .add("SETUSER").add("reader").add("on").add(">" + PASSWORD).add("resetkeys").add("~" + keys.prefix() + ":*")
                    .add("resetchannels").add("&" + keys.prefix() + ":ch:*").add("-@all").add("+@read").add("+@connection")
                    .add("+publish").add("+info"));
            PublisherOptions options = PublisherOptions.builder().keyPrefix(keys.prefix()).build();
            try (WsPublisher reader = WsPublisher.connect("redis://reader:" + PASSWORD + "@" + redis.host() + ":"
                    + redis.port(), options)) {
                RedisCommandExecutionException refused = assertThrows(RedisCommandExecutionException.class,
                        () -> reader.disconnectUser("alice", 4002, "second"));
                assertTrue(refused.getMessage().startsWith("NOPERM"), refused.getMessage());
            }
            assertTrue(again.isOpen(), "nothing was disconnected, and the caller knows it");
        }
    }
}
