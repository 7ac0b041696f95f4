package io.github.keycloakreplica.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.function.Supplier;

/**
 * For a test class with servers of its own: when one of its tests fails, prints the tails of their logs (a change
 * that did not arrive may have stopped at any of them). The supplier gives null while the class has no servers.
 */
final class LogsOnFailure implements TestWatcher {

    static final int LINES = 80;

    private final Supplier<String> tails;

    LogsOnFailure(Supplier<String> tails) {
        this.tails = tails;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        String logs = tails.get();
        if (logs != null) {
            System.err.println("\n==== " + context.getDisplayName() + " failed; server logs follow ====\n" + logs);
        }
    }
}
