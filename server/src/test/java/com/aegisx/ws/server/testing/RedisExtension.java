package com.aegisx.ws.server.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@code @ExtendWith(RedisExtension.class)}: provisions {@link RedisFixture#shared()} before the
 * tests and injects it into any {@code RedisFixture} parameter.
 *
 * <p>Provisioning happens in the callbacks rather than in the resolver because JUnit turns any
 * exception from a resolver, including a skip, into a failure.
 */
public final class RedisExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    @Override
    public void beforeAll(ExtensionContext context) {
        RedisFixture.shared();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        RedisFixture.shared();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RedisFixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return RedisFixture.shared();
    }
}
