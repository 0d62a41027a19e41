package com.aegisx.ws.server.auth;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One access level of a {@link ChannelRule}, as written in CHANNEL_RULES:
 * <ul>
 *   <li>{@code public}: anyone, anonymous connections included;</li>
 *   <li>{@code authenticated}: any connection with a verified token;</li>
 *   <li>{@code owner}: only the user whose id is the channel's second segment
 *       ({@code user:<id>} and {@code user:<id>:...});</li>
 *   <li>{@code owner_or_admin}: the owner, or a holder of the {@value #ADMIN_ROLE} role;</li>
 *   <li>{@code role:<name>} or {@code role:<a>|<b>}: holders of any of the listed roles;</li>
 *   <li>{@code deny}: nobody.</li>
 * </ul>
 *
 * @param level the kind of check
 * @param roles the roles for {@link Level#ROLE} (any one suffices); empty for the other levels
 */
public record Access(Level level, Set<String> roles) {

    /** The role that {@code owner_or_admin} lets through, as in the spec's admin example. */
    public static final String ADMIN_ROLE = "admin";

    public static final Access PUBLIC = new Access(Level.PUBLIC, Set.of());
    public static final Access AUTHENTICATED = new Access(Level.AUTHENTICATED, Set.of());
    public static final Access OWNER = new Access(Level.OWNER, Set.of());
    public static final Access OWNER_OR_ADMIN = new Access(Level.OWNER_OR_ADMIN, Set.of());
    public static final Access DENY = new Access(Level.DENY, Set.of());

    /** Role names: no separators of the rule grammar, no whitespace. */
    private static final Pattern ROLE_NAME = Pattern.compile("[^\\s;=/|,]+");

    public enum Level { PUBLIC, AUTHENTICATED, OWNER, OWNER_OR_ADMIN, ROLE, DENY }

    public Access {
        Objects.requireNonNull(level, "level");
        // Insertion order kept so the rule prints back the way it was written.
        roles = roles == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(roles));
        if (level == Level.ROLE && roles.isEmpty()) {
            throw new IllegalArgumentException("role access needs at least one role");
        }
        if (level != Level.ROLE && !roles.isEmpty()) {
            throw new IllegalArgumentException(level + " access takes no roles");
        }
    }

    /** Holders of any of these roles. */
    public static Access role(String... roles) {
        for (String role : roles) {
            if (role == null || !ROLE_NAME.matcher(role).matches()) {
                throw new IllegalArgumentException("invalid role name '" + role + "'");
            }
        }
        return new Access(Level.ROLE, new LinkedHashSet<>(Arrays.asList(roles)));
    }

    /**
     * Parses one access word of the CHANNEL_RULES grammar (case-insensitive keywords, role names
     * case-sensitive).
     *
     * @throws IllegalArgumentException naming the bad word
     */
    public static Access parse(String text) {
        String word = text == null ? "" : text.trim();
        String lower = word.toLowerCase();
        switch (lower) {
            case "public": return PUBLIC;
            case "authenticated": return AUTHENTICATED;
            case "owner": return OWNER;
            case "owner_or_admin": return OWNER_OR_ADMIN;
            case "deny": return DENY;
            default:
                break;
        }
        if (lower.startsWith("role:")) {
            String list = word.substring("role:".length());
            if (list.isEmpty()) {
                throw new IllegalArgumentException("access 'role:' needs a role name");
            }
            return role(list.split("\\|", -1));
        }
        throw new IllegalArgumentException("unknown access '" + word
                + "' (expected public, authenticated, owner, owner_or_admin, role:<name> or deny)");
    }

    /** The CHANNEL_RULES spelling, so rules can be logged at startup and round-tripped. */
    @Override
    public String toString() {
        return level == Level.ROLE ? "role:" + String.join("|", roles) : level.name().toLowerCase();
    }
}
