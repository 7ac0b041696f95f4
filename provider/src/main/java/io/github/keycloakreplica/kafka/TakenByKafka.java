package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.store.PublisherRelayEntity;
import io.github.keycloakreplica.store.PublisherRows;

import java.util.ArrayList;
import java.util.List;

/**
 * Outbox rows Kafka committed and the heartbeat last sent, not yet written to the database: the relay's next round
 * deletes the rows and stamps the relay row in the transaction it versions in, so a round costs one database
 * transaction, not three. Should the relay stop before that, the rows go out again and replicas drop the copies, as
 * after a crash between Kafka's commit and the deletion.
 */
record TakenByKafka(List<Long> seqs, long publishedAt, long heartbeatAt) {

    static final TakenByKafka NOTHING = new TakenByKafka(List.of(), 0, 0);

    TakenByKafka {
        seqs = List.copyOf(seqs);
    }

    /** These rows as well, committed at {@code at} with a heartbeat. */
    TakenByKafka published(List<Long> more, long at) {
        List<Long> all = new ArrayList<>(seqs);
        all.addAll(more);
        return new TakenByKafka(all, at, at);
    }

    TakenByKafka heartbeat(long at) {
        return new TakenByKafka(seqs, publishedAt, at);
    }

    /** Deletes the rows and counts them on the relay row, in the caller's transaction. */
    void writeDown(PublisherRows rows, String realmId) {
        if (seqs.isEmpty() && heartbeatAt == 0) {
            return;
        }
        if (!seqs.isEmpty()) {
            rows.deleteOutbox(realmId, seqs);
        }
        PublisherRelayEntity relay = rows.lockRelay(realmId);
        if (!seqs.isEmpty()) {
            relay.setPublished(relay.getPublished() + seqs.size());
            relay.setLastPublishedAt(publishedAt);
        }
        if (heartbeatAt != 0) {
            relay.setLastHeartbeatAt(heartbeatAt);
        }
    }
}
