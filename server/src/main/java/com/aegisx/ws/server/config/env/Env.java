package com.aegisx.ws.server.config.env;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads typed settings from environment variables and collects every problem, so that a bad
 * configuration is reported in one message naming each offending variable, instead of the first
 * one only.
 */
public final class Env {

    private final Map<String, String> vars;
    private final List<String> errors = new ArrayList<>();

    public Env(Map<String, String> vars) {
        this.vars = Objects.requireNonNull(vars, "vars");
    }

    /** The raw value, trimmed; null when unset or blank. */
    public String raw(String name) {
        String value = vars.get(name);
        if (value == null) {
            return null;
        }
        value = value.trim();
        return value.isEmpty() ? null : value;
    }

    public String string(String name, String defaultValue) {
        String value = raw(name);
        return value == null ? defaultValue : value;
    }

    public int integer(String name, int defaultValue, int min, int max) {
        return (int) longValue(name, defaultValue, min, max);
    }

    public long longValue(String name, long defaultValue, long min, long max) {
        String value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed < min || parsed > max) {
                error(name, "must be between " + min + " and " + max + ", was " + value);
                return defaultValue;
            }
            return parsed;
        } catch (NumberFormatException e) {
            error(name, "must be a whole number, was '" + value + "'");
            return defaultValue;
        }
    }

    public boolean bool(String name, boolean defaultValue) {
        String value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        switch (value.toLowerCase()) {
            case "true": case "yes": case "1": case "on":
                return true;
            case "false": case "no": case "0": case "off":
                return false;
            default:
                error(name, "must be true or false, was '" + value + "'");
                return defaultValue;
        }
    }

    /** A comma-separated list; blank items are dropped. */
    public List<String> list(String name, List<String> defaultValue) {
        String value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Records a problem with one variable; {@link #throwIfInvalid()} reports them all. */
    public void error(String name, String problem) {
        errors.add(name + " " + problem);
    }

    public List<String> errors() {
        return List.copyOf(errors);
    }

    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw new ConfigException("Invalid configuration: " + String.join("; ", errors));
        }
    }
}
