package com.aegisx.ws.server.config;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether the running JVM has a {@code -XX:} option, so a default is only passed to a JVM that
 * starts with it (an unknown {@code -XX:} option stops a JVM at startup).
 */
final class JvmOptions {

    private static final Pattern XX = Pattern.compile("-XX:[+-]?(\\w+)(=.*)?");

    private JvmOptions() {
    }

    /** True when {@code option} is a {@code -XX:} option this (HotSpot) JVM knows. */
    static boolean known(String option) {
        Matcher matcher = XX.matcher(option);
        if (!matcher.matches()) {
            return false;
        }
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(matcher.group(1));
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException | NullPointerException e) {
            return false; // no such option, or not a HotSpot JVM
        }
    }
}
