package io.github.keycloakreplica.sync;

import java.util.Arrays;

import java.util.Locale;

/** What a sync operation does. */
public enum OperationKind {
    /** Re-reads both snapshot topics up to their ends at its start and fast-forwards every subject there. */
    FULL,
    /** Brings named subjects up to their snapshot records now, ahead of the delta topics. */
    TARGETED,
    /** Removes or disables the users whose subjects a complete read of the snapshot topics does not hold. */
    ORPHANS;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the kinds there are */
    public static OperationKind of(String value) {
        for (OperationKind kind : values()) {
            if (kind.value().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("Unknown operation kind '" + value + "': this replica runs "
                + Arrays.stream(values()).map(OperationKind::value).toList());
    }
}
