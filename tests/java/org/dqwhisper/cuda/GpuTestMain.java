package org.dqwhisper.cuda;

import java.io.PrintWriter;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the tests of {@code org.dqwhisper.cuda} (the {@code gpu}-tagged ones included) without Maven,
 * for a GPU machine that has a JDK but no network:
 * {@code java -cp 'target/classes:target/test-classes:target/test-lib/*' org.dqwhisper.cuda.GpuTestMain [--require-device]}.
 * Prints one line per test and a closing "N passed, N failed" line; exits 1 on failures, 2 when
 * {@code --require-device} is given and no device is usable.
 */
public final class GpuTestMain {
    private GpuTestMain() {}

    public static void main(String[] args) {
        boolean requireDevice = args.length > 0 && args[0].equals("--require-device");
        CudaRuntime.Status status = CudaRuntime.status();
        System.out.println("CUDA: " + status);
        if (requireDevice && !status.available()) {
            System.out.println("no usable CUDA device: " + status.detail());
            System.exit(2);
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectPackage("org.dqwhisper.cuda"))
                .filters(ClassNameFilter.includeClassNamePatterns(".*Test"))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener printer = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) return;
                boolean aborted = result.getStatus() == TestExecutionResult.Status.ABORTED;
                String extra = result.getThrowable().map(t -> " -- " + (aborted ? t.getMessage() : t.toString())).orElse("");
                System.out.println(result.getStatus() + " " + id.getUniqueId().replaceAll(".*class:org.dqwhisper.cuda.", "")
                        .replaceAll("[\\]\\[]", "") + extra);
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("SKIPPED " + id.getDisplayName() + ": " + reason);
            }
        };
        launcher.execute(request, summary, printer);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printFailuresTo(out, 30);
        long failed = s.getTestsFailedCount() + s.getContainersFailedCount();
        long passed = s.getTestsSucceededCount();
        long skipped = s.getTestsSkippedCount() + s.getTestsAbortedCount();
        System.out.println("GpuTestMain: " + passed + " passed, " + failed + " failed, " + skipped + " skipped");
        System.exit(failed > 0 ? 1 : 0);
    }
}
