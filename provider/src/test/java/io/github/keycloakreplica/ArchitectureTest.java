package io.github.keycloakreplica;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layers of docs/architecture.md, held by the build: each package may use only the packages listed for
 * it, no two packages use each other, and the sign-in path never reaches the Kafka client. Read from the
 * compiled classes (core's and the provider's), so a forbidden use fails here naming the class, the member
 * and the source line, whatever the import list says.
 */
final class ArchitectureTest {

    private static final String ROOT = "io.github.keycloakreplica";

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    /** Each package and the project packages it may use; the order is the layering, lowest first. */
    private static final Map<String, Set<String>> MAY_USE = layers();

    private static Map<String, Set<String>> layers() {
        Map<String, Set<String>> layers = new LinkedHashMap<>();
        layers.put("stream", Set.of());
        layers.put("protocol", Set.of("stream"));
        layers.put("link", Set.of("stream"));
        layers.put("store", Set.of("stream", "protocol", "link"));
        layers.put("apply", Set.of("stream", "protocol", "link", "store"));
        layers.put("sync", Set.of("stream", "protocol", "link", "store", "apply"));
        layers.put("config", Set.of("stream", "protocol", "link", "store", "apply"));
        layers.put("credential", Set.of("stream", "protocol", "link", "store", "apply", "config"));
        layers.put("login", Set.of("stream", "protocol", "link", "store", "config", "credential"));
        // The primary side: publisher records and versions changes in the database (request threads run it, so no
        // Kafka); kafka relays what it recorded; primary is the Keycloak glue that ties the two to a realm.
        layers.put("publisher", Set.of("stream", "protocol", "store"));
        layers.put("kafka", Set.of("stream", "protocol", "link", "store", "apply", "sync", "config", "publisher"));
        layers.put("storage", Set.of("stream", "protocol", "link", "store", "apply", "sync", "config", "credential", "kafka"));
        // The write path checks what a site sends as the replica checks what the stream brings (apply's CredentialFormat).
        layers.put("primary", Set.of("stream", "protocol", "store", "apply", "config", "publisher", "kafka"));
        layers.put("admin", Set.of("stream", "protocol", "link", "store", "apply", "sync", "config", "credential", "storage", "publisher"));
        return layers;
    }

    @TestFactory
    Stream<DynamicTest> eachPackageUsesOnlyTheLayersBelowIt() {
        return MAY_USE.entrySet().stream().map(entry -> DynamicTest.dynamicTest(entry.getKey(), () -> {
            String[] forbidden = MAY_USE.keySet().stream()
                    .filter(other -> !other.equals(entry.getKey()) && !entry.getValue().contains(other))
                    .map(other -> ROOT + "." + other + "..")
                    .toArray(String[]::new);
            noClasses().that().resideInAPackage(ROOT + "." + entry.getKey() + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                    .because(entry.getKey() + " may use only " + (entry.getValue().isEmpty() ? "no project package" : entry.getValue())
                            + " (docs/architecture.md)")
                    // A layer may be planned before its first class lands.
                    .allowEmptyShould(true)
                    .check(CLASSES);
        }));
    }

    @Test
    void everyPackageHasItsPlaceInTheLayers() {
        List<String> unplaced = CLASSES.stream()
                .map(javaClass -> javaClass.getPackageName())
                .filter(name -> name.startsWith(ROOT + "."))
                .map(name -> name.substring(ROOT.length() + 1).split("\\.")[0])
                .distinct()
                .filter(name -> !MAY_USE.containsKey(name))
                .toList();
        if (!unplaced.isEmpty()) {
            throw new AssertionError("Packages without a place in ArchitectureTest's layers (and docs/architecture.md): " + unplaced);
        }
    }

    @Test
    void noTwoPackagesUseEachOther() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void theSignInPathNeverReachesKafka() {
        noClasses().that().resideInAnyPackage(ROOT + ".login..", ROOT + ".credential..", ROOT + ".publisher..")
                .or().haveFullyQualifiedName(ROOT + ".storage.ReplicaUserStorageProvider")
                .or().haveFullyQualifiedName(ROOT + ".storage.ReplicaUserView")
                .or().haveFullyQualifiedName(ROOT + ".primary.WritePathResource")
                .or().haveFullyQualifiedName(ROOT + ".primary.CredentialWrites")
                .should().transitivelyDependOnClassesThat().resideInAnyPackage(ROOT + ".kafka..", "org.apache.kafka..")
                .because("a sign-in, a credential change (at a site, or at the primary's write path) and a change recorded for publishing use the database only; Kafka is the "
                        + "background threads' business")
                .check(CLASSES);
    }

    @Test
    void onlyTheKafkaPackageTalksToKafka() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".kafka..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..")
                .because("the consumer, the link watcher and the snapshot reader own every Kafka client")
                .check(CLASSES);
    }

    @Test
    void theRulesNeedNoKeycloak() {
        noClasses().that().resideInAnyPackage(ROOT + ".stream..", ROOT + ".protocol..", ROOT + ".link..")
                .should().dependOnClassesThat().resideInAnyPackage("org.keycloak..", "jakarta.persistence..", "org.jboss..")
                .because("the core module is Keycloak-free; the publisher and the stack share it")
                .check(CLASSES);
    }
}
