package com.sessionflow.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering, checked on the job's classes (not the tests): the session rules and the event model
 * are plain Java, packages form no cycle, and only the entry points wire a pipeline.
 */
@AnalyzeClasses(
        packages = "com.sessionflow",
        importOptions = {ImportOption.DoNotIncludeTests.class})
class ArchitectureTest {

    /** The rules can be read and tested without Flink or Kafka (docs/session-rules.md). */
    @ArchTest
    static final ArchRule rulesAndEventsArePlainJava =
            noClasses()
                    .that()
                    .resideInAnyPackage("com.sessionflow.event..", "com.sessionflow.session..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage("org.apache.flink..", "org.apache.kafka..");

    @ArchTest
    static final ArchRule noPackageCycles =
            slices().matching("com.sessionflow.(*)..").should().beFreeOfCycles();

    /** Kafka I/O knows records, not what the metrics mean. */
    @ArchTest
    static final ArchRule kafkaDoesNotDependOnMetrics =
            noClasses()
                    .that()
                    .resideInAPackage("com.sessionflow.kafka..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("com.sessionflow.metrics..");

    /**
     * Only the entry points (the job, the export replay, the PostgreSQL job, the demo) build and
     * run a pipeline.
     */
    @ArchTest
    static final ArchRule onlyEntryPointsWireAPipeline =
            noClasses()
                    .that()
                    .resideOutsideOfPackages(
                            "com.sessionflow.job..",
                            "com.sessionflow.replay..",
                            "com.sessionflow.postgres..",
                            "com.sessionflow.demo..")
                    .should()
                    .dependOnClassesThat()
                    .haveFullyQualifiedName(
                            "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment");
}
