package com.aegisx.ws.load;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} options of the command line. */
final class Options {

    private final Map<String, String> values = new HashMap<>();
    final String scenario;

    Options(String[] args) {
        if (args.length == 0 || args[0].startsWith("--")) {
            throw new IllegalArgumentException("usage: LoadTest <broadcast|personal|idle|churn|ceiling> [--option value ...]");
        }
        scenario = args[0];
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value at '" + args[i] + "'");
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    int integer(String name, int defaultValue) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : defaultValue;
    }

    double number(String name, double defaultValue) {
        return values.containsKey(name) ? Double.parseDouble(values.get(name)) : defaultValue;
    }

    List<Double> numbers(String name, String defaultValue) {
        List<Double> out = new ArrayList<>();
        for (String part : string(name, defaultValue).split(",")) {
            if (!part.isBlank()) {
                out.add(Double.parseDouble(part.trim()));
            }
        }
        return out;
    }

    Map<String, String> all() {
        return Map.copyOf(values);
    }
}
