package io.github.keycloakreplica.store;

import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.protocol.PublishedLedger;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class PublisherRowsTest {

    @Test
    void aLedgerReadsBackAsItWasWritten() {
        PublishedLedger ledger = PublishedLedger.EMPTY.publish(Map.of("username", TextNode.valueOf("alice"), "email", TextNode.valueOf("a@x")),
                List.of(new PublishedLedger.CurrentCredential("c1", "password", "{}", "{\"value\":\"h\"}", 1L, null, "fp"))).ledger();
        ledger = ledger.publish(Map.of("username", TextNode.valueOf("alice")), List.of()).ledger();

        PublishedLedger read = PublisherRows.readLedger(PublisherRows.writeLedger(ledger), "row");

        assertThat(read).isEqualTo(ledger);
        assertThat(read.attributes().get("email")).isEqualTo(PublishedLedger.Published.attribute(2, null));
        assertThat(read.credentials().get("c1")).isEqualTo(new PublishedLedger.Published(2, null, "password"));
    }

    @Test
    void aLedgerHoldsNoValue() {
        PublishedLedger ledger = PublishedLedger.EMPTY.publish(Map.of("email", TextNode.valueOf("secret@x")),
                List.of(new PublishedLedger.CurrentCredential("c1", "password", "{}", "{\"value\":\"HASH\"}", 1L, null,
                        PublishedLedger.fingerprint("HASH")))).ledger();

        assertThat(PublisherRows.writeLedger(ledger)).doesNotContain("secret@x").doesNotContain("HASH");
    }

    @Test
    void anUnreadableLedgerNamesItsRow() {
        assertThatThrownBy(() -> PublisherRows.readLedger("{not json", "row-7")).hasMessageContaining("row-7");
    }

    @Test
    void aLedgerRowIdIsStablePerRealmAndSubject() {
        assertThat(PublisherRows.ledgerId("r", "s")).isEqualTo(PublisherRows.ledgerId("r", "s")).isNotEqualTo(PublisherRows.ledgerId("r2", "s"));
    }
}
