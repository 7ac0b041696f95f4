package io.github.keycloakreplica.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives test classes the shared {@link ReplicaSite}, starting it on first use and stopping it when the
 * whole test run ends. When a test fails, prints the tail of the broker's and Keycloak's logs. After
 * every class, the apply engine must not have fallen back to one record per transaction for any batch.
 */
public final class ReplicaStack implements BeforeAllCallback, AfterAllCallback, ParameterResolver, TestWatcher {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ReplicaStack.class);
    private static final int LOG_TAIL_LINES = 80;

    /** Closes the site when JUnit closes the root store, i.e. after the last test class. */
    private record Running(ReplicaSite site) implements AutoCloseable {
        @Override
        public void close() {
            site.close();
        }
    }

    private static ReplicaSite site(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Running.class, k -> new Running(ReplicaSite.start()), Running.class)
                .site();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        site(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Running running = context.getRoot().getStore(NAMESPACE).get(Running.class, Running.class);
        if (running != null) {
            running.site().assertApplyEngineHealthy();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ReplicaSite.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return site(context);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Running running = context.getRoot().getStore(NAMESPACE).get(Running.class, Running.class);
        if (running == null) {
            return;
        }
        System.err.println("\n==== " + context.getDisplayName() + " failed; server logs follow ====\n"
                + running.site().stack().logTails(LOG_TAIL_LINES));
    }
}
