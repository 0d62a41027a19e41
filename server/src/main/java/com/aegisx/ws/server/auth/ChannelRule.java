package com.aegisx.ws.server.auth;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One line of the channel policy: a channel pattern and who may subscribe to / publish on the
 * channels it matches. See {@link ChannelAccessPolicy} for the text grammar.
 *
 * <p>Pattern syntax (channel names are case-sensitive, and so are patterns):
 * <ul>
 *   <li>{@code *} matches one or more characters other than {@code :}, i.e. (part of) one segment;</li>
 *   <li>{@code **} matches the rest: zero or more characters of any kind, {@code :} included;</li>
 *   <li>a pattern ending in {@code :} is a prefix: {@code admin:} means {@code admin:**};</li>
 *   <li>a family pattern ({@code admin:**}, {@code admin:}) also matches the bare family name
 *       {@code admin}: otherwise the bare name fell through to a later, looser rule (an anonymous
 *       client could subscribe to {@code admin} under {@code **=public});</li>
 *   <li>any other pattern without wildcards matches exactly that one channel name.</li>
 * </ul>
 */
public final class ChannelRule {

    /** Characters a pattern may not contain: the rule grammar's separators, braces (hash tags), blanks. */
    private static final Pattern FORBIDDEN_PATTERN_CHARS = Pattern.compile("[\\s;={}\\p{Cntrl}]");

    private final String pattern;
    private final Access subscribe;
    private final Access publish;
    private final Pattern regex;

    public ChannelRule(String pattern, Access subscribe, Access publish) {
        this.pattern = validatePattern(pattern);
        this.subscribe = Objects.requireNonNull(subscribe, "subscribe");
        this.publish = Objects.requireNonNull(publish, "publish");
        this.regex = compile(this.pattern);
    }

    /** A rule for subscribing only; publishing on matching channels is denied. */
    public static ChannelRule of(String pattern, Access subscribe) {
        return new ChannelRule(pattern, subscribe, Access.DENY);
    }

    public static ChannelRule of(String pattern, Access subscribe, Access publish) {
        return new ChannelRule(pattern, subscribe, publish);
    }

    public String pattern() {
        return pattern;
    }

    public Access subscribe() {
        return subscribe;
    }

    public Access publish() {
        return publish;
    }

    public Access access(ChannelOperation operation) {
        return operation == ChannelOperation.PUBLISH ? publish : subscribe;
    }

    public boolean matches(String channel) {
        return channel != null && regex.matcher(channel).matches();
    }

    /** True for {@code **}: it matches every channel, so no rule after it can ever apply. */
    boolean matchesEverything() {
        return pattern.equals("**");
    }

    /** The CHANNEL_RULES spelling; {@code /publish} is left out when publishing is denied. */
    @Override
    public String toString() {
        return pattern + "=" + subscribe + (publish.level() == Access.Level.DENY ? "" : "/" + publish);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelRule r && r.pattern.equals(pattern) && r.subscribe.equals(subscribe)
                && r.publish.equals(publish);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pattern, subscribe, publish);
    }

    private static String validatePattern(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("empty channel pattern");
        }
        if (FORBIDDEN_PATTERN_CHARS.matcher(pattern).find()) {
            throw new IllegalArgumentException("channel pattern '" + pattern
                    + "' contains whitespace, a control character or one of ; = { }");
        }
        if (pattern.contains("***")) {
            throw new IllegalArgumentException("channel pattern '" + pattern + "' has '***'; use * or **");
        }
        return pattern;
    }

    private static Pattern compile(String pattern) {
        String family = familyOf(pattern);
        if (family != null) {
            // prefix:** and prefix: match prefix itself and prefix:<anything>.
            return Pattern.compile(compile(family).pattern() + "(?::.*)?", Pattern.DOTALL);
        }
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c != '*') {
                literal.append(c);
                i++;
                continue;
            }
            flush(re, literal);
            if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                re.append(".*");
                i += 2;
            } else {
                re.append("[^:]+");
                i++;
            }
        }
        flush(re, literal);
        if (pattern.endsWith(":")) {
            re.append(".*");
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    /** {@code admin} for {@code admin:**} and {@code admin:}; null for any other pattern. */
    private static String familyOf(String pattern) {
        String base = pattern.endsWith(":**") ? pattern.substring(0, pattern.length() - 3)
                : pattern.endsWith(":") ? pattern.substring(0, pattern.length() - 1) : null;
        return base == null || base.isEmpty() || base.endsWith(":") ? null : base;
    }

    private static void flush(StringBuilder re, StringBuilder literal) {
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
            literal.setLength(0);
        }
    }
}
