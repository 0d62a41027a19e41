package com.aegisx.ws.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package structure of the node, checked on the compiled classes (ArchUnit), so it cannot
 * drift: no package cycles anywhere in {@code server/}, a fan-out core that knows neither Jetty nor
 * Lettuce, adapters that do not know each other, and metrics that know none of them.
 */
class ArchitectureTest {

    private static final String ROOT = "com.aegisx.ws.server";
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void noPackageCycles() {
        // Every package is its own slice (sub-packages too), the root package included.
        slices().matching("com.aegisx.ws.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void theCoreKnowsNeitherJettyNorLettuceNorItsAdapters() {
        noClasses().that().resideInAPackage(ROOT + ".core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.eclipse.jetty..", "jakarta.websocket..", "jakarta.servlet..", "io.lettuce..", "io.netty..",
                        ROOT + ".jetty..", ROOT + ".redis..", ROOT + ".http..", ROOT + ".reports..",
                        ROOT + ".node..", ROOT + ".manager..")
                .check(CLASSES);
    }

    @Test
    void metricsImportNeitherTheCoreNorTheAdapters() {
        noClasses().that().resideInAPackage(ROOT + ".metrics..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ROOT + ".core..", ROOT + ".jetty..", ROOT + ".redis..")
                .check(CLASSES);
    }

    @Test
    void theAdaptersDoNotKnowEachOther() {
        noClasses().that().resideInAPackage(ROOT + ".jetty..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".redis..", "io.lettuce..")
                .check(CLASSES);
        noClasses().that().resideInAPackage(ROOT + ".redis..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".jetty..", "org.eclipse.jetty..")
                .check(CLASSES);
    }

    @Test
    void theQuickStartIsIsolated() {
        // embedded-redis only in quickstart/, and quickstart/ only used by Main: the node never needs it.
        noClasses().that().resideOutsideOfPackage(ROOT + ".quickstart..")
                .should().dependOnClassesThat().resideInAPackage("redis.embedded..")
                .check(CLASSES);
        noClasses().that().resideOutsideOfPackage(ROOT + ".quickstart..")
                .and().doNotHaveFullyQualifiedName(ROOT + ".Main")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".quickstart..")
                .check(CLASSES);
    }

    @Test
    void productionCodeHasNoTestHooks() {
        // The manager with blocking calls, crash() and the like live in test code now.
        noClasses().should().haveSimpleName("WebSocketManager").check(CLASSES);
        noClasses().should().resideInAPackage(ROOT + ".examples..").check(CLASSES);
    }
}
