package io.lifeboat.appliance;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.lifeboat.store.Store;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The appliance's packages depend on each other one way only, and the web layer ({@code api})
 * is a leaf nothing else uses: services say what is wrong with a request through
 * {@code io.lifeboat.appliance.error}, and only {@code api} turns that into HTTP. And no module
 * but the store reaches into the store's internals (its index, pack directory, pack writer,
 * manifest store, GC cutoff): the appliance, the restore agent and the others go through
 * {@code beginBackup}, {@code chunks()}, {@code usage()} and the restore point calls.
 */
class ArchitectureTest {

    private static JavaClasses main;
    /** The main classes of every Lifeboat module on this class path: the appliance and all it depends on. */
    private static JavaClasses lifeboat;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("io.lifeboat.appliance");
        lifeboat = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.lifeboat");
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.lifeboat.appliance.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void onlyTheWebLayerUsesTheWebLayer() {
        noClasses().that().resideOutsideOfPackage("io.lifeboat.appliance.api..")
                .should().dependOnClassesThat().resideInAPackage("io.lifeboat.appliance.api..")
                .check(main);
    }

    @Test
    void onlyTheStoreUsesItsInternals() {
        assertThat(lifeboat.containPackage("io.lifeboat.restore")).as("the restore agent is imported too").isTrue();
        noClasses().that().resideOutsideOfPackage("io.lifeboat.store..")
                .should().callMethod(Store.class, "index")
                .orShould().callMethod(Store.class, "packs")
                .orShould().callMethod(Store.class, "manifests")
                .orShould().callMethod(Store.class, "writer")
                .orShould().callMethod(Store.class, "oldestSessionStart", long.class)
                .check(lifeboat);
    }
}
