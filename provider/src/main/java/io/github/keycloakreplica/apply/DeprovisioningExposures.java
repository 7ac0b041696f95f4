package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.AttributeName;
import io.github.keycloakreplica.protocol.UserChange;
import io.github.keycloakreplica.store.ExposureRows;
import io.github.keycloakreplica.store.LinkRows;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;

import java.util.List;

/**
 * A person deleted or disabled upstream who signed in here while the link was down: the sign-ins of the
 * latest severance become the exposure of this deprovisioning, so that the lag it cost can be seen.
 */
final class DeprovisioningExposures {

    private static final Logger log = Logger.getLogger(StreamApplier.class);

    private final String componentId;
    private final long now;
    private final LinkRows linkRows;
    private final ExposureRows exposureRows;

    DeprovisioningExposures(KeycloakSession session, String componentId, long now) {
        this.componentId = componentId;
        this.now = now;
        this.linkRows = LinkRows.of(session);
        this.exposureRows = ExposureRows.of(session);
    }

    /** Records the exposure when these changes of a subject's user, brought by an event, take the person's access away. */
    void record(String subject, String eventId, List<UserChange> changes) {
        String kind = kind(changes);
        if (kind == null) {
            return;
        }
        Long since = linkRows.lastLeftConnected(componentId);
        int overlap = exposureRows.recordDeprovisioning(componentId, subject, since == null ? 0 : since, eventId, kind, now);
        if (overlap > 0) {
            log.warnf("replica %s: subject %s was %s upstream and had signed in here %d time(s) while the link was down: "
                    + "recorded as a deprovisioning-lag exposure", componentId, subject, kind, overlap);
        }
    }

    /** "deleted" or "disabled" when the changes take the person's access away, else null. */
    static String kind(List<UserChange> changes) {
        for (UserChange change : changes) {
            if (change instanceof UserChange.Delete) {
                return "deleted";
            }
            if (change instanceof UserChange.SetAttribute set && AttributeName.of(set.fact().name()).kind() == AttributeName.Kind.ENABLED
                    && set.fact().present() && !set.fact().value().asBoolean(true)) {
                return "disabled";
            }
        }
        return null;
    }
}
