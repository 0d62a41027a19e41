package com.aegisx.ws.protocol;

import java.util.regex.Pattern;

/**
 * A channel pattern of the rule lists ({@code CHANNEL_RULES}, {@code HISTORY_RULES},
 * {@code CONFLATE_CHANNELS}): one grammar and one matcher for all of them. Channel names and
 * patterns are case-sensitive.
 * <ul>
 *   <li>{@code *} matches one or more characters other than {@code :} (part of one segment);</li>
 *   <li>{@code **} matches the rest: zero or more characters of any kind, {@code :} included;</li>
 *   <li>a pattern ending in {@code :} is a prefix: {@code admin:} means {@code admin:**};</li>
 *   <li>any other pattern without wildcards matches exactly that one channel name.</li>
 * </ul>
 * A {@link #familyInclusive family-inclusive} pattern ({@code CHANNEL_RULES}) also matches the bare
 * family name: {@code admin:**} and {@code admin:} match {@code admin} too.
 */
public final class ChannelPattern {

    /** Characters a pattern may not contain: the rule grammars' separators, braces (hash tags), blanks. */
    private static final Pattern FORBIDDEN_CHARS = Pattern.compile("[\\s;={}\\p{Cntrl}]");

    private final String text;
    private final boolean familyInclusive;
    private final Pattern regex;

    private ChannelPattern(String text, boolean familyInclusive) {
        this.text = text;
        this.familyInclusive = familyInclusive;
        this.regex = familyInclusive && familyOf(text) != null
                // prefix:** and prefix: match prefix itself and prefix:<anything>.
                ? Pattern.compile(compile(familyOf(text)).pattern() + "(?::.*)?", Pattern.DOTALL)
                : compile(text);
    }

    /** Throws IllegalArgumentException naming the problem when the pattern is not valid. */
    public static ChannelPattern of(String pattern) {
        return new ChannelPattern(validate(pattern), false);
    }

    /**
     * Like {@link #of}, but a family pattern ({@code admin:**}, {@code admin:}) also matches the
     * bare family name {@code admin}. Access rules need this: otherwise the bare name falls through
     * to a later, looser rule (an anonymous client could subscribe to {@code admin} under
     * {@code **=public}).
     */
    public static ChannelPattern familyInclusive(String pattern) {
        return new ChannelPattern(validate(pattern), true);
    }

    private static String validate(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("empty channel pattern");
        }
        if (FORBIDDEN_CHARS.matcher(pattern).find()) {
            throw new IllegalArgumentException("channel pattern '" + pattern
                    + "' contains whitespace, a control character or one of ; = { }");
        }
        if (pattern.contains("***")) {
            throw new IllegalArgumentException("channel pattern '" + pattern + "' has '***'; use * or **");
        }
        return pattern;
    }

    public boolean matches(String channel) {
        return channel != null && regex.matcher(channel).matches();
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelPattern p && p.text.equals(text) && p.familyInclusive == familyInclusive;
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + Boolean.hashCode(familyInclusive);
    }

    /** {@code admin} for {@code admin:**} and {@code admin:}; null for any other pattern. */
    private static String familyOf(String pattern) {
        String base = pattern.endsWith(":**") ? pattern.substring(0, pattern.length() - 3)
                : pattern.endsWith(":") ? pattern.substring(0, pattern.length() - 1) : null;
        return base == null || base.isEmpty() || base.endsWith(":") ? null : base;
    }

    private static Pattern compile(String pattern) {
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

    private static void flush(StringBuilder re, StringBuilder literal) {
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
            literal.setLength(0);
        }
    }
}
