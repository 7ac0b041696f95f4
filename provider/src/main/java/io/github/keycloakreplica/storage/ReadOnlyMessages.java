package io.github.keycloakreplica.storage;

/**
 * What an administrator or a person reads when they try to change replicated identity here. Every
 * message names the upstream, because that is where the change has to be made. No apostrophes: the
 * login and account themes pass these through MessageFormat, which would eat them.
 */
public final class ReadOnlyMessages {

    private ReadOnlyMessages() {
    }

    public static String user(String username, String upstream) {
        return "User " + username + " is replicated from " + upstream + " and is read-only on this replica. "
                + "Change it at " + upstream + ": the change reaches this replica through the identity stream.";
    }

    public static String attribute(String attribute, String upstream) {
        return attribute + " is replicated from " + upstream + " and is read-only on this replica. Change it at "
                + upstream + ".";
    }
}
