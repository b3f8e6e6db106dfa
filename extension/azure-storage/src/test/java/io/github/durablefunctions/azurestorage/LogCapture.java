package io.github.durablefunctions.azurestorage;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;

/** Collects what the given classes log (through logback, the test binding), for assertions on log lines. */
final class LogCapture implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<Logger> loggers;

    LogCapture(Class<?>... classes) {
        appender.start();
        loggers = Arrays.stream(classes).map(c -> (Logger) LoggerFactory.getLogger(c)).toList();
        loggers.forEach(l -> l.addAppender(appender));
    }

    /** The formatted messages logged at ERROR so far. */
    List<String> errors() {
        synchronized (appender) { // AppenderBase.doAppend holds the same lock
            return appender.list.stream().filter(e -> e.getLevel() == Level.ERROR)
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        loggers.forEach(l -> l.detachAppender(appender));
        appender.stop();
    }
}
