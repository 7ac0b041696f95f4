package io.github.keycloakreplica.protocol;

/**
 * The apply table of the stream contract, for one attribute (or one credential id) of one subject.
 * A stored version of 0 means "never seen".
 */
public final class VersionRule {

    public enum Verdict {
        /** v = s + 1: the next change; apply it and store v. */
        APPLY,
        /** v ≤ s: already applied or overtaken; discard and count it. */
        STALE,
        /** v > s + 1: at least one change in between has not arrived yet. */
        GAP
    }

    private VersionRule() {
    }

    public static Verdict judge(long stored, long incoming) {
        if (incoming <= stored) {
            return Verdict.STALE;
        }
        return incoming == stored + 1 ? Verdict.APPLY : Verdict.GAP;
    }
}
