package com.aegisx.ws.server.auth;

import com.aegisx.ws.protocol.ChannelPattern;
import java.util.Objects;

/**
 * One line of the channel policy: a channel pattern and who may subscribe to / publish on the
 * channels it matches. See {@link ChannelAccessPolicy} for the text grammar.
 *
 * <p>Pattern syntax ({@link ChannelPattern#familyInclusive}; channel names are case-sensitive, and so are patterns):
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

    private final String pattern;
    private final Access subscribe;
    private final Access publish;
    private final ChannelPattern matcher;

    public ChannelRule(String pattern, Access subscribe, Access publish) {
        this.matcher = ChannelPattern.familyInclusive(pattern);
        this.pattern = pattern;
        this.subscribe = Objects.requireNonNull(subscribe, "subscribe");
        this.publish = Objects.requireNonNull(publish, "publish");
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
        return matcher.matches(channel);
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
}
