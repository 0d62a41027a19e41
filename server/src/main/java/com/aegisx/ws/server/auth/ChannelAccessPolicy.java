package com.aegisx.ws.server.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether an {@link Identity} may subscribe to, or publish on, a channel. Rules are tried in
 * order and the first whose pattern matches decides; a channel no rule matches is refused (fail
 * closed), so a custom rule set without a catch-all denies everything it does not name.
 *
 * <h2>Defaults</h2>
 * {@value #DEFAULT_RULES}: the spec's two examples, made strict. A user channel
 * ({@code user:<id>} or {@code user:<id>:...}) is only for that user (and admins); an admin channel
 * only for the {@code admin} role; everything else is public. Client publishing is denied everywhere
 * until a rule grants it.
 *
 * <h2>CHANNEL_RULES grammar</h2>
 * <pre>
 * rules   = rule *( ";" rule )          ; a newline also separates rules; empty entries are ignored
 * rule    = pattern "=" access [ "/" access ]
 *                                       ; first access: SUBSCRIBE; second: PUBLISH (default: deny)
 * pattern = channel name with * (one or more chars of one segment, no ':') and ** (the rest);
 *           a trailing ':' means a prefix ("admin:" = "admin:**"); no wildcard: that exact channel
 * access  = "public" | "authenticated" | "owner" | "owner_or_admin" | "deny"
 *         | "role:" name *( "|" name )  ; any one of the roles suffices
 * </pre>
 * Whitespace around the parts is ignored, keywords are case-insensitive, patterns and role names
 * are not. {@code owner} compares the channel's second segment with the user id, so it is meant for
 * patterns like {@code user:**} or {@code inbox:**}; {@code owner_or_admin} also admits the
 * {@value Access#ADMIN_ROLE} role. The variable <em>replaces</em> the defaults: restate
 * {@code user:**=owner_or_admin} and {@code admin:**=role:admin} if you still want them.
 * Example: {@code user:**=owner_or_admin; admin:**=role:admin; reports:**=authenticated;
 * chat:*=authenticated/authenticated; **=public}.
 *
 * <p>Invalid text (unknown access word, bad pattern, a rule that can never apply because an earlier
 * {@code **} or the same pattern catches everything first) is refused as a whole at startup.
 *
 * <h2>Refusals</h2>
 * An anonymous identity refused by a rule a token could satisfy gets {@code auth_required}
 * ("Authentication required for user channels"); a known identity lacking the right gets
 * {@code forbidden} ("Insufficient permissions for admin channels"). The message names only the
 * channel's first segment, not the full name.
 */
public final class ChannelAccessPolicy {

    public static final String DEFAULT_RULES = "user:**=owner_or_admin;admin:**=role:admin;**=public";

    /** Longest channel family echoed in a refusal message; names are validated elsewhere, this is belt and braces. */
    private static final int MAX_FAMILY_IN_MESSAGE = 64;

    private static final ChannelAccessPolicy DEFAULTS = parse(DEFAULT_RULES);

    private final List<ChannelRule> rules;

    public ChannelAccessPolicy(List<ChannelRule> rules) {
        this.rules = List.copyOf(Objects.requireNonNull(rules, "rules"));
    }

    /** The strict spec rules, {@value #DEFAULT_RULES}. */
    public static ChannelAccessPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * Parses the CHANNEL_RULES text.
     *
     * @throws IllegalArgumentException listing every problem, separated by "; "
     */
    public static ChannelAccessPolicy parse(String text) {
        List<String> problems = new ArrayList<>();
        ChannelAccessPolicy policy = parse(text, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return policy;
    }

    /** Parses, adding each problem to {@code problems}; the result holds only the valid rules. */
    static ChannelAccessPolicy parse(String text, List<String> problems) {
        List<ChannelRule> rules = new ArrayList<>();
        if (text == null || text.isBlank()) {
            problems.add("defines no rules");
            return new ChannelAccessPolicy(rules);
        }
        String[] entries = text.split("[;\\n\\r]");
        int number = 0;
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            number++;
            try {
                ChannelRule rule = parseRule(entry);
                for (ChannelRule earlier : rules) {
                    if (earlier.matchesEverything() || earlier.pattern().equals(rule.pattern())) {
                        throw new IllegalArgumentException("can never apply: the earlier rule '"
                                + earlier + "' matches every channel it would");
                    }
                }
                rules.add(rule);
            } catch (IllegalArgumentException e) {
                problems.add("rule " + number + " '" + entry + "': " + e.getMessage());
            }
        }
        if (number == 0) {
            problems.add("defines no rules");
        }
        return new ChannelAccessPolicy(rules);
    }

    private static ChannelRule parseRule(String entry) {
        int eq = entry.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("expected <pattern>=<access>[/<publish access>]");
        }
        String pattern = entry.substring(0, eq).trim();
        String[] access = entry.substring(eq + 1).split("/", -1);
        if (access.length > 2) {
            throw new IllegalArgumentException("at most two access levels (subscribe/publish)");
        }
        Access subscribe = Access.parse(access[0]);
        Access publish = access.length == 2 ? Access.parse(access[1]) : Access.DENY;
        return new ChannelRule(pattern, subscribe, publish);
    }

    public List<ChannelRule> rules() {
        return rules;
    }

    /** The rule that decides for this channel, if any. */
    public Optional<ChannelRule> ruleFor(String channel) {
        for (ChannelRule rule : rules) {
            if (rule.matches(channel)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    public AccessDecision canSubscribe(Identity identity, String channel) {
        return check(identity, channel, ChannelOperation.SUBSCRIBE);
    }

    public AccessDecision canPublish(Identity identity, String channel) {
        return check(identity, channel, ChannelOperation.PUBLISH);
    }

    /**
     * @param identity the connection's identity; {@code null} is treated as anonymous
     * @param channel  a syntactically valid channel name (validated by the caller)
     */
    public AccessDecision check(Identity identity, String channel, ChannelOperation operation) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(operation, "operation");
        Identity who = identity == null ? Identity.anonymous() : identity;
        String family = family(channel);
        Optional<ChannelRule> rule = ruleFor(channel);
        if (rule.isEmpty()) {
            return AccessDecision.forbidden("No access rule allows " + verb(operation) + " " + family + " channels");
        }
        Access access = rule.get().access(operation);
        switch (access.level()) {
            case PUBLIC:
                return AccessDecision.allow();
            case DENY:
                return AccessDecision.forbidden(capitalize(verb(operation)) + " " + family
                        + " channels is not allowed");
            default:
                break;
        }
        if (who.isAnonymous()) {
            return AccessDecision.authRequired("Authentication required for " + family + " channels");
        }
        boolean granted;
        switch (access.level()) {
            case AUTHENTICATED:
                granted = true;
                break;
            case OWNER:
                granted = isOwner(who, channel);
                break;
            case OWNER_OR_ADMIN:
                granted = isOwner(who, channel) || who.hasRole(Access.ADMIN_ROLE);
                break;
            case ROLE:
                granted = access.roles().stream().anyMatch(who::hasRole);
                break;
            default:
                granted = false;
        }
        return granted ? AccessDecision.allow()
                : AccessDecision.forbidden("Insufficient permissions for " + family + " channels");
    }

    /**
     * The owner of {@code prefix:<id>} and {@code prefix:<id>:...} is {@code <id>}. Compared exactly:
     * user ids with ':' are refused at token verification, so no id can reach into another's channels.
     */
    static boolean isOwner(Identity identity, String channel) {
        int first = channel.indexOf(':');
        if (first < 0 || identity.userId() == null) {
            return false;
        }
        int second = channel.indexOf(':', first + 1);
        String segment = second < 0 ? channel.substring(first + 1) : channel.substring(first + 1, second);
        return segment.equals(identity.userId());
    }

    private static String family(String channel) {
        int colon = channel.indexOf(':');
        String family = colon < 0 ? channel : channel.substring(0, colon);
        return family.length() > MAX_FAMILY_IN_MESSAGE ? family.substring(0, MAX_FAMILY_IN_MESSAGE) : family;
    }

    private static String verb(ChannelOperation operation) {
        return operation == ChannelOperation.PUBLISH ? "publishing to" : "subscribing to";
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** The rules in CHANNEL_RULES syntax, for the startup log. */
    @Override
    public String toString() {
        return String.join(";", rules.stream().map(ChannelRule::toString).toList());
    }
}
