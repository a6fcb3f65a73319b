package io.lifeboat.appliance;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The appliance's packages depend on each other one way only, and the web layer ({@code api})
 * is a leaf nothing else uses: services say what is wrong with a request through
 * {@code io.lifeboat.appliance.error}, and only {@code api} turns that into HTTP.
 */
class ArchitectureTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("io.lifeboat.appliance");
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
}
