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

    /**
     * Why a replicated user's field cannot be edited, shown beside it before anyone tries (the consoles'
     * help for the field). It names no field: a field's display name may be a message key, and the
     * consoles read any text with a message key in it as a key.
     */
    public static String fieldHelp(String upstream) {
        return "Replicated from " + upstream + " and read-only on this replica. Change it at " + upstream
                + ", and the change reaches this replica through the identity stream.";
    }

    public static String attribute(String attribute, String upstream) {
        return attribute + " is replicated from " + upstream + " and is read-only on this replica. Change it at "
                + upstream + ".";
    }
}
