package io.github.durablefunctions.replay;

import io.github.durablefunctions.OrchestratorFunction;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplaySafeLoggerTest {
    /** A logger that records "method(args)" for every call and says every level is enabled. */
    private static Logger recording(List<String> calls) {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[]{Logger.class},
                (proxy, method, args) -> {
                    if (method.getReturnType() == boolean.class) {
                        return true;
                    }
                    if (method.getName().equals("getName")) {
                        return "recording";
                    }
                    if (method.isDefault()) {
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    calls.add(method.getName() + (args == null ? "()" : java.util.Arrays.toString(args)));
                    return null;
                });
    }

    @Test
    void logsOnlyOnceTheCodeIsPastTheReplayedEvents() {
        List<String> calls = new ArrayList<>();
        List<Boolean> enabled = new ArrayList<>();
        Logger target = recording(calls);
        OrchestratorFunction<Void> fn = ctx -> {
            Logger log = ctx.createReplaySafeLogger(target);
            enabled.add(log.isInfoEnabled());
            log.info("starting {}", ctx.getInstanceId());
            ctx.callActivity("A").await();
            enabled.add(log.isInfoEnabled());
            log.info("after A");
            log.atWarn().log("fluent after A");
            return null;
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        driver.start(null);
        calls.clear();
        enabled.clear();

        driver.episode(h -> h.taskCompleted(0, null));

        assertThat(enabled).containsExactly(false, true);
        assertThat(calls).contains("info[after A]").doesNotContain("info[starting {}, fixture-instance]");
        assertThat(calls).anySatisfy(call -> assertThat(call).contains("fluent after A"));
    }

    @Test
    void firstEpisodeIsNotAReplaySoItLogs() {
        List<String> calls = new ArrayList<>();
        Logger target = recording(calls);
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.createReplaySafeLogger(target).info("hello");
            return null;
        });

        driver.start(null);

        assertThat(calls).containsExactly("info[hello]");
    }
}
