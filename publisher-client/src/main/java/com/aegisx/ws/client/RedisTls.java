package com.aegisx.ws.client;

import io.lettuce.core.SslOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS material for a {@code rediss://} (or {@code rediss-sentinel://}, {@code rediss-cluster://})
 * target beyond the JVM's defaults: a private CA to verify the servers' certificates against, and a
 * client certificate for Redis's {@code tls-auth-clients yes} (its default). Without either, the
 * JVM trust store verifies the servers and no client certificate is sent.
 *
 * <p>Files are PEM: the CA file one or more certificates, the client certificate its chain, the key
 * PKCS#8 without a passphrase ({@code -----BEGIN PRIVATE KEY-----}, what {@code openssl genpkey}
 * and {@code openssl req -newkey -nodes} write). They are read when a connection is made, so a
 * renewed certificate is picked up by the next reconnect.
 */
public final class RedisTls {

    private static final RedisTls DEFAULTS = new RedisTls(null, null, null);

    private final Path trustedCa;
    private final Path clientCertificate;
    private final Path clientKey;

    private RedisTls(Path trustedCa, Path clientCertificate, Path clientKey) {
        this.trustedCa = trustedCa;
        this.clientCertificate = clientCertificate;
        this.clientKey = clientKey;
    }

    /** The JVM's trust store, no client certificate. */
    public static RedisTls defaults() {
        return DEFAULTS;
    }

    /**
     * Verifies the servers against the CA certificates in {@code caFile} (PEM) instead of the JVM
     * trust store. Throws {@link IllegalArgumentException} when the file cannot be read.
     */
    public RedisTls trustedCa(Path caFile) {
        return new RedisTls(readable(caFile, "CA file"), clientCertificate, clientKey);
    }

    /** Presents {@code certificateFile} (PEM chain) with {@code keyFile} (PEM PKCS#8) to the servers. */
    public RedisTls clientCertificate(Path certificateFile, Path keyFile) {
        return new RedisTls(trustedCa, readable(certificateFile, "client certificate"), readable(keyFile, "client key"));
    }

    private static Path readable(Path file, String what) {
        Objects.requireNonNull(file, what);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(what + " " + file + " is not a readable file");
        }
        return file;
    }

    /** Whether anything differs from the JVM's defaults. */
    public boolean isCustom() {
        return trustedCa != null || clientCertificate != null;
    }

    /** Null: the JVM trust store. */
    public Path trustedCa() {
        return trustedCa;
    }

    /** Null: no client certificate. */
    public Path clientCertificate() {
        return clientCertificate;
    }

    public Path clientKey() {
        return clientKey;
    }

    /** Lettuce's options for this material (JDK provider). */
    public SslOptions sslOptions() {
        SslOptions.Builder builder = SslOptions.builder().jdkSslProvider();
        if (trustedCa != null) {
            builder.trustManager(trustedCa.toFile());
        }
        if (clientCertificate != null) {
            builder.keyManager(clientCertificate.toFile(), clientKey.toFile(), null);
        }
        return builder.build();
    }

    @Override
    public String toString() {
        return "RedisTls[ca=" + (trustedCa == null ? "JVM trust store" : trustedCa)
                + ", client certificate=" + (clientCertificate == null ? "none" : clientCertificate) + "]";
    }
}
