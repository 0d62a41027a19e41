package com.aegisx.ws.server.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The least rights a node needs, as the README's "Redis ACLs" section and {@code docker/compose.yaml}
 * give them, for a key prefix: its keys and pub/sub channels, the data, pub/sub, scripting and
 * connection commands, nothing dangerous; on a Redis Cluster also CLUSTER NODES, which Lettuce reads
 * to follow the slot map (its INFO requests for client counts may fail: it does without). The TLS
 * ITs run the nodes as such a user, so a right the code needs and the README does not grant fails
 * a test.
 */
public final class NodeAcl {

    public static final String USER = "ws-node";

    private NodeAcl() {
    }

    /** ACL rules of the node user on a standalone or Sentinel-managed Redis. */
    public static List<String> rules(String prefix) {
        return List.of("resetkeys", "~" + prefix + ":*", "resetchannels", "&" + prefix + ":*", "-@all", "+@read",
                "+@write", "+@keyspace", "+@pubsub", "+@scripting", "+@connection", "+time", "-@dangerous");
    }

    /** The same plus what a node on a Redis Cluster reads to follow the slot map (nothing more is needed). */
    public static List<String> clusterRules(String prefix) {
        List<String> rules = new ArrayList<>(rules(prefix));
        rules.addAll(List.of("+cluster|nodes"));
        return rules;
    }

    /** {@code redis-server} arguments that create the user: {@code --user NAME on >PASSWORD RULES...}. */
    public static List<String> serverArgs(String password, List<String> rules) {
        List<String> args = new ArrayList<>(List.of("--user", USER, "on", ">" + password));
        args.addAll(rules);
        return args;
    }
}
