package io.github.keycloakreplica.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Splits the values of an {@code IN} list into chunks of at most {@link #SIZE}: a batch can name
 * thousands of subjects or users, and databases cap the bind parameters of one statement (and plan
 * very long lists badly).
 */
public final class Chunks {

    /** Keeps IN lists well below every database's bind-parameter limit. */
    public static final int SIZE = 500;

    private Chunks() {
    }

    /** The values in chunks of at most {@link #SIZE}, in their iteration order; none for no values. */
    public static <T> List<List<T>> of(Collection<T> values) {
        List<T> all = new ArrayList<>(values);
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += SIZE) {
            chunks.add(all.subList(i, Math.min(all.size(), i + SIZE)));
        }
        return chunks;
    }
}
