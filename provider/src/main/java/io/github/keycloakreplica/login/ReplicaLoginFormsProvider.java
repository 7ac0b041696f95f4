package io.github.keycloakreplica.login;

import io.github.keycloakreplica.config.ReplicaComponents;
import io.github.keycloakreplica.config.ReplicaConfig;
import io.github.keycloakreplica.credential.CredentialRefusal;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.link.LinkState;
import io.github.keycloakreplica.store.LinkRows;
import jakarta.ws.rs.core.Response;
import org.keycloak.forms.login.LoginFormsPages;
import org.keycloak.forms.login.freemarker.FreeMarkerLoginFormsProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.storage.UserStorageProviderModel;

import java.util.EnumSet;
import java.util.Set;

/**
 * Keycloak's own login pages, plus one thing: while a replica component of the realm is not CONNECTED,
 * the sign-in pages carry a notice (an info message, so every theme shows it where it shows messages)
 * that the site works without its upstream, and that sign-in works while credential changes do not.
 * A message the page already has (a wrong password, say) takes precedence. Reads the stored link
 * record only; never Kafka.
 */
final class ReplicaLoginFormsProvider extends FreeMarkerLoginFormsProvider {

    private static final Set<LoginFormsPages> SIGN_IN_PAGES = EnumSet.of(LoginFormsPages.LOGIN, LoginFormsPages.LOGIN_USERNAME,
            LoginFormsPages.LOGIN_PASSWORD);

    private final KeycloakSession keycloakSession;

    ReplicaLoginFormsProvider(KeycloakSession session) {
        super(session);
        this.keycloakSession = session;
    }

    @Override
    protected Response createResponse(LoginFormsPages page) {
        if (SIGN_IN_PAGES.contains(page) && (messages == null || messages.isEmpty())) {
            addLinkNotice();
        }
        return super.createResponse(page);
    }

    private void addLinkNotice() {
        RealmModel realm = keycloakSession.getContext().getRealm();
        if (realm == null) {
            return;
        }
        LinkRows rows = LinkRows.of(keycloakSession);
        ReplicaComponents.of(realm)
                .filter(c -> new UserStorageProviderModel(c).isEnabled())
                .flatMap(c -> rows.read(c.getId()).filter(link -> link.state() != LinkState.CONNECTED)
                        .map(link -> new Notice(ReplicaConfig.of(c).upstreamName(), link)).stream())
                .findFirst()
                .ifPresent(notice -> setInfo(notice.link().state() == LinkState.RECOVERING ? "replicaRecoveringNotice" : "replicaSeveredNotice",
                        notice.upstream(), CredentialRefusal.since(notice.link().since())));
    }

    private record Notice(String upstream, LinkRecord link) {
    }
}
