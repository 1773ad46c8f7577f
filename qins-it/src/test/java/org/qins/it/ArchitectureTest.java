package org.qins.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The module boundaries of DESIGN.md, checked on the compiled main classes of every module. */
@AnalyzeClasses(packages = "org.qins", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String[] QINS_TYPES = {"org.qins.codec..", "org.qins.legacy..", "org.qins.kvcache.."};

    @ArchTest
    static final ArchRule computeCodeNeverSeesQinsTypes = noClasses()
            .that().resideInAnyPackage("org.qins.transformer..", "org.qins.api..", "org.qins.fp..")
            .should().dependOnClassesThat().resideInAnyPackage(QINS_TYPES)
            .because("compute code sees LinearLayer and KvCache only; QINS types stay in their provider modules");

    @ArchTest
    static final ArchRule transformerDependsOnTheApiOnly = noClasses()
            .that().resideInAPackage("org.qins.transformer..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "org.qins.codec..", "org.qins.legacy..", "org.qins.kvcache..", "org.qins.fp..", "org.qins.cli..", "org.qins.bench..")
            .because("providers are found on the classpath, never referenced");

    @ArchTest
    static final ArchRule apiDependsOnNothingOfOurs = noClasses()
            .that().resideInAPackage("org.qins.api..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "org.qins.codec..", "org.qins.legacy..", "org.qins.kvcache..", "org.qins.fp..",
                    "org.qins.transformer..", "org.qins.cli..", "org.qins.bench..")
            .because("qins-api is the contract third parties implement: JDK only");

    @ArchTest
    static final ArchRule apiUsesTheJdkOnly = noClasses()
            .that().resideInAPackage("org.qins.api..")
            .should().dependOnClassesThat().resideOutsideOfPackages("org.qins.api..", "java..", "jdk..", "javax..");

    @ArchTest
    static final ArchRule providersDoNotReachIntoTheEngine = noClasses()
            .that().resideInAnyPackage("org.qins.codec..", "org.qins.legacy..", "org.qins.kvcache..", "org.qins.fp..")
            .should().dependOnClassesThat().resideInAnyPackage("org.qins.transformer..", "org.qins.cli..");

    @ArchTest
    static final ArchRule noCyclesBetweenModules = slices().matching("org.qins.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule noCyclesBetweenPackages = slices().matching("org.qins.(**)").should().beFreeOfCycles();
}
