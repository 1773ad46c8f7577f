package org.qins.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The module boundaries of DESIGN.md, checked on the compiled main classes of every module. */
@AnalyzeClasses(packages = "org.qins", importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {

    /** Test classes shared as a test-jar (qins-transformer's GGUF writer) are test code too. */
    static final class NoTestJars implements ImportOption {
        @Override
        public boolean includes(com.tngtech.archunit.core.importer.Location location) {
            return !location.contains("-tests.jar");
        }
    }

    private static final String[] QINS_TYPES = {"org.qins.codec..", "org.qins.legacy..", "org.qins.kvcache.."};

    @ArchTest
    static final ArchRule computeCodeNeverSeesQinsTypes = noClasses()
            .that().resideInAnyPackage("org.qins.transformer..", "org.qins.tools..", "org.qins.api..", "org.qins.fp..")
            .should().dependOnClassesThat().resideInAnyPackage(QINS_TYPES)
            .because("compute code sees LinearLayer and KvCache only; QINS types stay in their provider modules");

    @ArchTest
    static final ArchRule engineDependsOnTheApiOnly = noClasses()
            .that().resideInAPackage("org.qins.transformer..")
            .should().dependOnClassesThat().resideInAnyPackage("org.qins.codec..", "org.qins.legacy..", "org.qins.kvcache..",
                    "org.qins.fp..", "org.qins.tools..", "org.qins.cli..", "org.qins.bench..", "org.qins.server..",
                    "org.qins.langchain4j..")
            .because("the engine is what a library user depends on alone: providers are found on the classpath, tools sit on top");

    @ArchTest
    static final ArchRule toolsDependOnTheEngineAndTheApiOnly = noClasses()
            .that().resideInAPackage("org.qins.tools..")
            .should().dependOnClassesThat().resideInAnyPackage("org.qins.codec..", "org.qins.legacy..", "org.qins.kvcache..",
                    "org.qins.fp..", "org.qins.cli..", "org.qins.bench..")
            .because("validation, bench, demo and synth run on the engine's library API");

    @ArchTest
    static final ArchRule nothingButTheCommandDependsOnTheTools = noClasses()
            .that().resideOutsideOfPackages("org.qins.tools..", "org.qins.cli..")
            .should().dependOnClassesThat().resideInAPackage("org.qins.tools..")
            .because("the tools are the command's: the engine and the providers never need them");

    @ArchTest
    static final ArchRule serverAndAdaptersDependOnTheEngineAndTheApiOnly = noClasses()
            .that().resideInAnyPackage("org.qins.server..", "org.qins.langchain4j..")
            .should().dependOnClassesThat().resideInAnyPackage("org.qins.codec..", "org.qins.legacy..", "org.qins.kvcache..",
                    "org.qins.fp..", "org.qins.tools..", "org.qins.cli..", "org.qins.bench..")
            .because("the server and the LangChain4j adapters run on the engine's library API; providers come from the classpath");

    @ArchTest
    static final ArchRule theServerAndTheAdaptersAreIndependent = noClasses()
            .that().resideInAPackage("org.qins.langchain4j..")
            .should().dependOnClassesThat().resideInAPackage("org.qins.server..")
            .andShould().dependOnClassesThat().resideInAPackage("io.javalin..");

    @ArchTest
    static final ArchRule nothingButTheCommandDependsOnTheServerOrTheAdapters = noClasses()
            .that().resideOutsideOfPackages("org.qins.server..", "org.qins.langchain4j..", "org.qins.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("org.qins.server..", "org.qins.langchain4j..")
            .because("the server and the adapters sit on top: the engine, the providers and the tools never need them");

    @ArchTest
    static final ArchRule theSchedulerAndTheProtocolKnowNoHttpServer = noClasses()
            .that().resideInAnyPackage("org.qins.server.batch..", "org.qins.server.openai..")
            .should().dependOnClassesThat().resideInAnyPackage("io.javalin..", "jakarta.servlet..", "org.eclipse.jetty..")
            .because("the scheduler runs on the engine alone and the protocol is JSON; only the server's front classes speak HTTP");

    @ArchTest
    static final ArchRule apiDependsOnNothingOfOurs = noClasses()
            .that().resideInAPackage("org.qins.api..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "org.qins.codec..", "org.qins.legacy..", "org.qins.kvcache..", "org.qins.fp..",
                    "org.qins.transformer..", "org.qins.tools..", "org.qins.cli..", "org.qins.bench..", "org.qins.server..",
                    "org.qins.langchain4j..")
            .because("qins-api is the contract third parties implement: JDK only");

    @ArchTest
    static final ArchRule apiUsesTheJdkOnly = noClasses()
            .that().resideInAPackage("org.qins.api..")
            .should().dependOnClassesThat().resideOutsideOfPackages("org.qins.api..", "java..", "jdk..", "javax..");

    @ArchTest
    static final ArchRule providersDoNotReachIntoTheEngine = noClasses()
            .that().resideInAnyPackage("org.qins.codec..", "org.qins.legacy..", "org.qins.kvcache..", "org.qins.fp..")
            .should().dependOnClassesThat().resideInAnyPackage("org.qins.transformer..", "org.qins.tools..", "org.qins.cli..");

    @ArchTest
    static final ArchRule theOnnxExporterReadsTheEngineTheApiAndTheCodecOnly = noClasses()
            .that().resideInAPackage("org.qins.onnx..")
            .should().dependOnClassesThat().resideInAnyPackage("org.qins.legacy..", "org.qins.kvcache..", "org.qins.fp..",
                    "org.qins.tools..", "org.qins.cli..", "org.qins.bench..")
            .because("the exporter writes a checkpoint's graph: the engine reads it, the codec says how QINS parts decode");

    @ArchTest
    static final ArchRule nothingButTheCommandDependsOnTheExporter = noClasses()
            .that().resideOutsideOfPackages("org.qins.onnx..", "org.qins.cli..")
            .should().dependOnClassesThat().resideInAPackage("org.qins.onnx..")
            .because("export is a command's job: the engine, tools and providers never need it");

    @ArchTest
    static final ArchRule noCyclesBetweenModules = slices().matching("org.qins.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule noCyclesBetweenPackages = slices().matching("org.qins.(**)").should().beFreeOfCycles();
}
