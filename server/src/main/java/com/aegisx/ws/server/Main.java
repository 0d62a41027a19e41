package com.aegisx.ws.server;

import com.aegisx.ws.server.config.env.ConfigException;
import com.aegisx.ws.server.config.ServerConfig;
import com.aegisx.ws.server.logging.ConnectionLog;
import com.aegisx.ws.server.quickstart.LocalRedis;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts one node from environment variables (see the README's configuration table). */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        Map<String, String> env = new HashMap<>(System.getenv());
        try {
            ServerConfig config = ServerConfig.fromEnv(env);
            LocalRedis localRedis = null;
            if (config.redisUrl() == null) {
                localRedis = LocalRedis.findOrStart();
                env.put("REDIS_URL", localRedis.url());
                env.put("NODE_ID", config.nodeId());
                config = ServerConfig.fromEnv(env);
            }
            // Every line of this process names its node (LOG_FORMAT=json: context.properties.nodeId).
            if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
                logback.putProperty(ConnectionLog.NODE_ID, config.nodeId());
            }
            WsNode node = WsNode.start(config, Routes.extra());
            LocalRedis redisToStop = localRedis;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                node.close();
                if (redisToStop != null) {
                    redisToStop.close();
                }
            }, "ws-shutdown"));
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            log.error("Node failed to start", e);
            System.exit(1);
        }
    }
}
