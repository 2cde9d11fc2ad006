package io.tributary.tests;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The package structure of docs/architecture.md: no cycles between Tributary's packages, the
 * configuration depending on no other package of ours, nothing in common depending on the Spark job,
 * and the driver's run method short enough to read as its list of phases.
 */
class ArchitectureTest {
    // Main classes wherever they are: spark-job's in target/classes, common's there or in its jar (as in
    // `mvn install`); test classes, in directories or in common's test jar, are left out.
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/"))
            .importPackages("io.tributary");

    @Test
    void theClassesUnderTestAreTributarys() {
        // Both modules' main classes are imported, else the rules below would pass on nothing.
        assertTrue(MAIN.contain("io.tributary.common.config.TrainKeys"));
        assertTrue(MAIN.contain("io.tributary.job.train.TrainJob"));
    }

    @Test
    void packagesHaveNoCycles() {
        // Every package is a slice of its own, the root packages (io.tributary.common: InputException) included.
        EvaluationResult result = slices().matching("io.tributary.(**)").should().beFreeOfCycles()
                .evaluate(MAIN);
        assertFalse(result.hasViolation(), result.getFailureReport().toString());
    }

    @Test
    void configurationDependsOnNoOtherPackageOfOurs() {
        EvaluationResult result = noClasses().that().resideInAPackage("io.tributary.common.config..")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("io.tributary..").and(
                        DescribedPredicate.not(JavaClass.Predicates.resideInAnyPackage("io.tributary.common.config..",
                                "io.tributary.common"))))
                .evaluate(MAIN);
        assertFalse(result.hasViolation(), result.getFailureReport().toString());
    }

    @Test
    void commonDoesNotDependOnTheSparkJob() {
        EvaluationResult result = noClasses().that().resideInAPackage("io.tributary.common..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tributary.job..", "org.apache.spark..")
                .evaluate(MAIN);
        assertFalse(result.hasViolation(), result.getFailureReport().toString());
    }

    @Test
    void theTrainingDriversRunMethodReadsAsItsPhases() throws Exception {
        String source = Files.readString(Path.of(System.getProperty("tributary.root"),
                "spark-job/src/main/java/io/tributary/job/train/TrainJob.java"));
        Matcher m = Pattern.compile("\n    public TrainResult run\\(\\)[^\n]*\n(.*?)\n    }\n", Pattern.DOTALL)
                .matcher(source);
        assertTrue(m.find(), "TrainJob has its run() method");
        List<String> lines = m.group(1).lines().filter(l -> !l.isBlank()).toList();
        assertTrue(lines.size() < 40, "TrainJob.run has " + lines.size() + " lines; keep it under 40");
    }
}
